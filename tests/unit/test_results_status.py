"""Statuses: the inconclusive status ranks between pass and warn, is counted and round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mlaudit.report._jsonio import dumps_canonical, load_result
from mlaudit.results import AuditResult, CheckResult, Status, worst_status

SCHEMA_FILE = Path(__file__).parents[2] / "src/mlaudit/results_schema/report-1.0.schema.json"


def _check(status: Status, column: str = "x") -> CheckResult:
    return CheckResult(
        id="drift.univariate", family="drift", title="t", status=status, column=column, message="m"
    )


@pytest.mark.parametrize(
    ("statuses", "worst"),
    [
        ([], Status.PASS),
        ([Status.SKIPPED], Status.SKIPPED),
        ([Status.PASS, Status.SKIPPED], Status.PASS),
        ([Status.PASS, Status.INCONCLUSIVE, Status.SKIPPED], Status.INCONCLUSIVE),
        ([Status.INCONCLUSIVE, Status.WARN], Status.WARN),
        ([Status.FAIL, Status.INCONCLUSIVE], Status.FAIL),
        ([Status.INCONCLUSIVE, Status.ERROR, Status.FAIL], Status.ERROR),
    ],
)
def test_worst_status_order(statuses: list[Status], worst: Status) -> None:
    # the documented order: error > fail > warn > inconclusive > pass > skipped
    assert worst_status(statuses) is worst


def test_summarise_counts_inconclusive() -> None:
    checks = [_check(Status.PASS, "a"), _check(Status.INCONCLUSIVE, "b"),
              _check(Status.INCONCLUSIVE, "c"), _check(Status.SKIPPED, "d")]  # fmt: skip
    s = AuditResult.summarise(checks)
    assert s.status is Status.INCONCLUSIVE
    assert s.counts == {"pass": 1, "inconclusive": 2, "warn": 0, "fail": 0, "error": 0,
                        "skipped": 1}  # fmt: skip
    assert s.total == 4


def test_inconclusive_round_trips_and_validates(tmp_path: Path) -> None:
    checks = [_check(Status.INCONCLUSIVE)]
    result = AuditResult(
        run_id="r", created_at="2025-01-01T00:00:00Z", finished_at="2025-01-01T00:00:01Z",
        mlaudit_version="0", inputs=[], config={}, summary=AuditResult.summarise(checks),
        checks=checks,
    )  # fmt: skip
    text = dumps_canonical(result)
    doc = json.loads(text)
    assert doc["checks"][0]["status"] == "inconclusive"
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert "inconclusive" in schema["$defs"]["Status"]["enum"]
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    path = tmp_path / "report.json"
    path.write_text(text, encoding="utf-8")
    back = load_result(path)
    assert back.checks[0].status is Status.INCONCLUSIVE
    assert back.summary.status is Status.INCONCLUSIVE
