"""Every registered check over edge-case data, against no reference, a typical one and itself.

Properties every check must keep (DESIGN.md, house style 9): it never raises on empty data, one
row, an all-null column, one class, a constant column, unicode column names or NaN/inf scores;
it returns well-formed :class:`CheckResult` objects (its own id and family, a non-empty plain
message, a status a check may give, a column that exists, finite-or-None metrics, bounds and a
threshold on metrics it reports, details whose shapes agree) that survive the canonical JSON
round trip; and a check that compares two data sets finds no change between data and itself.

The data goes through the real two-pass local engine with the scan plan of every check, as an
audit would do it.  Each check runs with its default options; the checks whose defaults do
nothing on 60 rows (no rules, patterns or required columns given; minimum row counts above 60)
run a second time with the options in ``CONFIGURED``, so their computing path is covered too.

Cases that cannot run are named in ``EXPECTED_SKIPS`` with the reason, and counted: a check
that needs a reference is never called without one (the runner reports it skipped).
"""

from __future__ import annotations

import ast
import functools
import math
from pathlib import Path
from typing import Any

import pytest
from tests.contract import _edges
from tests.contract._edges import EDGES, REFERENCES, Reference

import mlaudit.checks
from mlaudit.checks._base import Check, CheckContext, check_class, list_checks
from mlaudit.data._types import Schema
from mlaudit.report._jsonio import dumps_canonical, load_result
from mlaudit.results import AuditResult, CheckResult, Status
from mlaudit.summary import DatasetProfile

CONFIGURED: dict[str, dict[str, Any]] = {
    "fairness.proxies": {"min_group_size": 5},
    "leakage.event_time": {"event_time": "ts", "label_time": "ts"},
    "leakage.target_proxy": {"min_rows": 5},
    "performance.benchmark": {"min_rows": 20, "time_budget": 1.0, "max_trials": 2},
    "performance.challenger": {"challenger_prediction": "prediction", "challenger_score": "score"},
    "performance.change_points": {"min_rows": 20},
    "performance.estimate_vs_actual": {"min_rows": 10},
    "performance.estimated": {"min_rows": 10},
    "quality.pattern": {"patterns": {"email": r"[^@\s]+@[^@\s]+"}},
    "quality.format_validity": {"formats": {"email": "email"}},
    "quality.rare_formats": {"min_distinct": 1},
    "quality.required_columns": {"required": ["id", "target"]},
    "quality.rules": {"rules": {"id_not_negative": "id >= 0"}},
}
"""Options that take a check past its "nothing to check" branch on the 60-row edges."""


def _cases() -> dict[str, Check]:
    """Case label → check: every registered check with its defaults, then the configured ones."""
    cases: dict[str, Check] = {cls.id: cls() for cls in list_checks()}
    for check_id, options in CONFIGURED.items():
        cases[f"{check_id}[configured]"] = check_class(check_id)(**options)
    return cases


CASES = _cases()

# Written out, not derived from ``needs_reference``: a new check that needs a reference is a
# decision someone makes here, and test_expected_skips_are_named_and_counted says so.
_NEEDS_REFERENCE = (
    "drift.dataset",
    "drift.multivariate",
    "drift.over_time",
    "drift.pca",
    "drift.univariate",
    "explain.importance_drift",
    "performance.benchmark",
    "performance.benchmark[configured]",
    "performance.estimate_vs_actual",
    "performance.estimate_vs_actual[configured]",
    "performance.estimated",
    "performance.estimated[configured]",
    "performance.score_stability",
    "quality.schema_match",
)
_NO_REFERENCE = (
    "needs reference data: without it the runner reports the check skipped and never calls it "
    "(tests/unit/audit/test_runner.py); it runs here against a typical reference and itself"
)
EXPECTED_SKIPS: dict[tuple[str, str, Reference], str] = {
    (label, edge, "none"): _NO_REFERENCE for label in _NEEDS_REFERENCE for edge in EDGES
}
"""(case label, edge, reference) → why the case cannot run."""
EXPECTED_SKIP_COUNT = 112  # 14 reference-needing cases × 8 edges

# Checks that fit models on the reference (training data), not compare it as another period:
# fitted on the data itself, a model may well beat a poor audited model on that same data.
_FITS_ON_REFERENCE = ("performance.benchmark",)

_VERDICTS = {Status.PASS, Status.INCONCLUSIVE, Status.WARN, Status.FAIL, Status.SKIPPED}
_NO_CHANGE = {Status.PASS, Status.INCONCLUSIVE, Status.SKIPPED}


@functools.cache
def _profiles(
    edge: str, reference: Reference
) -> tuple[Schema, DatasetProfile, DatasetProfile | None]:
    return _edges.profiles(edge, reference, CASES.values())


@functools.cache
def _run(label: str, edge: str, reference: Reference) -> tuple[Schema, list[CheckResult]]:
    """The check's results on an edge case (computed once, read by several tests)."""
    check = CASES[label]
    schema, cur, ref = _profiles(edge, reference)
    cur_w, ref_w = (
        _edges.windowed(edge, reference)
        if check.needs_windows or check.needs_rows
        else (None, None)
    )
    model, samples = (
        _edges.model_context(edge, reference, trees=check.id == "operations.pruning")
        if check.needs_model
        else (None, {})
    )
    ctx = CheckContext(
        model=model,
        model_samples=samples,
        current=cur,
        schema=schema,
        reference=ref,
        reference_schema=None if ref is None else schema,
        current_windows=cur_w,
        reference_windows=ref_w,
        # earlier periods: the data itself, as often as the check needs (it reads nothing else)
        history=[(f"p{k}", cur) for k in range(8)] if check.id == "quality.metric_history" else [],
    )
    out = check.compute(ctx)
    return schema, out if isinstance(out, list) else [out]


def _declared_check_ids() -> set[str]:
    """The ids assigned in class bodies under ``mlaudit/checks``, read from the source text."""
    ids: set[str] = set()
    for path in Path(mlaudit.checks.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and stmt.target.id == "id"
                    and isinstance(stmt.value, ast.Constant)
                ):
                    ids.add(stmt.value.value)
    return ids


def test_every_check_in_the_source_is_registered_and_covered() -> None:
    ids = [c.id for c in list_checks()]
    assert len(ids) == len(set(ids))
    assert set(ids) == _declared_check_ids()
    assert {c.id for c in CASES.values()} == set(ids)  # the contract runs every one of them
    for cls in list_checks():
        assert cls.id.startswith(f"{cls.family}."), cls.id
        assert cls.title, cls.id
        assert cls.why.strip(), cls.id


def test_expected_skips_are_named_and_counted() -> None:
    assert len(EXPECTED_SKIPS) == EXPECTED_SKIP_COUNT
    assert set(_NEEDS_REFERENCE) == {k for k, c in CASES.items() if c.needs_reference}
    for label, edge, reference in EXPECTED_SKIPS:  # every listed case is a case
        assert label in CASES and edge in EDGES and reference in REFERENCES
    assert set(CONFIGURED) <= {c.id for c in CASES.values()}


def test_every_check_reaches_a_verdict_on_some_edge() -> None:
    """No check is covered only by its "nothing to check" branch."""
    idle = set()
    for check_id in {c.id for c in CASES.values()}:
        labels = [k for k, c in CASES.items() if c.id == check_id]
        if not any(
            r.status is not Status.SKIPPED
            for label in labels
            for edge in EDGES
            for r in _run(label, edge, "typical")[1]
        ):
            idle.add(check_id)
    assert idle == set()


@pytest.mark.parametrize("reference", REFERENCES)
@pytest.mark.parametrize("edge", list(EDGES))
@pytest.mark.parametrize("label", list(CASES))
def test_check_survives_edge_case(label: str, edge: str, reference: Reference) -> None:
    if (label, edge, reference) in EXPECTED_SKIPS:
        pytest.skip(EXPECTED_SKIPS[label, edge, reference])
    check = CASES[label]
    schema, results = _run(label, edge, reference)
    assert results, f"{label} returned no result"
    for r in results:
        _assert_well_formed(check, r, schema)
        if check.needs_reference and reference == "itself" and check.id not in _FITS_ON_REFERENCE:
            assert r.status in _NO_CHANGE, f"{label} finds a change from data to itself: {r}"
    _assert_json_round_trip(results)


def _assert_well_formed(check: Check, r: CheckResult, schema: Schema) -> None:
    assert isinstance(r, CheckResult)
    assert r.id == check.id
    assert r.family == check.family
    assert r.message.strip(), f"{check.id}: empty message"
    assert r.status in _VERDICTS, f"{check.id}: {r.status}: {r.message}"
    assert r.column is None or r.column in schema, f"{check.id}: unknown column {r.column!r}"
    for name, value in r.metrics.items():
        assert value is None or (type(value) in (int, float) and math.isfinite(value)), name
    for name, bound in r.bounds.items():
        assert name in r.metrics, f"{check.id}: a bound on unreported metric {name!r}"
        if bound.low is not None and bound.high is not None:
            assert bound.low <= bound.high, f"{check.id}.{name}: {bound}"
    if r.threshold is not None:
        assert r.threshold.metric in r.metrics, f"{check.id}: threshold on {r.threshold.metric}"
    for d in r.details:
        _assert_detail_shape(check.id, d, schema)


def _assert_detail_shape(check_id: str, d: Any, schema: Schema) -> None:
    """Each detail's lengths agree: what the renderers rely on to draw it."""
    if d.kind in ("table", "examples"):
        assert all(len(row) == len(d.columns) for row in d.rows), (check_id, d.name)
    if d.kind == "examples":
        assert set(d.masked_columns) == set(schema.personal) & set(d.columns), check_id
    if d.kind == "series":
        for values in (*d.series.values(), *d.lower.values(), *d.upper.values()):
            assert len(values) == len(d.x), (check_id, d.name)
    if d.kind == "distribution":
        size = len(d.edges) - 1 if d.edges else len(d.categories)
        assert all(len(c) == size for c in d.counts.values()), (check_id, d.name)
    if d.kind == "curve":
        assert all(len(c["x"]) == len(c["y"]) for c in d.curves.values()), (check_id, d.name)


def _assert_json_round_trip(results: list[CheckResult]) -> None:
    """The results written as report.json read back to the same canonical text."""
    audit = AuditResult(
        run_id="contract",
        created_at="2025-01-01T00:00:00+00:00",
        finished_at="2025-01-01T00:00:00+00:00",
        mlaudit_version="0",
        inputs=[],
        config={},
        summary=AuditResult.summarise(results),
        checks=results,
    )
    text = dumps_canonical(audit)
    assert dumps_canonical(load_result(text)) == text


def test_empty_data_fails_row_count() -> None:
    _, results = _run("quality.row_count", "empty", "none")
    assert [r.status for r in results] == [Status.FAIL]
