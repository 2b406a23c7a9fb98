"""explain.stability: the agreement statistics equal scipy's ``spearmanr`` and ``kendalltau``
(tau-b) and a hand-computed Jaccard on the same importances; a model with one dominant feature
passes, a model of many near-equal weak features on few rows is flagged; no model skips."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import polars as pl
import pytest
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier

from mlaudit import Audit
from mlaudit.checks.explain.stability import jaccard, kendall_tau_b, spearman, top_set


def _data(n: int, weights: list[float], seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(weights)))
    logit = x @ np.asarray(weights)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    cols = {f"x{j}": x[:, j] for j in range(len(weights))}
    return pl.DataFrame(cols).with_columns(pl.Series("y", y))


def _fit(df: pl.DataFrame) -> Any:
    x = df.drop("y").to_pandas()
    return HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(x, df["y"].to_numpy())


def _run(data: pl.DataFrame, model: Any, **options: Any) -> Any:
    result = Audit(
        data, schema={"target": "y"}, model=model, suite="none",
        sample_size=data.height, checks={"explain.stability": options},
    ).run()  # fmt: skip
    (r,) = result.checks
    return r


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_statistics_equal_scipy_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, 12).astype(float)  # many ties
    b = a + rng.integers(0, 3, 12)
    assert spearman(a, b) == pytest.approx(stats.spearmanr(a, b).statistic, abs=1e-12)
    assert kendall_tau_b(a, b) == pytest.approx(
        stats.kendalltau(a, b, variant="b").statistic, abs=1e-12
    )


def test_constant_ranking_gives_no_correlation() -> None:
    assert spearman(np.ones(4), np.arange(4.0)) is None
    assert kendall_tau_b(np.ones(4), np.arange(4.0)) is None


def test_top_set_and_jaccard_by_hand() -> None:
    names = ["a", "b", "c", "d", "e"]
    # top 3 of the importances, with the share floor of 0.05 × 10 = 0.5 dropping "d"
    assert top_set(names, np.array([10.0, 0.1, 3.0, 0.4, 2.0]), 3, 0.05) == {"a", "c", "e"}
    assert top_set(names, np.array([10.0, 0.1, 3.0, 0.4, 0.45]), 3, 0.05) == {"a", "c"}
    assert top_set(names, np.zeros(5), 3, 0.05) == set()
    assert jaccard({"a", "c", "e"}, {"a", "c"}) == pytest.approx(2 / 3)
    assert jaccard({"a", "b"}, {"c"}) == 0.0
    assert jaccard(set(), set()) == 1.0


def _pairwise_from_runs(r: Any) -> list[tuple[float, float]]:
    runs = next(d for d in r.details if d.name == "Runs")
    imp = np.asarray([row[1:] for row in runs.rows], dtype=float).T  # (runs, features)
    out = []
    for a, b in itertools.combinations(range(imp.shape[0]), 2):
        out.append(
            (
                stats.spearmanr(imp[a], imp[b]).statistic,
                stats.kendalltau(imp[a], imp[b], variant="b").statistic,
            )
        )
    return out


def test_one_dominant_feature_is_stable_and_the_table_agrees_with_scipy() -> None:
    weights = [3.0] + [0.0] * 7
    model = _fit(_data(3_000, weights, seed=1))
    r = _run(_data(2_000, weights, seed=2), model, runs=4, rows=800)
    assert r.status == "pass", r.message
    assert r.metrics["runs"] == 4 and r.metrics["features"] == 8
    assert r.metrics["mean_top_jaccard"] == pytest.approx(1.0)
    ranks = next(d for d in r.details if d.name == "Rank stability")
    assert ranks.rows[0][0] == "x0" and ranks.rows[0][2] == ranks.rows[0][3] == 1.0
    pairs = next(d for d in r.details if d.name == "Pairwise agreement")
    want = _pairwise_from_runs(r)
    assert len(pairs.rows) == 6
    for row, (rho, tau) in zip(pairs.rows, want, strict=True):
        assert row[2] == pytest.approx(rho, abs=1e-12)
        assert row[3] == pytest.approx(tau, abs=1e-12)
    assert r.metrics["mean_spearman"] == pytest.approx(np.mean([w[0] for w in want]))


def test_many_near_equal_weak_features_on_few_rows_are_flagged() -> None:
    weights = [0.25] * 10
    model = _fit(_data(3_000, weights, seed=3))
    r = _run(_data(400, weights, seed=4), model, runs=5, rows=150)
    assert r.status == "warn", r.message
    assert "unstable" in r.message
    assert r.metrics["mean_top_jaccard"] < 0.6 or r.metrics["mean_spearman_top"] < 0.8, r.metrics


def test_shap_basis_on_a_tree_model_is_stable_for_a_dominant_feature() -> None:
    pytest.importorskip("shap")
    weights = [3.0, 0.5, 0.0, 0.0]
    model = _fit(_data(3_000, weights, seed=5))
    r = _run(_data(2_000, weights, seed=6), model, basis="shap", runs=3, rows=500)
    assert r.status == "pass", r.message
    assert "SHAP" in r.message
    ranks = next(d for d in r.details if d.name == "Rank stability")
    assert [row[0] for row in ranks.rows[:2]] == ["x0", "x1"]


def test_no_model_is_skipped() -> None:
    result = Audit(
        _data(200, [1.0, 0.0], seed=0), schema={"target": "y"}, suite="none",
        checks={"explain.stability": {}},
    ).run()  # fmt: skip
    (r,) = result.checks
    assert r.status == "skipped" and "model" in r.message


def test_shap_basis_on_a_model_neither_tree_nor_linear_is_skipped_with_the_reason() -> None:
    from sklearn.naive_bayes import GaussianNB

    df = _data(500, [1.0, 0.5], seed=7)
    model = GaussianNB().fit(df.drop("y").to_pandas(), df["y"].to_numpy())
    r = _run(df, model, basis="shap", runs=2, rows=100)
    assert r.status == "skipped"
    assert "tree ensembles" in r.message and "permutation" in r.message


def test_shap_basis_ranks_a_linear_model_by_its_coefficients_times_the_spread() -> None:
    """LinearExplainer with each run's rows as background: a feature's mean |SHAP| is
    |coef| × the mean absolute deviation of the feature, so on independent standard normal
    features the runs rank them by |coef| and agree."""
    from sklearn.linear_model import LogisticRegression

    df = _data(3000, [2.0, 1.0, 0.3], seed=7)
    x = df.drop("y")
    model = LogisticRegression().fit(x.to_pandas(), df["y"].to_numpy())
    r = _run(df, model, basis="shap", runs=3, rows=2000)
    assert r.status == "pass", r.message
    expected = np.abs(model.coef_[0]) * np.abs(x.to_numpy() - x.to_numpy().mean(axis=0)).mean(0)
    ranks = next(d for d in r.details if d.name == "Rank stability")
    best = min(ranks.rows, key=lambda row: row[1])
    assert best[0] == x.columns[int(np.argmax(expected))]
    for row in ranks.rows:  # the runs' mean, on bootstrap rows: within a few % of the whole's
        assert row[4] == pytest.approx(expected[x.columns.index(row[0])], rel=0.05)


def test_the_runs_are_seeded_and_differ_from_each_other() -> None:
    weights = [1.0, 0.8, 0.6, 0.0]
    df = _data(1_000, weights, seed=8)
    model = _fit(df)
    first, again = _run(df, model, runs=3, rows=300), _run(df, model, runs=3, rows=300)
    assert first.metrics == again.metrics
    runs = next(d for d in first.details if d.name == "Runs")
    x0 = runs.rows[0][1:]
    assert len(set(x0)) == 3  # other rows and shuffles each run: three different importances


def test_runs_that_miss_a_class_are_all_scored_by_accuracy() -> None:
    weights = [2.0, 0.0]
    model = _fit(_data(2_000, weights, seed=9))
    df = _data(300, weights, seed=10)
    y = np.zeros(300, dtype=int)
    y[:7] = 1  # 7 positives in 300: a bootstrap of 30 rows holds none with chance 0.49
    r = _run(df.with_columns(pl.Series("y", y)), model, runs=6, rows=30)
    assert r.status in ("pass", "warn"), r.message
    assert "fall of the accuracy" in r.message
