"""quality.value_range on a column that turned into text: its numbers are still checked."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.checks.quality.value_range import text_outside
from mlaudit.data import Dataset
from mlaudit.data._schema import infer_schema
from mlaudit.results import CheckResult, Status
from mlaudit.summary import ScanPlan, from_bytes, merge, profile_frame, to_bytes

_CHECKS = ("quality.value_range", "quality.mixed_types", "quality.type_conformance")


def _ages(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(18, 90, n)


def _run(cur: pl.DataFrame, ref: pl.DataFrame | None, **opts: object) -> dict[str, CheckResult]:
    checks = {c: {} for c in _CHECKS} | {"quality.value_range": dict(opts)}
    result = Audit(cur, reference=ref, suite="none", checks=checks).run()
    return {r.id: r for r in result.checks if r.column == "age"}


def _current() -> tuple[pl.DataFrame, list[str]]:
    ages = [str(a) for a in _ages(2, 995)] + ["-5", "unknown", " 130", "unknown", "n/a"]
    return pl.DataFrame({"age": ages}), ages


def test_a_breach_among_text_values_is_reported_against_the_reference() -> None:
    ref = pl.DataFrame({"age": _ages(1, 1_000)})
    cur, ages = _current()
    res = _run(cur, ref)
    vr = res["quality.value_range"]
    numbers = np.array([float(a) for a in ages if a.strip().lstrip("-").isdigit()])
    lo, hi = ref["age"].min(), ref["age"].max()
    assert vr.metrics["below"] == int((numbers < lo).sum()) == 1  # the -5
    assert vr.metrics["above"] == int((numbers > hi).sum()) == 1  # the 130
    # one value beyond each reference extreme is what chance gives (exchangeability, m = the
    # 997 numbers of the current): p = 2 * C(m, 1) / C(n + m, 1), by hand
    assert vr.metrics["p_value"] == pytest.approx(2 * 997 / 1997, rel=1e-12)
    assert vr.exact and vr.status is Status.PASS
    assert "1 below and 1 above" in vr.message
    assert "holds text" in vr.message
    examples = [d for d in vr.details if d.kind == "examples"]
    assert examples and {row[-1] for row in examples[0].rows} == {"-5", " 130"}
    # the words are the type checks' business
    assert res["quality.mixed_types"].status is not Status.PASS
    assert "unknown" in str(res["quality.mixed_types"].model_dump())


def test_declared_bounds_count_the_numbers_of_a_text_column() -> None:
    cur, _ = _current()
    res = _run(cur, None, bounds={"age": [0, 120]})
    vr = res["quality.value_range"]
    assert (vr.metrics["outside"], vr.status) == (2, Status.FAIL)
    assert vr.exact
    assert "2 of 1,000 values" in vr.message and "1 below and 1 above" in vr.message


def test_capped_counts_bound_the_error_and_extremes_merge() -> None:
    cur, _ = _current()
    schema = infer_schema(Dataset(cur))
    plan = ScanPlan(category_cap=10)
    prof = merge(profile_frame(cur[:500], schema, plan), profile_frame(cur[500:], schema, plan))
    col = prof.columns["age"]
    assert col.text is not None and col.categories is not None and not col.categories.exact
    assert (col.text.numeric_like_min, col.text.numeric_like_max) == (-5.0, 130.0)
    assert col.text.numeric_like_count == 997
    found = text_outside(col, 0.0, 120.0)
    assert found.error > 0
    assert found.total - found.error <= 2 <= found.total + found.error
    assert text_outside(col, -10.0, 200.0).total == 0
    assert from_bytes(to_bytes(prof)).columns["age"].text == col.text  # saved and read back


@pytest.mark.parametrize("bounds", [(-10.0, 200.0), (None, None)])
def test_numbers_inside_are_nothing_outside(bounds: tuple[float | None, float | None]) -> None:
    cur, _ = _current()
    prof = profile_frame(cur, infer_schema(Dataset(cur)))
    assert text_outside(prof.columns["age"], *bounds).total == 0
