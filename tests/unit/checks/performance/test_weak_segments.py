"""``performance.weak_segments``: planted segments found with their rule, clean data at the
nominal rate, figures against pandas and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats

from mlaudit import Audit
from mlaudit.results import CheckResult, Status, TableDetail

CHECK = "performance.weak_segments"
SCHEMA = {"target": "y", "prediction": "pred"}


def _data(seed: int, n: int, *, weak: float = 0.0, base: float = 0.1) -> pl.DataFrame:
    """Errors at rate ``base``, plus ``weak`` more in ``income < 30,000 and region = "north"``."""
    rng = np.random.default_rng(seed)
    income = rng.integers(10_000, 60_000, n)
    region = rng.choice(["north", "south", "east", "west"], n)
    age = rng.integers(18, 80, n)
    y = rng.integers(0, 2, n)
    err = rng.random(n) < base
    err |= (income < 30_000) & (region == "north") & (rng.random(n) < weak)
    pred = np.where(err, 1 - y, y)
    return pl.DataFrame({"income": income, "region": region, "age": age, "y": y, "pred": pred})


def _run(
    df: pl.DataFrame, schema: dict[str, object] | None = None, **options: object
) -> CheckResult:
    result = Audit(df, suite="none", checks={CHECK: options}, schema=schema or SCHEMA).run()
    return next(r for r in result.checks if r.id == CHECK)


def _table(res: CheckResult, name: str) -> TableDetail:
    return next(d for d in res.details if isinstance(d, TableDetail) and d.name == name)


def test_planted_segment_is_found_with_its_rule_and_scipy_figures() -> None:
    df = _data(0, 20_000, weak=0.3)
    res = _run(df)
    assert res.status is Status.FAIL, res.message
    table = _table(res, "weak_segments")
    rule, rows, share, rate, low, high, diff, p, q = table.rows[0]
    assert rule == 'income < 30,000 and region = "north"'
    assert len(table.rows) == 1  # nothing else: the overlapping slices are explained by it
    pdf = df.to_pandas()
    err = pdf["y"] != pdf["pred"]
    inside = (pdf["income"] < 30_000) & (pdf["region"] == "north")
    assert rows == int(inside.sum())
    assert share == pytest.approx(inside.mean())
    assert rate == pytest.approx(err[inside].mean())
    assert diff == pytest.approx(err[inside].mean() - err.mean())
    k, n = int(err[inside].sum()), int(inside.sum())
    table2 = [[k, n - k], [int(err[~inside].sum()), int((~err[~inside]).sum())]]
    assert p == pytest.approx(stats.fisher_exact(table2, alternative="greater").pvalue, rel=1e-6)
    tested = res.metrics["segments_tested"]
    assert isinstance(tested, int)
    assert p <= q <= min(1.0, p * tested)
    ci = stats.binomtest(k, n).proportion_ci(method="wilson")
    assert (low, high) == pytest.approx((ci.low, ci.high))
    assert res.metrics["error_rate"] == pytest.approx(err.mean())
    assert 'income < 30,000 and region = "north"' in res.message


def test_error_tree_leaves_cover_the_sample_and_point_at_the_segment() -> None:
    df = _data(1, 20_000, weak=0.3)
    leaves = _table(_run(df), "error_tree")
    assert sum(r[1] for r in leaves.rows) == df.height
    worst = str(leaves.rows[0][0])
    assert 'region = "north"' in worst and "income ≤ " in worst
    pdf = df.to_pandas()
    rates = [r[2] for r in leaves.rows]
    assert rates == sorted(rates, reverse=True)
    overall = (pdf["y"] != pdf["pred"]).mean()
    weighted = sum(r[1] * r[2] for r in leaves.rows) / df.height
    assert weighted == pytest.approx(overall)


def test_clean_data_warns_at_most_at_the_nominal_rate() -> None:
    alpha, seeds = 0.1, range(30)
    flagged = sum(
        _run(_data(seed, 3_000), alpha=alpha, min_rows=30).status is not Status.PASS
        for seed in seeds
    )
    # BH under the global null: P(any flag) <= alpha; P(Binomial(30, 0.1) >= 8) < 0.01
    assert flagged <= 7, flagged


def test_regression_segment_uses_welch_on_absolute_errors() -> None:
    rng = np.random.default_rng(7)
    n = 8_000
    x = rng.uniform(0, 100, n)
    group = rng.choice(["a", "b", "c"], n)
    y = rng.normal(50, 10, n)
    noise = rng.normal(0, 1, n) * np.where((group == "c") & (x >= 50), 4.0, 1.0)
    df = pl.DataFrame({"x": x, "group": group, "y": y, "pred": y + noise})
    res = _run(df, min_rows=100, bins=4)  # quartiles: the median is a cut point
    assert res.status is Status.FAIL, res.message
    rule, rows, _, mae, *_rest, p, _q = _table(res, "weak_segments").rows[0]
    assert rule == 'x ≥ 50 and group = "c"'
    pdf = df.to_pandas()
    ae = (pdf["y"] - pdf["pred"]).abs()
    inside = (pdf["x"] >= 50) & (pdf["group"] == "c")
    assert rows == int(inside.sum())
    assert mae == pytest.approx(ae[inside].mean())
    oracle = stats.ttest_ind(ae[inside], ae[~inside], equal_var=False, alternative="greater")
    assert p == pytest.approx(oracle.pvalue, rel=1e-6)
    assert res.metrics["mean_absolute_error"] == pytest.approx(ae.mean())


def test_score_only_binary_model_uses_the_declared_threshold() -> None:
    df = _data(2, 10_000, weak=0.4)
    rng = np.random.default_rng(2)
    pred = df["pred"].to_numpy()
    score = np.where(pred == 1, rng.uniform(0.6, 1.0, df.height), rng.uniform(0.0, 0.6, df.height))
    df = df.drop("pred").with_columns(pl.Series("score", score))
    res = _run(df, {"target": "y", "score": "score", "score_threshold": 0.6})
    assert _table(res, "weak_segments").rows[0][0] == 'income < 30,000 and region = "north"'


def test_personal_columns_are_not_sliced() -> None:
    df = _data(3, 10_000, weak=0.4)
    names = np.where(df["region"].to_numpy() == "north", "Alice Smith", "Bob Jones")
    df = df.with_columns(pl.Series("full_name", names))
    res = _run(df, {**SCHEMA, "personal": ["full_name"]})
    text = res.model_dump_json()
    assert "Alice" not in text and "full_name =" not in text
    assert any(d.kind == "note" and "full_name" in d.text for d in res.details)  # type: ignore[union-attr]


def test_multiclass_error_rate() -> None:
    rng = np.random.default_rng(9)
    n = 6_000
    g = rng.choice(["a", "b"], n)
    y = rng.choice(["x", "y", "z"], n)
    wrong = rng.random(n) < np.where(g == "b", 0.4, 0.1)
    pred = np.where(wrong, np.roll(y, 1), y)
    wrong = pred != y
    df = pl.DataFrame({"g": g, "y": y, "pred": pred})
    res = _run(df)
    row = _table(res, "weak_segments").rows[0]
    assert row[0] == 'g = "b"'
    assert row[3] == pytest.approx(pd.Series(wrong)[g == "b"].mean())


def test_larger_sample_is_asked_for() -> None:
    df = _data(4, 30_000, weak=0.3)
    res = _run(df, sample_rows=30_000)
    assert res.metrics["sample_rows"] == 30_000
    assert _run(df).metrics["sample_rows"] == 20_000


@pytest.mark.parametrize(
    ("schema", "dropped", "reason"),
    [
        ({"prediction": "pred"}, "y", "no target"),
        ({"target": "y"}, "pred", "no prediction or score"),
    ],
)
def test_skips_without_model_columns(schema: dict[str, object], dropped: str, reason: str) -> None:
    res = _run(_data(5, 500).drop(dropped), schema)
    assert res.status is Status.SKIPPED and reason in res.message
