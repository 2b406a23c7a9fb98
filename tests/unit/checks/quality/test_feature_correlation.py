"""quality.feature_correlation on generated frames whose associations are known by construction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats
from typer.testing import CliRunner

from mlaudit import Audit
from mlaudit.cli import app
from mlaudit.results import CheckResult, Status

_CHECK = "quality.feature_correlation"


def _run(
    cur: pl.DataFrame, ref: pl.DataFrame | Path | None = None, **options: object
) -> CheckResult:
    audit = Audit(cur, reference=ref, suite="none", checks={_CHECK: options})
    (result,) = audit.run().checks
    return result


def _independent(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "income": rng.lognormal(10, 0.5, n),
            "age": rng.integers(18, 80, n),
            "balance": rng.normal(0, 1, n),
            "region": rng.choice(["north", "south", "east"], n),
            "channel": rng.choice(["web", "branch"], n),
        }
    )


def test_independent_features_pass() -> None:
    r = _run(_independent(5_000, 0))
    assert r.status is Status.PASS, r.message
    assert r.metrics["numeric_features"] == 3 and r.metrics["categorical_features"] == 2
    assert r.metrics["redundant_pairs"] == 0


def test_a_near_duplicate_feature_is_reported_with_its_pearson_r() -> None:
    df = _independent(5_000, 1)
    df = df.with_columns(
        income_k=pl.col("income") / 1000 + np.random.default_rng(2).normal(0, 0.01, 5_000)
    )
    r = _run(df)
    assert r.status is Status.WARN
    assert "income and income_k" in r.message and "variance inflation" in r.message
    expected = stats.pearsonr(df["income"], df["income_k"]).statistic
    top = next(d for d in r.details if d.name == "top_pairs").rows[0]
    assert top[:3] == ["income", "income_k", "Pearson r"]
    assert top[3] == pytest.approx(round(expected, 4))


def test_a_coded_copy_of_a_category_is_reported_with_cramers_v_1() -> None:
    df = _independent(3_000, 3)
    df = df.with_columns(
        region_code=pl.col("region").replace({"north": "N", "south": "S", "east": "E"})
    )
    r = _run(df)
    assert r.status is Status.WARN
    assert "region and region_code (Cramér's V 1.000)" in r.message


def test_a_number_fixed_by_a_category_is_reported_with_eta() -> None:
    df = _independent(3_000, 4)
    df = df.with_columns(
        fee=pl.col("channel").replace_strict({"web": 1.0, "branch": 5.0}, return_dtype=pl.Float64)
    )
    r = _run(df)
    assert r.status is Status.WARN
    assert "channel and fee (eta 1.000)" in r.message


def test_a_correlation_that_changed_is_listed_against_the_reference() -> None:
    ref = _independent(4_000, 5)
    rng = np.random.default_rng(6)
    cur = _independent(4_000, 7)
    cur = cur.with_columns(balance=(pl.col("age") - 50) / 18 + pl.Series(rng.normal(0, 0.8, 4_000)))
    r = _run(cur, ref)
    assert r.status is Status.WARN
    assert r.metrics["changed_pairs"] == 1
    (row,) = next(d for d in r.details if d.name == "changed_pairs").rows
    assert row[:2] == ["age", "balance"]
    # the Fisher z test by hand, times the 3 numeric pairs tested (Holm's first step)
    rc, rr = (
        stats.pearsonr(cur["age"], cur["balance"])[0],
        stats.pearsonr(ref["age"], ref["balance"])[0],
    )
    z = (np.arctanh(rc) - np.arctanh(rr)) / np.sqrt(2 / (4_000 - 3))
    assert row[5] == pytest.approx(min(1.0, 3 * 2 * stats.norm.sf(abs(z))), abs=1e-300)


def test_the_same_distribution_in_both_periods_changes_nothing() -> None:
    r = _run(_independent(4_000, 8), _independent(4_000, 9))
    assert r.status is Status.PASS, r.message
    assert r.metrics["changed_pairs"] == 0


def test_fewer_than_two_features_is_skipped() -> None:
    r = _run(pl.DataFrame({"x": [1.0, 2.0, 3.0]}))
    assert r.status is Status.SKIPPED


def test_a_saved_profile_of_the_reference_compares_the_pairs_too(tmp_path: Path) -> None:
    ref = _independent(4_000, 10)
    cur = _independent(4_000, 11).with_columns(
        balance=(pl.col("age") - 50) / 18
        + pl.Series(np.random.default_rng(12).normal(0, 0.8, 4_000))
    )
    data, path = tmp_path / "ref.parquet", tmp_path / "ref.profile"
    ref.write_parquet(data)
    done = CliRunner().invoke(app, ["-q", "profile", str(data), "--out", str(path)])
    assert done.exit_code == 0, done.output
    r = _run(cur, path)
    assert r.metrics["changed_pairs"] == 1, r.message
