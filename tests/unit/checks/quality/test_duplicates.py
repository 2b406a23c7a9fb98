"""quality.duplicate_rows and quality.duplicate_keys against pandas ``duplicated``."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.duplicate_keys import DuplicateKeys, duplicates_from_distinct
from mlaudit.checks.quality.duplicate_rows import DuplicateRows, duplicate_bounds
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import Status
from mlaudit.summary import ColumnSummary, DatasetProfile, ScanPlan, profile_frame


def _schema(df: pl.DataFrame, roles: dict[str, Role] | None = None) -> Schema:
    roles = roles or {}
    return Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype=str(df.schema[c]),
                type=ColumnType.ID if roles.get(c) == Role.ID else ColumnType.CATEGORICAL,
                role=roles.get(c, Role.FEATURE),
            )
            for c in df.columns
        ]
    )


def _ctx(df: pl.DataFrame, plan: ScanPlan | None = None, **roles: Role) -> CheckContext:
    schema = _schema(df, roles)
    return CheckContext(current=profile_frame(df, schema, plan), schema=schema)


def _rows(n: int, dups: int) -> pl.DataFrame:
    base = pl.DataFrame({"a": [f"r{i}" for i in range(n - dups)], "b": list(range(n - dups))})
    return pl.concat([base, base.head(dups)])


@pytest.mark.parametrize(
    ("n", "dups", "status"),
    [
        (100, 3, Status.FAIL),
        (200, 1, Status.WARN),
        (50, 0, Status.PASS),
        (100, 1, Status.WARN),
    ],
)
def test_duplicate_rows_share_and_status(n: int, dups: int, status: Status) -> None:
    df = _rows(n, dups)
    expected = int(df.to_pandas().duplicated().sum())
    r = DuplicateRows().compute(_ctx(df))
    assert r.metrics["duplicate_rows"] == expected == dups
    assert r.metrics["duplicate_share"] == dups / n
    assert r.status is status
    assert r.exact
    if dups:
        ex = r.details[0]
        assert ex.kind == "examples"
        assert len(ex.rows) >= 2
        assert ex.rows[0][1:] == ex.rows[1][1:]  # the same values, different row numbers
        assert f"{dups} of {n} rows" in r.message


def test_duplicate_rows_with_nulls_counts_like_pandas() -> None:
    df = pl.DataFrame({"a": [None, None, "x", "x", "y"], "b": [1, 1, None, None, 2]})
    r = DuplicateRows().compute(_ctx(df))
    assert r.metrics["duplicate_rows"] == int(df.to_pandas().duplicated().sum()) == 2


def test_duplicate_rows_approximate_has_bounds_and_inconclusive() -> None:
    schema = Schema(columns=[ColumnSchema(name="a", dtype="int64", type=ColumnType.INTEGER)])
    prof = DatasetProfile(
        n_rows=1_000_000, columns={}, duplicate_rows=8_000.0, duplicates_exact=False
    )
    r = DuplicateRows().compute(CheckContext(current=prof, schema=schema))
    assert not r.exact
    rse = 1.04 / math.sqrt(2**14)  # HLL with p = 14
    spread = 3 * rse * (1_000_000 - 8_000)
    b = r.bounds["duplicate_rows"]
    assert b.low == pytest.approx(0.0)
    assert b.high == pytest.approx(8_000 + spread)
    assert r.status is Status.WARN  # 0.8% lies below the 1% limit, but its bound reaches it
    assert "inconclusive" in r.message


def test_duplicate_bounds_clipped() -> None:
    assert duplicate_bounds(10, 9.0, 0.5) == (pytest.approx(7.5), 9.0)


def test_duplicate_rows_empty_skipped() -> None:
    r = DuplicateRows().compute(_ctx(_rows(5, 0).head(0)))
    assert r.status is Status.SKIPPED


# -- keys --------------------------------------------------------------------------------------


def test_id_role_columns_are_checked_by_default() -> None:
    df = pl.DataFrame(
        {"customer": ["c1", "c2", "c2", "c3", None, None, "c3", "c3"], "x": ["a"] * 8}
    )
    expected = int(df.to_pandas()["customer"].dropna().duplicated().sum())
    (r,) = DuplicateKeys().compute(_ctx(df, customer=Role.ID))
    assert r.column == "customer"
    assert r.metrics["duplicate_keys"] == expected == 3
    assert r.status is Status.FAIL
    assert "repeats in 3 of 8 rows" in r.message
    ex = r.details[0]
    assert ex.kind == "examples"
    assert sorted(row[1] for row in ex.rows) == ["c2", "c2", "c3", "c3", "c3"]


def test_composite_key_uses_scan_plan() -> None:
    df = pl.DataFrame(
        {"branch": ["A", "A", "B", "B", "A"], "loan": [1, 2, 1, 1, 1], "v": [1, 2, 3, 4, 5]}
    )
    check = DuplicateKeys(keys=[["branch", "loan"], ["v"]])
    plan = check.scan_plan(ScanPlan())
    assert plan.keys == [("branch", "loan"), ("v",)]
    assert check.scan_plan(plan).keys == plan.keys  # idempotent
    r_key, r_v = check.compute(_ctx(df, plan))  # type: ignore[misc]
    expected = int(df.to_pandas().duplicated(subset=["branch", "loan"]).sum())
    assert r_key.metrics["duplicate_keys"] == expected == 2
    assert r_key.column is None
    assert "key branch,loan" in r_key.message
    assert r_v.status is Status.PASS
    assert r_v.column == "v"


def test_composite_key_not_in_plan_is_skipped() -> None:
    df = pl.DataFrame({"a": [1, 1], "b": [2, 2]})
    (r,) = DuplicateKeys(keys=[["a", "b"]]).compute(_ctx(df))
    assert r.status is Status.SKIPPED
    assert "scan did not count" in r.message


def test_no_key_skips() -> None:
    r = DuplicateKeys().compute(_ctx(pl.DataFrame({"a": [1, 1]})))
    assert not isinstance(r, list)
    assert r.status is Status.SKIPPED


def test_duplicates_from_distinct_approximate() -> None:
    s = ColumnSummary(
        name="id",
        dtype="int64",
        type=ColumnType.ID,
        count=1000,
        null_count=0,
        distinct=990.0,
        distinct_exact=False,
        distinct_error=0.01,
    )
    dup, interval = duplicates_from_distinct(s)
    assert dup == 10.0
    assert interval == (pytest.approx(0.0), pytest.approx(10 + 3 * 0.01 * 990))


def test_large_unique_ids_pass_when_the_scan_counts_them() -> None:
    df = pl.DataFrame({"id": np.arange(50_000)})
    (r,) = DuplicateKeys().compute(_ctx(df, ScanPlan(keys=[("id",)]), id=Role.ID))
    assert r.status is Status.PASS
    assert r.metrics["duplicate_keys"] == 0
    assert r.exact


def test_without_scan_count_an_estimated_distinct_is_inconclusive() -> None:
    df = pl.DataFrame({"id": np.arange(50_000)})
    (r,) = DuplicateKeys().compute(_ctx(df, id=Role.ID))
    assert not r.exact
    assert "duplicate_keys" in r.bounds
    assert r.bounds["duplicate_keys"].low == 0  # the bound covers "no repeats"
    assert r.status is Status.WARN  # so a warning, never a failure, on an estimate
    assert "inconclusive" in r.message


def _survey(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "sex": rng.choice(["f", "m"], size=n).tolist(),
            "band": rng.choice(["a", "b", "c", "d"], size=n, p=[0.4, 0.3, 0.2, 0.1]).tolist(),
            "answer": rng.choice(["yes", "no", "maybe"], size=n).tolist(),
        }
    )


def _ref_ctx(cur: pl.DataFrame, ref: pl.DataFrame) -> CheckContext:
    schema = _schema(cur, {})
    return CheckContext(
        current=profile_frame(cur, schema), schema=schema, reference=profile_frame(ref, schema)
    )


def test_survey_repeats_explained_by_cardinalities_pass_without_reference() -> None:
    df = _survey(500, 1)
    pdf = df.to_pandas()
    r = DuplicateRows().compute(_ctx(df))
    assert r.metrics["duplicate_rows"] == int(pdf.duplicated().sum())
    # oracle: Monte Carlo of the same independent marginals (pandas value shares)
    rng = np.random.default_rng(0)
    shares = [pdf[c].value_counts(normalize=True) for c in pdf.columns]
    sims = [
        pl.DataFrame(
            {
                str(i): rng.choice(s.index.to_numpy(), size=500, p=s.to_numpy())
                for i, s in enumerate(shares)
            }
        )
        .to_pandas()
        .duplicated()
        .sum()
        for _ in range(400)
    ]
    assert r.metrics["expected_duplicates"] == pytest.approx(np.mean(sims), rel=0.02)
    assert r.status is Status.PASS
    assert "expected by chance" in r.message


def test_survey_with_reference_judges_the_change() -> None:
    ref, cur = _survey(400, 2), _survey(400, 3)
    r = DuplicateRows().compute(_ref_ctx(cur, ref))
    assert r.status is Status.PASS
    assert r.metrics["reference_duplicate_share"] == ref.to_pandas().duplicated().mean()


def test_new_duplicates_since_the_reference_are_found() -> None:
    from scipy.stats import norm

    ref = _rows(2_000, 0)
    cur = _rows(2_000, 30)  # 30 copies: 1.5 %
    r = DuplicateRows().compute(_ref_ctx(cur, ref))
    pooled = 30 / 4_000
    z = (30 / 2_000) / math.sqrt(pooled * (1 - pooled) * (2 / 2_000))
    assert r.metrics["p_value"] == pytest.approx(norm.sf(z), rel=1e-9)
    assert r.metrics["duplicate_share_increase"] == pytest.approx(0.015)
    assert r.status is Status.FAIL  # a significant rise above the 1 % limit
    few = DuplicateRows().compute(_ref_ctx(_rows(2_000, 10), ref))
    assert few.status is Status.WARN  # significant, below the 1 % limit
