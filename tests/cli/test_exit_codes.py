"""Exit codes and the printed summary for each status, inconclusive included."""

from __future__ import annotations

import pytest

from mlaudit.cli import _common
from mlaudit.cli._common import EXIT_FAILURES, EXIT_OK, exit_code_for, print_summary
from mlaudit.results import AuditResult, CheckResult, Status


def _result(*statuses: Status) -> AuditResult:
    checks = [
        CheckResult(id="drift.univariate", family="drift", title="t", status=s, column=f"c{i}",
                    message=f"column c{i} is {s.value}")
        for i, s in enumerate(statuses)
    ]  # fmt: skip
    return AuditResult(
        run_id="r", created_at="2025-01-01T00:00:00Z", finished_at="2025-01-01T00:00:01Z",
        mlaudit_version="0", inputs=[], config={}, summary=AuditResult.summarise(checks),
        checks=checks,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("statuses", "fail_on", "code"),
    [
        ((Status.PASS, Status.INCONCLUSIVE), "warn", EXIT_FAILURES),  # undecided stops a warn gate
        ((Status.PASS, Status.INCONCLUSIVE), "fail", EXIT_OK),  # ...but not a fail gate
        ((Status.PASS, Status.INCONCLUSIVE), "never", EXIT_OK),
        ((Status.PASS, Status.WARN), "warn", EXIT_FAILURES),
        ((Status.PASS, Status.WARN), "fail", EXIT_OK),
        ((Status.INCONCLUSIVE, Status.FAIL), "fail", EXIT_FAILURES),
        ((Status.ERROR,), "fail", EXIT_FAILURES),
        ((Status.PASS, Status.SKIPPED), "warn", EXIT_OK),
    ],
)
def test_exit_code_for(statuses: tuple[Status, ...], fail_on: str, code: int) -> None:
    assert exit_code_for(_result(*statuses), fail_on) == code


def test_summary_prints_inconclusive_with_its_style(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_common.state, "quiet", False)
    with _common.console.capture() as cap:
        print_summary(_result(Status.PASS, Status.INCONCLUSIVE, Status.WARN))
    text = cap.get()
    assert "Audit WARN" in text
    assert "1 inconclusive" in text
    lines = [ln for ln in text.splitlines() if "drift.univariate" in ln]
    # warn before inconclusive, the status right-aligned to the longest shown
    assert lines[0].startswith("        warn  drift.univariate[c2]")
    assert lines[1].startswith("inconclusive  drift.univariate[c1]: column c1 is inconclusive")
    assert _common._STYLE["inconclusive"] not in ("green", _common._STYLE["warn"])
