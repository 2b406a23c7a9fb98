"""explain.permutation_importance and explain.importance_drift: the importances equal
scikit-learn's ``permutation_importance`` (same model, rows, scorer and random_state), the
intervals scipy's t intervals, the drift's rank correlation scipy's Spearman; bad input gives a
clear result."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from mlaudit import Audit
from mlaudit.checks._model_sample import frame_batch, labels_as_classes
from mlaudit.checks.explain._permute import (
    permutation_importance,
    scorer_for,
    shuffle_orders,
    t_interval,
)
from mlaudit.checks.explain.permutation import _spearman, _welch
from mlaudit.models import Model, Predictions, load_model

N = 1_500
FEATURES = ["a", "b", "c", "k"]


def _data(seed: int = 3, n: int = N, relation: str = "a") -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    df = pl.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": rng.choice(["x", "y", "z"], n).tolist(),
            "k": rng.integers(0, 5, n),
        }
    )
    driver = df[relation].to_numpy() if relation != "none" else np.zeros(n)
    logit = 2 * driver + 1.5 * (df["c"] == "x").to_numpy() + 0.3 * df["k"].to_numpy() - 0.6
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df.with_columns(pl.Series("y", y), value=logit + rng.normal(size=n))


def _pipe(estimator: Any) -> Any:
    return make_pipeline(
        make_column_transformer(
            ("passthrough", ["a", "b", "k"]),
            (OneHotEncoder(handle_unknown="ignore"), ["c"]),
        ),
        estimator,
    )


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return _data(seed=1, n=3_000).to_pandas()


@pytest.fixture(scope="module")
def classifier(train: pd.DataFrame) -> Any:
    return _pipe(HistGradientBoostingClassifier(max_iter=30, random_state=0)).fit(
        train[FEATURES], train["y"]
    )


def _ours(model: Model, frame: pl.DataFrame, labels: np.ndarray | None, repeats: int, rs: int):
    def predict(f: pl.DataFrame) -> Predictions:
        return model.predict_batch(frame_batch(f, list(model.features)))

    scorer = scorer_for(model, labels, predict(frame))
    return permutation_importance(
        predict, frame, list(model.features), scorer, n_repeats=repeats, random_state=rs
    )


@pytest.mark.parametrize("random_state", [0, 7, 2**32 - 1])
def test_auc_importances_equal_sklearn(classifier: Any, random_state: int) -> None:
    df = _data()
    model = load_model(classifier)
    labels = labels_as_classes(df["y"], regression=False)
    got = _ours(model, df, labels, 4, random_state)
    want = sk_permutation_importance(
        classifier, df.to_pandas()[FEATURES], df["y"].to_numpy(), scoring="roc_auc",
        n_repeats=4, random_state=random_state,
    )  # fmt: skip
    assert got.metric == "roc_auc"
    for j, f in enumerate(FEATURES):
        np.testing.assert_allclose(got.importances(f), want.importances[j], rtol=0, atol=1e-12)
    assert got.ranked()[0] == "a"  # the planted driver


def test_accuracy_importances_equal_sklearn_for_a_multiclass_model(train: pd.DataFrame) -> None:
    y3 = np.digitize(train["value"], [-1.0, 1.0])
    est = _pipe(LogisticRegression(max_iter=500)).fit(train[FEATURES], y3)
    df = _data()
    labels3 = np.digitize(df["value"].to_numpy(), [-1.0, 1.0])
    got = _ours(load_model(est), df, labels3.astype(str), 3, 5)
    want = sk_permutation_importance(
        est, df.to_pandas()[FEATURES], labels3, scoring="accuracy", n_repeats=3, random_state=5
    )
    assert got.metric == "accuracy"
    for j, f in enumerate(FEATURES):
        np.testing.assert_allclose(got.importances(f), want.importances[j], rtol=0, atol=1e-12)


def test_rmse_importances_equal_sklearn_for_a_regressor(train: pd.DataFrame) -> None:
    est = _pipe(HistGradientBoostingRegressor(max_iter=30, random_state=0)).fit(
        train[FEATURES], train["value"]
    )
    df = _data()
    got = _ours(load_model(est), df, df["value"].to_numpy(), 3, 11)
    want = sk_permutation_importance(
        est, df.to_pandas()[FEATURES], df["value"].to_numpy(),
        scoring="neg_root_mean_squared_error", n_repeats=3, random_state=11,
    )  # fmt: skip
    assert got.metric == "rmse"
    for j, f in enumerate(FEATURES):
        np.testing.assert_allclose(got.importances(f), want.importances[j], rtol=0, atol=1e-10)


def test_without_labels_the_importance_is_the_share_of_decisions_changed(
    classifier: Any,
) -> None:
    df = _data()
    x = df.to_pandas()[FEATURES]
    base = classifier.predict(x)

    def agreement(est: Any, X: Any, y: Any) -> float:
        return float(np.mean(est.predict(X) == base))

    got = _ours(load_model(classifier), df, None, 3, 2)
    want = sk_permutation_importance(classifier, x, None, scoring=agreement, n_repeats=3,
                                     random_state=2)  # fmt: skip
    assert got.metric == "agreement" and got.baseline == 1.0
    for j, f in enumerate(FEATURES):
        np.testing.assert_allclose(got.importances(f), want.importances[j], rtol=0, atol=1e-12)


def test_shuffles_against_a_hand_composition_of_numpy_permutations() -> None:
    """Each repeat shuffles the already shuffled column with RandomState(seed).shuffle of the
    previous index, the seed drawn from RandomState(random_state) as scikit-learn does."""
    seed = np.random.RandomState(42).randint(2**31)
    state, index = np.random.RandomState(seed), np.arange(10)
    column = np.arange(10) * 10
    expected = []
    for _ in range(3):
        state.shuffle(index)
        column = column[index]
        expected.append(column.copy())
    got = shuffle_orders(10, 3, 42)
    for want, order in zip(expected, got, strict=True):
        assert (np.arange(10)[order] * 10 == want).all()
        assert sorted(order) == list(range(10))  # a permutation


def test_t_interval_equals_scipy() -> None:
    values = np.array([0.12, 0.15, 0.11, 0.14, 0.13])
    low, high = t_interval(values)
    want = stats.t.interval(0.95, 4, loc=values.mean(), scale=stats.sem(values))
    assert (low, high) == pytest.approx(want, abs=1e-12)
    assert t_interval(np.array([0.2, 0.2, 0.2])) == (0.2, 0.2)


def test_welch_interval_and_spearman_equal_scipy() -> None:
    a, b = np.array([0.30, 0.32, 0.29, 0.31]), np.array([0.20, 0.26, 0.22, 0.19, 0.25])
    want = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert _welch(a, b) == pytest.approx((want.low, want.high), abs=1e-12)
    x, y = [0.4, 0.1, 0.1, 0.05, 0.0], [0.3, 0.2, 0.05, 0.1, 0.0]
    assert _spearman(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    assert _spearman([0.0, 0.0], [0.1, 0.2]) is None


def _run(data: pl.DataFrame, model: Any, checks: dict[str, Any], **kw: Any) -> dict[str, Any]:
    result = Audit(
        data, schema=kw.pop("schema", {"target": "y"}), model=model, suite="none",
        sample_size=N, checks=checks, **kw,
    ).run()  # fmt: skip
    return {c.id: c for c in result.checks}


def test_check_ranks_the_planted_driver_first_with_intervals(classifier: Any) -> None:
    got = _run(_data().drop("value"), classifier, {"explain.permutation_importance": {}})
    r = got["explain.permutation_importance"]
    assert r.status == "pass", r.message
    table = r.details[0]
    assert table.rows[0][1] == "a"
    for row in table.rows:
        assert row[3] <= row[2] <= row[4]  # the mean within its interval
    assert r.metrics["n_repeats"] == 5 and r.metrics["rows"] == N
    assert r.bounds["top_importance"].low <= r.metrics["top_importance"]
    chart = r.details[1]
    assert chart.kind == "bars" and chart.labels[0] == "a"
    for row, low, high in zip(table.rows, chart.lower["importance"], chart.upper["importance"],
                              strict=False):  # fmt: skip
        assert (low, high) == (row[3], row[4])  # the bars' whiskers are the table's interval
    assert "ROC AUC" in r.message


def test_without_a_target_the_check_reads_agreement(classifier: Any) -> None:
    df = _data().drop("y", "value")
    r = _run(df, classifier, {"explain.permutation_importance": {}}, schema={})[
        "explain.permutation_importance"
    ]
    assert r.status == "pass" and r.metrics["baseline_agreement"] == 1.0
    assert "agreement" in r.message


class _PairedModel:
    """Class 1 when a > 0; refuses rows where b is not a (a pairing the data always keeps)."""

    classes_ = np.array([0, 1])
    feature_names_in_ = np.array(["a", "b", "const"])

    def predict_proba(self, frame: Any) -> np.ndarray:
        if not np.allclose(frame["a"], frame["b"]):
            raise ValueError("b must equal a")
        p = (frame["a"].to_numpy() > 0).astype(float)
        return np.column_stack([1 - p, p])

    def predict(self, frame: Any) -> np.ndarray:
        return self.predict_proba(frame)[:, 1].astype(int)


def test_a_model_failing_on_shuffled_rows_warns_with_its_error() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=400)
    df = pl.DataFrame({"a": a, "b": a, "const": np.ones(400), "y": (a > 0).astype(int)})
    r = _run(df, _PairedModel(), {"explain.permutation_importance": {}})[
        "explain.permutation_importance"
    ]
    assert r.status == "warn"
    assert "b must equal a" in r.message and "a, b" in r.message
    assert r.metrics["features_failing"] == 2
    (row,) = [row for row in r.details[0].rows if row[1] == "const"]
    assert row[2:5] == [0.0, 0.0, 0.0]  # a constant feature: nothing to shuffle


class _OnlyA:
    """A regressor of one feature."""

    feature_names_in_ = np.array(["a"])

    def predict(self, frame: Any) -> np.ndarray:
        return 3.0 * frame["a"].to_numpy(dtype=float)


def test_one_feature_regressor_importance_is_the_rmse_rise() -> None:
    rng = np.random.default_rng(4)
    a = rng.normal(size=300)
    df = pl.DataFrame({"a": a, "y": 3.0 * a})
    r = _run(df, _OnlyA(), {"explain.permutation_importance": {"n_repeats": 3}})[
        "explain.permutation_importance"
    ]
    assert r.status == "pass" and r.metrics["baseline_rmse"] == pytest.approx(0.0, abs=1e-12)
    # shuffled, the error is 3·(a_perm − a): its RMSE is about 3·√2·sd(a)
    assert r.metrics["top_importance"] == pytest.approx(3 * np.sqrt(2) * a.std(), rel=0.15)


def test_skipped_without_a_model() -> None:
    result = Audit(_data(), schema={"target": "y"}, suite="none",
                   checks={"explain.permutation_importance": {}}).run()  # fmt: skip
    (r,) = result.checks
    assert r.status == "skipped" and "model" in r.message


def test_drift_passes_on_the_same_relation_and_warns_when_it_moved(classifier: Any) -> None:
    cur = _data(seed=3).drop("value")
    same = _run(cur, classifier, {"explain.importance_drift": {}},
                reference=_data(seed=5).drop("value"))["explain.importance_drift"]  # fmt: skip
    assert same.status == "pass", same.message
    assert same.metrics["rank_correlation"] == pytest.approx(1.0)
    moved = _run(cur, classifier, {"explain.importance_drift": {}},
                 reference=_data(seed=5, relation="b").drop("value"))  # fmt: skip
    r = moved["explain.importance_drift"]
    assert r.status == "warn", r.message
    changed = {row[0] for row in r.details[0].rows if row[-1] == "yes"}
    assert "a" in changed  # the model's driver mattered less when the labels followed b
    itself = _run(cur, classifier, {"explain.importance_drift": {}}, reference=cur)
    assert itself["explain.importance_drift"].metrics["features_changed"] == 0


def test_drift_skipped_without_reference(classifier: Any) -> None:
    r = _run(_data().drop("value"), classifier, {"explain.importance_drift": {}})
    assert r["explain.importance_drift"].status == "skipped"
