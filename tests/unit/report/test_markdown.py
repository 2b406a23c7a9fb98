from __future__ import annotations

from mlaudit.report._markdown import md_escape, render_markdown
from mlaudit.results import AuditResult

from .conftest import EVIL


def test_summary_counts_and_sections(result: AuditResult) -> None:
    md = render_markdown(result)
    lines = md.splitlines()
    assert lines[0] == "# Audit report"
    assert "**Overall: 💥 error** · 13 check results" in md
    # hand count of the fixture: error 1, fail 4, warn 2, inconclusive 0, pass 5, skipped 1
    i = lines.index("| error | fail | warn | inconclusive | pass | skipped |")
    assert lines[i + 2] == "| 1 | 4 | 2 | 0 | 5 | 1 |"
    heads = [ln for ln in lines if ln.startswith("## ")]
    assert heads == [
        "## Inputs", "## Findings", "## Data quality", "## Drift", "## Model performance",
        "## Custom",
    ]  # fmt: skip
    findings = lines[lines.index("## Findings") + 4 : lines.index("## Data quality") - 1]
    assert len(findings) == 7
    assert findings[0].startswith("| 💥 error | medium | quality.value\\_range | age |")


def test_metrics_and_escaping(result: AuditResult) -> None:
    md = render_markdown(result)
    assert EVIL not in md
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in md
    assert "duplicate\\_share = 0.3 ± 0.02 (approx.)" in md
    assert "limit psi: warn above 0.1, fail above 0.25" in md
    # every table row keeps its column count: pipes in text are escaped
    assert md_escape("a|b\nc") == "a\\|b c"
    rows = [ln for ln in md.splitlines() if ln.startswith("| ") and "quality." in ln]
    assert rows
    for line in rows:
        assert line.replace("\\|", "").count("|") in (6, 7)


def test_deterministic(result: AuditResult) -> None:
    assert render_markdown(result) == render_markdown(result)
