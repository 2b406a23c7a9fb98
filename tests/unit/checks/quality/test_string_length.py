"""quality.string_length: counts by pandas' ``str.len``, chance by scipy's hypergeometric law."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.string_length import StringLength
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import CheckResult, Severity, Status, TableDetail
from mlaudit.summary import profile_frame


def _schema(personal: bool = False) -> Schema:
    col = ColumnSchema(
        name="v", dtype="large_string", type=ColumnType.TEXT, role=Role.FEATURE, personal=personal
    )
    return Schema(columns=[col])


def _run(
    values: list[str | None],
    reference: list[str | None] | None = None,
    personal: bool = False,
    **options: object,
) -> CheckResult:
    schema = _schema(personal)

    def prof(v: list[str | None]):  # type: ignore[no-untyped-def]
        return profile_frame(pl.DataFrame({"v": v}, schema={"v": pl.String}), schema)

    ref = prof(reference) if reference is not None else None
    ctx = CheckContext(current=prof(values), schema=schema, reference=ref)
    (r,) = StringLength.model_validate(options).compute(ctx)
    return r


def _codes(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"AB{int(x):08d}" for x in rng.integers(0, 10**8, n)]


def test_declared_bounds_count_what_pandas_counts() -> None:
    rng = np.random.default_rng(1)
    values = ["x" * int(n) for n in rng.integers(0, 30, 1000)]
    r = _run(values, bounds={"v": [3, 20]})
    s = pl.Series(values).to_pandas().str.len()
    out = int(((s > 20) | ((s >= 1) & (s < 3))).sum())  # empty values are missing, not short
    assert r.metrics["values"] == int((s >= 1).sum())
    assert r.metrics["out_of_bounds"] == out
    assert r.status is Status.FAIL  # far more than 1 %
    assert r.metrics["out_of_bounds_share"] == pytest.approx(out / int((s >= 1).sum()))


def test_a_400_character_value_in_a_code_column_against_the_reference() -> None:
    cur = [*_codes(2000), "Z" * 400]
    r = _run(cur, _codes(2000, seed=1))
    assert r.status is Status.WARN  # 1 of 2001: above warn (0), below fail (1 %)
    assert (r.metrics["out_of_bounds"], r.metrics["upper_bound"]) == (1, 20)
    (table,) = r.details
    assert isinstance(table, TableDetail)
    assert table.rows[0][1:] == [400, "longer than the bound"]
    assert len(str(table.rows[0][0])) <= 60


def test_one_value_just_beyond_the_reference_is_chance() -> None:
    r = _run([*_codes(1000), "AB123456789"], _codes(1000, seed=1))
    assert r.status is Status.PASS
    assert r.metrics["beyond_reference_values"] == 1
    # C(m, k) / C(n + m, k): the k longest pooled values all current, by scipy's hypergeom
    assert r.metrics["p_value"] == pytest.approx(stats.hypergeom(2001, 1001, 1).pmf(1))


def test_values_just_beyond_the_reference_are_evidence_not_a_finding() -> None:
    cur = _codes(970) + ["AB123456789"] * 30
    r = _run(cur, _codes(1000, seed=1))
    k = 30
    assert r.metrics["beyond_reference_values"] == k
    assert r.metrics["p_value"] == pytest.approx(stats.hypergeom(2000, 1000, k).pmf(k))
    assert r.status is Status.PASS  # 11 characters: within twice the reference's longest (20)


def test_missing_markers_are_not_lengths() -> None:
    r = _run([*_codes(500), "N/A", "unknown", "  "], _codes(500, seed=2))
    assert r.metrics["values"] == 500
    assert r.status is Status.PASS


def test_shorter_values_against_the_reference() -> None:
    r = _run([*_codes(500), "AB1", ""], _codes(500, seed=2))
    assert r.metrics["out_of_bounds"] == 1  # 'AB1' is below half of 10; '' is missing
    assert r.details[0].rows[0][1:] == [3, "shorter than the bound"]  # type: ignore[union-attr]


def test_without_reference_only_extreme_lengths_warn() -> None:
    cur = [*_codes(5000), "Z" * 400, "AB1234567890123"]
    r = _run(cur)
    q99 = float(np.quantile([len(v) for v in cur], 0.99, method="inverted_cdf"))
    assert r.metrics["q99_length"] == q99 == 10
    assert r.metrics["upper_bound"] == max(5 * q99, q99 + 20)
    assert r.status is Status.WARN and r.severity is Severity.LOW
    assert r.metrics["out_of_bounds"] == 1


def test_free_text_without_reference_passes() -> None:
    rng = np.random.default_rng(3)
    lengths = np.minimum(rng.lognormal(3, 0.8, 5000).astype(int) + 1, 2000)
    assert _run(["w" * int(n) for n in lengths]).status is Status.PASS


def test_a_bound_inside_a_length_bucket_is_inconclusive() -> None:
    values = ["x" * 10] * 100 + ["x" * 1490, "x" * 1495]  # one bucket: 1472..1503
    r = _run(values, bounds={"v": [None, 1480]})
    assert r.status is Status.INCONCLUSIVE
    assert (r.metrics["out_of_bounds"], r.metrics["possibly_out_of_bounds"]) == (0, 2)
    exact = _run(values, bounds={"v": [None, 1503]})
    assert exact.status is Status.PASS


def test_personal_examples_are_shapes() -> None:
    r = _run(["Jane Doe"] * 20 + ["Jane Doe Smith" * 30], personal=True, bounds={"v": [1, 20]})
    assert r.status is Status.FAIL  # 1 of 21 values
    assert "Jane" not in str(r.model_dump())


def test_bounds_out_of_order_or_negative_are_refused() -> None:
    with pytest.raises(ValueError, match="above"):
        StringLength.model_validate({"bounds": {"v": [5, 2]}})
    with pytest.raises(ValueError):
        StringLength.model_validate({"bounds": {"v": [-1, 2]}})
