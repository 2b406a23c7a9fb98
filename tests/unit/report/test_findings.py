"""The findings table: worst first, one line per finding; the method stated once per check."""

from __future__ import annotations

from mlaudit.report._charts import NAME_CHARS, missing_values_chart, name_titles, short_name
from mlaudit.report._format import problems, short_message, split_method
from mlaudit.results import AuditResult, CheckResult, Severity, Status

_KS = "Kolmogorov-Smirnov, the default for numeric columns"


def _r(status: Status, severity: Severity, check: str, col: str) -> CheckResult:
    return CheckResult(id=check, family="quality", title="t", status=status, severity=severity,
                       column=col, message=f"{col} {status.value}")  # fmt: skip


def test_problems_by_status_then_severity_then_check() -> None:
    checks = [
        _r(Status.WARN, Severity.HIGH, "quality.b", "w1"),
        _r(Status.FAIL, Severity.LOW, "quality.a", "f1"),
        _r(Status.FAIL, Severity.CRITICAL, "quality.z", "f2"),
        _r(Status.PASS, Severity.CRITICAL, "quality.a", "p"),
        _r(Status.FAIL, Severity.CRITICAL, "quality.b", "f3"),
        _r(Status.FAIL, Severity.CRITICAL, "quality.b", "f4"),
    ]
    r = AuditResult(run_id="3f2a6c1e-0000-4000-8000-000000000001",
                    created_at="2025-03-01T10:00:00Z", finished_at="2025-03-01T10:00:05Z",
                    mlaudit_version="0.1.0", inputs=[], config={}, checks=checks,
                    summary=AuditResult.summarise(checks))  # fmt: skip
    assert [c.column for _, c in problems(r)] == ["f3", "f4", "f2", "f1", "w1"]


def test_split_method_keeps_the_other_notes() -> None:
    msg = f"x has drifted: ks 0.1; p = 0.01. Why this method: {_KS}; unclipped W1: 1.8."
    assert split_method(msg) == ("x has drifted: ks 0.1; p = 0.01. unclipped W1: 1.8.", _KS)
    assert split_method(f"x is fine. Why this method: {_KS}.") == ("x is fine.", _KS)
    assert split_method("no method here") == ("no method here", "")


def test_short_message_cuts_at_a_clause() -> None:
    head = "a" * 120 + "; " + "b" * 60 + "; " + "c" * 60
    assert short_message(head, limit=200) == "a" * 120 + "; " + "b" * 60 + " …"
    assert short_message("short one.") == "short one."
    long_words = " ".join(["12,345"] * 60)  # no clause: cut at a space, never inside a number
    out = short_message(long_words, limit=100)
    assert len(out) <= 100 and out.endswith(" …") and out[:-2].split(" ")[-1] == "12,345"


def test_missing_chart_long_names_cut_with_full_name_as_title() -> None:
    long = "x" * 60 + "<&>"
    assert short_name(long) == "x" * (NAME_CHARS - 1) + "…"
    spec = missing_values_chart([(long, 0.5), ("age", 0.0)])
    assert [row["column"] for row in spec["data"]["values"]] == [short_name(long), "age"]
    assert spec["encoding"]["x"]["axis"]["labelOverlap"] == "greedy"
    svg = f'<svg><text x="1">{short_name(long)}</text><text>age</text></svg>'
    out = name_titles(svg, [long, "age"])
    assert f"<title>{'x' * 60}&lt;&amp;&gt;</title>{short_name(long)}</text>" in out
    assert "<text>age</text>" in out
