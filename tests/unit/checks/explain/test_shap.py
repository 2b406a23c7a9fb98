"""explain.shap: values equal the shap library's own, add up to the libraries' own outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import lightgbm as lgb
import numpy as np
import pandas as pd
import polars as pl
import pytest
import shap
import xgboost as xgb
from scipy import stats as scipy_stats
from sklearn.compose import make_column_transformer
from sklearn.ensemble import AdaBoostClassifier, GradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC

from mlaudit import Audit
from mlaudit.checks._base import CheckContext
from mlaudit.checks.explain._shap import ShapExplanation, explain
from mlaudit.checks.explain.shap_values import ShapValues
from mlaudit.data import Schema
from mlaudit.models import load_model
from mlaudit.summary import DatasetProfile

N = 600
NUMERIC = ["a", "b", "d"]


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(N, 3))
    c = rng.choice(["u", "v", "w"], N)
    y = (x[:, 0] - x[:, 1] + (c == "u") + rng.normal(size=N) > 0).astype(int)
    return pl.DataFrame({"a": x[:, 0], "b": x[:, 1], "d": x[:, 2], "c": c.tolist(), "y": y})


def _x(data: pl.DataFrame, columns: list[str] = NUMERIC) -> pd.DataFrame:
    return data.select(columns).to_pandas()


def _audit(data: pl.DataFrame, model: Any, **options: Any) -> Any:
    result = Audit(
        data, schema={"target": "y"}, model=model, suite="none", sample_size=N,
        checks={"explain.shap": {"rows": N, **options}},
    ).run()  # fmt: skip
    (found,) = [c for c in result.checks if c.id == "explain.shap"]
    return found


def _explain(model: Any, frame: pl.DataFrame, **kw: Any) -> ShapExplanation:
    options = {"background": 100, "permutations": 2, "seed": 7, "tick": lambda n: None} | kw
    return explain(load_model(model), frame, frame, **options)


def _boosters(data: pl.DataFrame, tmp_path: Path) -> dict[str, tuple[Any, Any, np.ndarray]]:
    """name → (what the audit loads, the library's model shap reads, its raw margin)."""
    x, y = _x(data), data["y"].to_numpy()
    lgbm = lgb.LGBMClassifier(n_estimators=40, verbose=-1).fit(x, y).booster_
    lgbm.save_model(tmp_path / "m.txt")
    booster = xgb.XGBClassifier(n_estimators=40, max_depth=3).fit(x, y).get_booster()
    booster.save_model(tmp_path / "m.json")
    gb = GradientBoostingClassifier(n_estimators=40, random_state=0).fit(x, y)
    return {
        "lightgbm": (tmp_path / "m.txt", lgbm, lgbm.predict(x, raw_score=True)),
        "xgboost": (
            tmp_path / "m.json",
            booster,
            booster.predict(xgb.DMatrix(x), output_margin=True),
        ),
        "sklearn": (gb, gb, gb.decision_function(x)),
    }


@pytest.mark.parametrize("kind", ["lightgbm", "xgboost", "sklearn"])
def test_tree_values_equal_shaps_and_add_up_to_the_margin(
    data: pl.DataFrame, tmp_path: Path, kind: str
) -> None:
    given, native, margin = _boosters(data, tmp_path)[kind]
    x = _x(data)
    oracle = shap.TreeExplainer(native)
    expected = oracle.shap_values(xgb.DMatrix(x) if kind == "xgboost" else x)
    found = _explain(given, data)
    assert found.explainer == "TreeExplainer" and found.fallback is None
    assert found.space == "log-odds" and found.features == NUMERIC
    np.testing.assert_allclose(found.values[:, :, 0], expected, rtol=0, atol=1e-12)
    assert found.base[0] == pytest.approx(float(np.ravel(oracle.expected_value)[0]), abs=1e-12)
    # additivity against the library's own margin (not shap's), row by row
    tol = 1e-5 if kind == "xgboost" else 1e-9  # XGBoost sums its trees in float32
    np.testing.assert_allclose(found.base[0] + found.values[:, :, 0].sum(axis=1), margin, atol=tol)
    np.testing.assert_allclose(found.model_output[:, 0], margin, atol=1e-12)


def test_the_check_ranks_features_by_shaps_mean_absolute_value(
    data: pl.DataFrame, tmp_path: Path
) -> None:
    given, native, _ = _boosters(data, tmp_path)["lightgbm"]
    expected = np.abs(shap.TreeExplainer(native).shap_values(_x(data))).mean(axis=0)
    result = _audit(data, given)
    assert result.status == "pass"
    table = result.details[0]
    ranked = [row[1] for row in table.rows]
    assert ranked == [NUMERIC[i] for i in np.argsort(-expected)]
    for row in table.rows:
        assert row[2] == pytest.approx(expected[NUMERIC.index(row[1])], rel=1e-12)
    assert sum(row[3] for row in table.rows) == pytest.approx(1.0)
    # the bars' whiskers: scipy's t interval of each feature's mean |SHAP| over the rows
    bars = result.details[1]
    values = np.abs(shap.TreeExplainer(native).shap_values(_x(data)))
    for k, feature in enumerate(bars.labels):
        column = values[:, NUMERIC.index(feature)]
        low, high = scipy_stats.t.interval(
            0.95, column.size - 1, loc=column.mean(), scale=scipy_stats.sem(column)
        )
        assert bars.lower["mean |SHAP|"][k] == pytest.approx(low, rel=1e-9)
        assert bars.upper["mean |SHAP|"][k] == pytest.approx(high, rel=1e-9)
    assert result.metrics["rows"] == N
    assert result.metrics["additivity_error"] < 1e-9
    assert "TreeExplainer" in result.details[2].text
    assert "log-odds" in result.message


def test_a_pipelines_one_hot_columns_are_summed_into_their_feature(data: pl.DataFrame) -> None:
    columns = [*NUMERIC, "c"]
    pipe = make_pipeline(
        make_column_transformer(("passthrough", NUMERIC), (OneHotEncoder(), ["c"])),
        GradientBoostingClassifier(n_estimators=30, random_state=0),
    ).fit(_x(data, columns), data["y"])
    transformed = pipe[:-1].transform(_x(data, columns))
    expected = shap.TreeExplainer(pipe[-1]).shap_values(transformed)
    found = _explain(pipe, data)
    assert found.explainer == "TreeExplainer"
    assert found.features == columns
    assert found.encoded["c"] == ["onehotencoder__c_u", "onehotencoder__c_v", "onehotencoder__c_w"]
    np.testing.assert_allclose(found.values[:, :3, 0], expected[:, :3], atol=1e-12)
    np.testing.assert_allclose(found.values[:, 3, 0], expected[:, 3:].sum(axis=1), atol=1e-12)
    margin = pipe.decision_function(_x(data, columns))
    np.testing.assert_allclose(found.base[0] + found.values[:, :, 0].sum(axis=1), margin, atol=1e-9)


def test_the_agnostic_path_equals_shaps_permutation_explainer(data: pl.DataFrame) -> None:
    pipe = make_pipeline(StandardScaler(), GaussianNB()).fit(_x(data), data["y"])
    rows, background = data.head(40), data.head(60)
    seed, permutations = 11, 2
    found = explain(
        load_model(pipe), rows, background, background=60, permutations=permutations,
        seed=seed, tick=lambda n: None,
    )  # fmt: skip
    assert found.explainer == "PermutationExplainer" and found.fallback is None
    assert found.space == "probability"

    def proba(z: np.ndarray) -> np.ndarray:
        return np.asarray(pipe.predict_proba(pd.DataFrame(z, columns=NUMERIC))[:, 1])

    oracle = shap.PermutationExplainer(
        proba, shap.maskers.Independent(_x(background).to_numpy(), max_samples=60), seed=seed
    )
    expected = oracle(_x(rows).to_numpy(), max_evals=permutations * 2 * 3 + 1, silent=True)
    np.testing.assert_allclose(found.values[:, :, 0], expected.values, atol=1e-12)
    assert found.base[0] == pytest.approx(proba(_x(background).to_numpy()).mean(), abs=1e-12)
    # additive by construction: base + values = the pipeline's own probability
    np.testing.assert_allclose(
        found.base[0] + found.values[:, :, 0].sum(axis=1), proba(_x(rows).to_numpy()), atol=1e-12
    )


def test_text_features_reach_the_model_as_text(data: pl.DataFrame) -> None:
    columns = [*NUMERIC, "c"]
    pipe = make_pipeline(
        make_column_transformer(
            ("passthrough", NUMERIC), (OneHotEncoder(sparse_output=False), ["c"])
        ),
        GaussianNB(),  # neither trees nor linear: the agnostic path, which decodes the text
    ).fit(_x(data, columns), data["y"])
    found = _explain(pipe, data.head(20), background=50)
    assert found.features == columns
    own = pipe.predict_proba(_x(data.head(20), columns))[:, 1]
    np.testing.assert_allclose(found.model_output[:, 0], own, atol=1e-12)
    np.testing.assert_allclose(found.base[0] + found.values[:, :, 0].sum(axis=1), own, atol=1e-12)
    assert np.abs(found.values[:, 3, 0]).mean() > 0  # the category moves the output


def test_falls_back_with_the_reason_when_tree_explainer_refuses_the_model(
    data: pl.DataFrame,
) -> None:
    ada = AdaBoostClassifier(n_estimators=10, random_state=0).fit(_x(data), data["y"])
    result = _audit(data, ada, agnostic_rows=30, background=40)
    assert result.status == "pass"
    assert result.metrics["fallback"] == 1 and result.metrics["rows"] == 30
    assert "Fell back" in result.message and "AdaBoostClassifier" in result.message
    assert "PermutationExplainer" in result.details[2].text
    assert "not yet supported by TreeExplainer" in result.details[2].text


def test_broken_additivity_fails(data: pl.DataFrame) -> None:
    values = np.full((4, 2, 1), 0.25)
    base = np.array([0.1])
    good = ShapExplanation(
        values=values, base=base, model_output=np.full((4, 1), 0.6), features=["p", "q"],
        encoded={}, outputs=["class 1"], explainer="TreeExplainer", why="", space="log-odds",
    )  # fmt: skip
    assert ShapValues()._judge(good).status == "pass"
    off = ShapExplanation(**{**good.__dict__, "model_output": np.full((4, 1), 0.7)})
    judged = ShapValues()._judge(off)
    assert judged.status == "fail" and "Additivity is broken" in judged.message
    assert judged.metrics["additivity_error"] == pytest.approx(0.1)
    slight = ShapExplanation(**{**good.__dict__, "model_output": np.full((4, 1), 0.6 + 1e-3)})
    assert ShapValues()._judge(slight).status == "warn"


def test_without_a_model_it_skips(data: pl.DataFrame) -> None:
    result = Audit(data, schema={"target": "y"}, suite="none", checks={"explain.shap": {}}).run()
    (found,) = [c for c in result.checks if c.id == "explain.shap"]
    assert found.status == "skipped" and "model" in found.message


def test_bad_input_is_a_clear_skip(data: pl.DataFrame) -> None:
    # a classifier without probabilities has no continuous output to explain
    svc = LinearSVC().fit(_x(data), data["y"])
    no_proba = _audit(data, svc, agnostic_rows=5)
    assert no_proba.status == "skipped" and "no class probabilities" in no_proba.message
    # a model that cannot read missing values, given some (the audit's own scoring would stop
    # first, so the check is given the rows directly)
    gb = load_model(GradientBoostingClassifier(n_estimators=5).fit(_x(data), data["y"]))
    holes = data.with_columns(a=pl.when(pl.col("a") > 0).then(None).otherwise(pl.col("a")))
    broken = ShapValues(agnostic_rows=5).compute(_context(gb, holes))
    assert broken.status == "skipped" and "cannot be explained" in broken.message
    assert "NaN" in broken.message
    # the data lacks a feature the model reads
    lacking = ShapValues().compute(_context(gb, data.drop("b")))
    assert lacking.status == "skipped" and "lacks the model's feature(s) b" in lacking.message


def _context(model: Any, frame: pl.DataFrame) -> CheckContext:
    """What the runner gives a model check (the check reads only the model and the rows)."""
    return CheckContext(
        current=cast(DatasetProfile, None),
        schema=Schema(columns=[]),
        model=model,
        model_samples={"current": frame},
    )


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_linear_models_get_exact_values_by_hand(data: pl.DataFrame, task: str) -> None:
    """A linear model at a pipeline's end: each value is the coefficient times the distance from
    the background's mean (all 300 rows here), one-hot columns summed into their feature, in
    log-odds for a classifier; base plus values equal decision_function (or predict)."""
    columns = [*NUMERIC, "c"]
    final = LogisticRegression() if task == "binary" else LinearRegression()
    target = data["y"] if task == "binary" else data["a"] * 2.0 - data["b"]
    pipe = make_pipeline(
        make_column_transformer((StandardScaler(), NUMERIC), (OneHotEncoder(), ["c"])), final
    ).fit(_x(data, columns), target)
    found = explain(
        load_model(pipe), data.head(50), data, background=len(data), permutations=1, seed=0,
        tick=lambda n: None,
    )  # fmt: skip
    assert found.explainer == "LinearExplainer" and found.fallback is None
    assert found.space == ("log-odds" if task == "binary" else "prediction")

    def dense(frame: pl.DataFrame) -> np.ndarray:
        got = pipe[:-1].transform(_x(frame, columns))
        return np.asarray(got.toarray() if hasattr(got, "toarray") else got)

    x, back = dense(data.head(50)), dense(data)
    coef = np.ravel(final.coef_)
    by_hand = coef * (x - back.mean(axis=0))
    np.testing.assert_allclose(found.values[:, :3, 0], by_hand[:, :3], atol=1e-10)
    np.testing.assert_allclose(found.values[:, 3, 0], by_hand[:, 3:].sum(axis=1), atol=1e-10)
    intercept = float(np.ravel(final.intercept_)[0])
    assert found.base[0] == pytest.approx(intercept + coef @ back.mean(axis=0), abs=1e-10)
    own = (pipe.decision_function if task == "binary" else pipe.predict)(_x(data.head(50), columns))
    np.testing.assert_allclose(found.model_output[:, 0], own, atol=1e-10)
    assert found.additivity_errors.max() < 1e-9
    assert found.features == columns and found.encoded["c"][0].startswith("onehotencoder__c_")
