"""explain.partial_dependence: the partial dependence and ICE values equal scikit-learn's
``partial_dependence`` (``method="brute"``, the check's grid as ``custom_values``) on fitted
pipelines with numeric and categorical features; the grids against hand calculations; bad
input gives a clear result."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import partial_dependence
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from mlaudit import Audit
from mlaudit.checks._model_sample import frame_batch
from mlaudit.checks.explain.pdp import feature_grid, ice_values
from mlaudit.models import load_model

N = 800
FEATURES = ["a", "b", "c", "k"]


def _data(seed: int, n: int = N) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    df = pl.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": rng.choice(["x", "y", "z"], n).tolist(),
            "k": rng.integers(0, 5, n),
        }
    )
    logit = 2 * df["a"].to_numpy() * (1 + (df["c"] == "x").to_numpy()) + 0.3 * df["k"].to_numpy()
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df.with_columns(pl.Series("y", y), value=logit)


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
    return _data(1, 2_000).to_pandas()


@pytest.fixture(scope="module")
def classifier(train: pd.DataFrame) -> Any:
    return _pipe(HistGradientBoostingClassifier(max_iter=25, random_state=0)).fit(
        train[FEATURES], train["y"]
    )


@pytest.fixture(scope="module")
def regressor(train: pd.DataFrame) -> Any:
    return _pipe(HistGradientBoostingRegressor(max_iter=25, random_state=0)).fit(
        train[FEATURES], train["value"]
    )


def _sklearn(est: Any, x: pd.DataFrame, feature: str, grid: list[Any]) -> Any:
    """scikit-learn's figures; it refuses integer columns, so k goes in as floats (the same
    values, the same predictions)."""
    return partial_dependence(
        est, x.astype({"k": float}), [feature], custom_values={feature: grid}, kind="both",
        method="brute",
        categorical_features=[feature] if feature == "c" else None,
    )  # fmt: skip


@pytest.mark.parametrize("feature", ["a", "c", "k"])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_pd_and_ice_equal_sklearn(feature: str, kind: str, request: Any) -> None:
    est = request.getfixturevalue(kind)
    df = _data(3)
    model = load_model(est)
    grid = feature_grid(df[feature], 10, 20)
    column = 1 if kind == "classifier" else None

    def predict(frame: pl.DataFrame) -> np.ndarray:
        out = model.predict_batch(frame_batch(frame, FEATURES))
        if column is None:
            return out.label[:, None]
        assert out.proba is not None
        return out.proba[:, [column]]

    ice = ice_values(predict, df, feature, grid)
    want = _sklearn(est, df.to_pandas()[FEATURES], feature, grid)
    np.testing.assert_allclose(ice.mean(axis=1)[:, 0], want["average"][0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(ice[:, :, 0].T, want["individual"][0], rtol=0, atol=1e-10)


def test_grids_by_hand() -> None:
    # 1000 distinct floats 0..999: quantiles at 5 %, 15 %, ..., 95 % of linspace(0.05, 0.95, 10)
    values = pl.Series("v", np.arange(1000, dtype=float))
    got = feature_grid(values, 10, 20)
    want = [0.05 * 999 + i * 0.1 * 999 for i in range(10)]
    assert got == pytest.approx(want, abs=1e-9)
    # integers: rounded; few distinct values: those values (as scikit-learn's grid)
    assert feature_grid(pl.Series("n", [3, 1, 2, 2, None]), 10, 20) == [1, 2, 3]
    assert feature_grid(pl.Series("n", list(range(1001))), 3, 20) == [50, 500, 950]
    # categories: the most frequent levels, sorted as text; missing values are no level
    cats = pl.Series("c", ["b", "a", "a", "c", "c", "c", None])
    assert feature_grid(cats, 10, 2) == ["a", "c"]
    assert feature_grid(pl.Series("x", [None, None], dtype=pl.Float64), 10, 20) == []
    assert feature_grid(pl.Series("x", [1.5] * 5), 10, 20) == [1.5]


def _run(data: pl.DataFrame, model: Any, options: dict[str, Any] | None = None) -> Any:
    result = Audit(
        data, schema={"target": "y"}, model=model, suite="none", sample_size=N,
        checks={"explain.partial_dependence": {"rows": N, **(options or {})}},
    ).run()  # fmt: skip
    (r,) = [c for c in result.checks if c.id == "explain.partial_dependence"]
    return r


def test_the_check_equals_sklearn_over_the_whole_data(classifier: Any) -> None:
    """Every row read: the average is sklearn's over the data, each ICE line its row's."""
    df = _data(3).drop("value")
    r = _run(df, classifier, {"ice_rows": 7})
    assert r.status == "pass", r.message
    table = r.details[0]
    assert table.rows[0][0] == "a"  # the strongest feature first (by permutation importance)
    assert r.metrics["features"] == 4
    curves = {d.name: d for d in r.details[1:]}
    x = df.to_pandas()[FEATURES]
    a = curves["Partial dependence: a"]
    grid = a.curves["partial dependence"]["x"]
    want = _sklearn(classifier, x, "a", grid)
    np.testing.assert_allclose(a.curves["partial dependence"]["y"], want["average"][0],
                               rtol=0, atol=1e-10)  # fmt: skip
    ice = {k: v for k, v in a.curves.items() if k.startswith("ICE row ")}
    assert len(ice) == 7
    for name, xy in ice.items():
        row = int(name.removeprefix("ICE row "))
        np.testing.assert_allclose(xy["y"], want["individual"][0][row], rtol=0, atol=1e-10)
    c = curves["Partial dependence: c"]
    assert c.kind == "bars" and c.labels == ["x", "y", "z"]
    want_c = _sklearn(classifier, x, "c", ["x", "y", "z"])
    np.testing.assert_allclose(c.series["partial dependence"], want_c["average"][0],
                               rtol=0, atol=1e-10)  # fmt: skip
    band = np.percentile(want_c["individual"][0], [10, 90], axis=0)
    np.testing.assert_allclose(c.lower["partial dependence"], band[0], atol=1e-10)
    np.testing.assert_allclose(c.upper["partial dependence"], band[1], atol=1e-10)


def test_positive_label_draws_the_other_class(classifier: Any) -> None:
    df = _data(3).drop("value")
    first = _run(df, classifier, {"features": ["b"], "ice_rows": 0})
    other = _run(df, classifier, {"features": ["b"], "ice_rows": 0, "positive_label": "0"})
    y1 = np.array(first.details[1].curves["partial dependence"]["y"])
    y0 = np.array(other.details[1].curves["partial dependence"]["y"])
    np.testing.assert_allclose(y0, 1 - y1, atol=1e-12)
    assert first.details[1].y_label == "P(1)" and other.details[1].y_label == "P(0)"
    bad = _run(df, classifier, {"features": ["b"], "positive_label": "yes"})
    assert bad.status == "skipped" and "positive_label" in bad.message


def test_unknown_features_and_no_model_are_skipped_with_the_reason(classifier: Any) -> None:
    df = _data(3).drop("value")
    r = _run(df, classifier, {"features": ["nope"]})
    assert r.status == "skipped" and "nope" in r.message
    result = Audit(df, suite="none", checks={"explain.partial_dependence": {}}).run()
    assert result.checks[0].status == "skipped" and "model" in result.checks[0].message


class _NoConstant:
    """Class 1 when a > 0; refuses a batch where half the rows share one value of a."""

    classes_ = np.array([0, 1])
    feature_names_in_ = np.array(["a", "z"])

    def predict_proba(self, frame: Any) -> np.ndarray:
        if len(frame) > 1 and frame["a"].value_counts().max() >= len(frame) / 2:
            raise ValueError("a is too often the same")
        p = (frame["a"].to_numpy() > 0).astype(float)
        return np.column_stack([1 - p, p])

    def predict(self, frame: Any) -> np.ndarray:
        return self.predict_proba(frame)[:, 1].astype(int)


def test_a_model_failing_on_grid_values_warns_and_a_constant_feature_is_flat() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    df = pl.DataFrame({"a": a, "z": np.zeros(200), "y": (a > 0).astype(int)})
    r = _run(df, _NoConstant(), {"features": ["z"]})
    assert r.status == "pass", r.message  # z constant: one grid point, a flat line
    assert r.details[0].rows[0][2] == 1 and r.details[0].rows[0][5] == 0.0
    # a's two grid values: half the predicted rows share each, which the model refuses
    r = _run(df, _NoConstant(), {"features": ["a", "z"], "grid_resolution": 2})
    assert r.status == "warn" and "a is too often the same" in r.message
    assert [row[0] for row in r.details[0].rows if row[-1]] == ["a"]
    assert r.metrics["features_failing"] == 1
