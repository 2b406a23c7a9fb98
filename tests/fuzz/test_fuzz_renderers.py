"""The renderers fuzzed: random AuditResult content (names, messages, metrics with NaN, inf
and huge values, tables, examples, distributions, series, curves) through HTML (with charts),
Markdown, JUnit and JSON, written as one set.

Invariant: every format is written and the manifest matches, or a clear MLAuditError; the JSON
report reads back.  Column names and text may hold control characters (they once aborted the
chart renderer: issue 10, item 2)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mlaudit import AuditResult, CheckResult, Severity, Status, load_result
from mlaudit.report import FILE_NAMES
from mlaudit.results import (
    Bound,
    CurveDetail,
    DistributionDetail,
    ExamplesDetail,
    InputInfo,
    NoteDetail,
    SeriesDetail,
    TableDetail,
    Threshold,
)
from tests.fuzz._invariant import assert_whole_set
from tests.fuzz._strategies import names
from tests.fuzz.conftest import Counter, examples

pytestmark = pytest.mark.fuzz

_chars = st.characters(blacklist_categories=("Cs",))
words = st.one_of(
    st.text(_chars, max_size=30), st.sampled_from(["<script>x</script>", "a|b", "]]>", "*_`#"])
)
numbers = st.one_of(
    st.none(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
finite = st.floats(allow_nan=False, allow_infinity=False)
cells = st.one_of(words, numbers, st.booleans())


@st.composite
def tables(draw: st.DrawFn, kind: type[TableDetail] | type[ExamplesDetail]) -> Any:
    cols = draw(st.lists(names, min_size=1, max_size=4))
    rows = draw(st.lists(st.lists(cells, min_size=len(cols), max_size=len(cols)), max_size=5))
    return kind(name=draw(words), title=draw(words), columns=cols, rows=rows)


@st.composite
def distributions(draw: st.DrawFn) -> DistributionDetail:
    bins = draw(st.integers(1, 6))
    counts = st.lists(st.floats(0, 1e12), min_size=bins, max_size=bins)
    samples = draw(
        st.dictionaries(st.sampled_from(["reference", "current", "w1"]), counts, min_size=1)
    )
    if draw(st.booleans()):
        edges = sorted(draw(st.lists(finite, min_size=bins + 1, max_size=bins + 1)))
        return DistributionDetail(name="d", column=draw(names), edges=edges, counts=samples)
    cats = draw(st.lists(words, min_size=bins, max_size=bins))
    return DistributionDetail(name="d", column=draw(names), categories=cats, counts=samples)


@st.composite
def series(draw: st.DrawFn) -> SeriesDetail:
    n = draw(st.integers(0, 6))
    values = st.lists(numbers, min_size=n, max_size=n)
    x = draw(st.lists(st.one_of(words, finite), min_size=n, max_size=n))
    return SeriesDetail(
        name=draw(words),
        x=x,
        series=draw(st.dictionaries(names, values, min_size=1, max_size=3)),
        limits=draw(st.dictionaries(st.sampled_from(["warn", "fail"]), finite)),
    )


@st.composite
def curves(draw: st.DrawFn) -> CurveDetail:
    n = draw(st.integers(0, 6))
    xy = st.lists(finite, min_size=n, max_size=n)
    return CurveDetail(name=draw(words), curves={draw(names): {"x": draw(xy), "y": draw(xy)}})


details = st.one_of(
    tables(TableDetail),
    tables(ExamplesDetail),
    st.builds(NoteDetail, name=words, text=words),
    distributions(),
    series(),
    curves(),
)


@st.composite
def check_results(draw: st.DrawFn) -> CheckResult:
    family = draw(st.sampled_from(["quality", "drift", "performance", "fairness", "custom"]))
    metrics = draw(st.dictionaries(st.text(_chars, min_size=1, max_size=12), numbers, max_size=4))
    metric = next(iter(metrics), "m")
    return CheckResult(
        id=f"{family}.{draw(st.sampled_from(['completeness', 'univariate', 'x', 'outliers']))}",
        family=family,
        title=draw(words),
        status=draw(st.sampled_from(list(Status))),
        severity=draw(st.sampled_from(list(Severity))),
        column=draw(st.one_of(st.none(), names)),
        metrics=metrics,
        bounds={metric: Bound(low=draw(numbers), high=draw(numbers))}
        if draw(st.booleans())
        else {},
        exact=draw(st.booleans()),
        threshold=Threshold(metric=metric, warn=draw(numbers), fail=draw(numbers)),
        message=draw(st.text(_chars, max_size=300)),
        why=draw(words),
        details=draw(st.lists(details, max_size=3)),
        params=draw(st.dictionaries(words, st.one_of(words, numbers), max_size=3)),
    )


@st.composite
def audit_results(draw: st.DrawFn) -> AuditResult:
    checks = draw(st.lists(check_results(), max_size=6))
    cols = draw(st.lists(names, max_size=5, unique=True))
    info = InputInfo(
        name="current",
        source=draw(words),
        format="csv",
        fingerprint="sha256:0",
        rows=draw(st.integers(0, 10**12)),
        columns=len(cols),
        schema={c: {"type": "numeric", "role": "feature"} for c in cols},
    )
    return AuditResult(
        run_id="fuzz",
        created_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:01+00:00",
        mlaudit_version="0+fuzz",
        inputs=[info],
        config={"title": draw(words), "seed": 0},
        summary=AuditResult.summarise(checks),
        checks=checks,
    )


def _one(check: CheckResult) -> AuditResult:
    return AuditResult(
        run_id="fuzz",
        created_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:01+00:00",
        mlaudit_version="0+fuzz",
        inputs=[],
        config={},
        summary=AuditResult.summarise([check]),
        checks=[check],
    )


# Found by this test: a long curve name of emoji, cut by Vega between the halves of a surrogate
# pair, made vl-convert fail and the whole report set was lost.
EMOJI_CURVE = _one(
    CheckResult(
        id="performance.roc",
        family="performance",
        title="ROC",
        status=Status.PASS,
        message="",
        details=[CurveDetail(name="c", curves={"\U0001f600" * 60: {"x": [0.0], "y": [0.0]}})],
    )
)


# Found by this test: one x value beyond 2**52, where the axis' padding of 0.5 was lost in
# rounding and the position divided by zero.
HUGE_X = _one(
    CheckResult(
        id="drift.over_time",
        family="drift",
        title="t",
        status=Status.PASS,
        message="",
        details=[SeriesDetail(name="s", x=[4503599627370498.0], series={"0": [None]})],
    )
)


@settings(max_examples=examples(30))
@given(result=audit_results())
@example(result=EMOJI_CURVE)
@example(result=HUGE_X)
def test_any_result_renders_as_a_whole_set_in_every_format(
    cases: Counter, result: AuditResult
) -> None:
    cases()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        assert_whole_set(result, out)
        back = load_result(out / FILE_NAMES["json"])
        assert [c.id for c in back.checks] == [c.id for c in result.checks]
