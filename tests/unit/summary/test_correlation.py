"""The scan's pair summaries against pandas, scipy and statsmodels (used only as oracles here).

statsmodels is a dev dependency; without it the VIF test errors out, it never skips.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats
from scipy.stats import contingency
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.tools import add_constant

from mlaudit.checks.quality._association import (
    category_moments,
    cramers_v,
    eta,
    spearman_matrix,
    vif,
)
from mlaudit.data import ColumnSchema, ColumnType, Role, Schema, infer_schema
from mlaudit.summary import LEVEL_CAP, ProfileBuilder, ScanPlan, from_bytes, to_bytes
from mlaudit.summary._correlation import Correlations

_PLAN = ScanPlan(correlations=True)


def _frame(n: int = 4_000, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n) * 3 + 1e7  # a large mean: sums of squares must not lose digits
    b = 0.7 * (a - 1e7) + rng.normal(size=n)
    c = np.exp(rng.normal(size=n))
    d = rng.integers(0, 5, n).astype(float)
    a[rng.random(n) < 0.1] = np.nan
    c[rng.random(n) < 0.2] = np.nan
    g = rng.choice(["x", "y", "z"], n)
    h = np.where(rng.random(n) < 0.7, g, rng.choice(["p", "q"], n))
    return pl.DataFrame(
        {"a": a, "b": b, "c": c, "d": d, "g": g, "h": h}, nan_to_null=False
    ).with_columns(
        pl.when(pl.int_range(n) % 97 == 0).then(None).otherwise(pl.col("g")).alias("g"),
    )


def _schema(df: pl.DataFrame) -> Schema:
    cols = [c.model_copy(update={"role": Role.FEATURE}) for c in infer_schema(df).columns]
    return Schema(columns=cols)


def _corr(df: pl.DataFrame, chunk: int | None = None) -> Correlations:
    b = ProfileBuilder(_schema(df), _PLAN)
    for batch in df.to_arrow().to_batches(max_chunksize=chunk or df.height):
        b.add(batch)
    corr = b.finish().correlations
    assert corr is not None
    return corr


def test_pearson_is_pandas_pairwise_complete_to_1e9() -> None:
    df = _frame()
    corr = _corr(df)
    assert corr.numeric == ["a", "b", "c", "d"]
    expected = df.select(corr.numeric).to_pandas().corr()  # pairwise complete, as documented
    np.testing.assert_allclose(corr.pearson(), expected.to_numpy(), atol=1e-9)
    both = df.select("a", "c").drop_nulls().fill_nan(None).drop_nulls()
    assert corr.n[0, 2] == both.height
    assert corr.pearson()[0, 2] == pytest.approx(stats.pearsonr(both["a"], both["c"])[0], abs=1e-9)


@pytest.mark.parametrize("chunk", [7, 250])
def test_batches_merge_to_one_batch(chunk: int) -> None:
    df = _frame(700)
    whole, parts = _corr(df), _corr(df, chunk)
    for name in ("n", "mean", "m2", "c"):
        np.testing.assert_allclose(getattr(parts, name), getattr(whole, name), rtol=1e-9, atol=1e-6)
    assert parts.levels == whole.levels
    for pair, table in whole.tables.items():
        np.testing.assert_array_equal(parts.tables[pair], table)


def test_saved_profile_round_trips_the_pairs() -> None:
    df = _frame(500)
    b = ProfileBuilder(_schema(df), _PLAN)
    b.add(df)
    prof = b.finish()
    back = from_bytes(to_bytes(prof)).correlations
    assert back is not None and prof.correlations is not None
    np.testing.assert_array_equal(back.c, prof.correlations.c)
    assert back.levels == prof.correlations.levels
    for pair, table in prof.correlations.tables.items():
        np.testing.assert_array_equal(back.tables[pair], table)


def test_cramers_v_is_scipy_association_on_the_crosstab() -> None:
    df = _frame()
    corr = _corr(df)
    table = corr.tables[("g", "h")]
    expected = pd.crosstab(df["g"].to_pandas(), df["h"].to_pandas()).to_numpy()
    np.testing.assert_array_equal(table, expected)  # nulls dropped pairwise
    assert cramers_v(table) == pytest.approx(
        contingency.association(expected, method="cramer"), abs=1e-12
    )
    chi2 = stats.chi2_contingency(expected, correction=False)[0]
    assert cramers_v(table) == pytest.approx(np.sqrt(chi2 / (expected.sum() * 2)), abs=1e-12)


def test_eta_is_the_hand_formula_over_pandas_groups() -> None:
    df = _frame()
    pdf = df.select("h", "c").to_pandas().dropna()
    grand = pdf["c"].mean()
    sizes, means = pdf.groupby("h")["c"].size(), pdf.groupby("h")["c"].mean()
    between = float((sizes * (means - grand) ** 2).sum())
    expected = np.sqrt(between / float(((pdf["c"] - grand) ** 2).sum()))
    value, rows = eta(category_moments(df, "h", ["c"])["c"])
    assert rows == len(pdf)
    assert value == pytest.approx(expected, abs=1e-9)


def test_vif_is_statsmodels_with_a_constant() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1_000, 4))
    x[:, 3] = x[:, 0] + 0.5 * x[:, 1] + 0.3 * rng.normal(size=1_000)
    df = pl.DataFrame(x, schema=["p", "q", "r", "s"])
    corr = _corr(df, 300)
    design = add_constant(x)
    expected = [variance_inflation_factor(design, i) for i in range(1, 5)]
    np.testing.assert_allclose(vif(corr.pearson()), expected, rtol=1e-9)


def test_vif_of_an_exact_copy_is_infinite() -> None:
    r = np.array([[1.0, 1.0, 0.2], [1.0, 1.0, 0.2], [0.2, 0.2, 1.0]])
    assert np.isinf(vif(r)[:2]).all()


def test_spearman_is_scipy_and_pandas_on_complete_rows() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=500)
    df = pl.DataFrame(
        {"u": x, "v": np.exp(x) + rng.normal(size=500) * 0.1, "w": rng.integers(0, 4, 500)}
    )
    rho, n = spearman_matrix(df)
    expected = stats.spearmanr(df.to_numpy()).statistic
    np.testing.assert_allclose(rho, expected, atol=1e-9)  # ties in w: average ranks
    np.testing.assert_allclose(rho, df.to_pandas().corr(method="spearman").to_numpy(), atol=1e-9)
    assert (n == 500).all()


def test_personal_columns_and_wide_categories_are_left_out() -> None:
    rng = np.random.default_rng(1)
    n = 300
    df = pl.DataFrame(
        {
            "income": rng.normal(size=n),
            "age": rng.normal(size=n),
            "code": [f"c{i % (LEVEL_CAP + 1)}" for i in range(n)],
            "kind": rng.choice(["a", "b"], n),
        }
    )
    cols = [
        ColumnSchema(name="income", dtype="double", type=ColumnType.NUMERIC, personal=True),
        ColumnSchema(name="age", dtype="double", type=ColumnType.NUMERIC),
        ColumnSchema(name="code", dtype="large_string", type=ColumnType.CATEGORICAL),
        ColumnSchema(name="kind", dtype="large_string", type=ColumnType.CATEGORICAL),
    ]
    b = ProfileBuilder(Schema(columns=cols), _PLAN)
    for batch in df.to_arrow().to_batches(max_chunksize=40):  # no batch holds every code
        b.add(batch)
    corr = b.finish().correlations
    assert corr is not None
    assert corr.numeric == ["age"]
    assert corr.over_cap == ["code"] and list(corr.levels) == ["kind"]


def test_fisher_z_widening_is_one_for_normal_data_and_larger_for_heavy_tails() -> None:
    from mlaudit.checks.quality._association import kurtosis_factor

    rng = np.random.default_rng(11)
    xy = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=200_000)
    k = kurtosis_factor(pl.DataFrame(xy, schema=["x", "y"]))
    assert k[0, 1] == pytest.approx(1.0, abs=0.03)
    # a shared heavy-tailed scale (bivariate t with 5 degrees of freedom): Var(r) is wider;
    # the oracle is the spread of r over 2,000 simulated samples of 500 rows
    w = np.sqrt(5 / rng.chisquare(5, size=(2_000, 500, 1)))
    sims = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=(2_000, 500)) * w
    rs = np.array([np.corrcoef(s.T)[0, 1] for s in sims])
    simulated = rs.var() * 500 / (1 - 0.6**2) ** 2
    one = pl.DataFrame(sims.reshape(-1, 2), schema=["x", "y"])
    assert kurtosis_factor(one)[0, 1] == pytest.approx(simulated, rel=0.15)
