"""performance.metrics on real tables: a real score (COMPAS's decile score) and models fitted
on one part of a table, evaluated on two clean random halves of the rest.

The halves share the model and the data's distribution, so nothing has changed: no fail, and a
warning at most at the nominal rate.  COMPAS's figures are compared with scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
import pytest
from sklearn import metrics as skm
from sklearn.linear_model import LinearRegression, LogisticRegression

from mlaudit import Audit
from mlaudit.results import CheckResult, Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

ID = "performance.metrics"
SEEDS = range(10)


def _run(
    cur: pl.DataFrame, ref: pl.DataFrame, schema: dict[str, object], **opts: object
) -> CheckResult:
    res = Audit(cur, reference=ref, suite="none", checks={ID: {"n_resamples": 300, **opts}},
                schema=schema).run()  # fmt: skip
    return next(r for r in res.checks if r.id == ID)


def _scored(df: pl.DataFrame, target: str, positive: object, seed: int) -> pl.DataFrame:
    """A logistic model on the numeric columns, fitted on a third of the rows; the rest scored."""
    num = [c for c in df.columns if c != target and df[c].dtype.is_numeric()]
    df = df.drop_nulls([*num, target])
    x = df.select(num).to_numpy().astype(float)
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-12)
    y = (df[target] == positive).to_numpy().astype(int)
    fit = np.random.default_rng(seed + 100).random(df.height) < 1 / 3
    model = LogisticRegression(max_iter=500).fit(x[fit], y[fit])
    p = model.predict_proba(x[~fit])[:, 1]
    return pl.DataFrame({"y": y[~fit], "score": p})


def _adult(seed: int) -> pl.DataFrame:
    return _scored(t.adult(), "income", ">50K", seed)


def _german(seed: int) -> pl.DataFrame:
    return _scored(t.german(), "credit_risk", 2, seed)


def _breast(seed: int) -> pl.DataFrame:
    return _scored(t.breast_cancer(), "target", 1, seed)


def _compas(seed: int) -> pl.DataFrame:
    df = t.compas()
    return df.select(pl.col("two_year_recid").alias("y"), pl.col("decile_score").alias("score"))


BINARY: dict[str, Callable[[int], pl.DataFrame]] = {
    "adult": _adult, "german": _german, "breast_cancer": _breast, "compas": _compas,
}  # fmt: skip


@pytest.mark.parametrize("name", list(BINARY))
def test_random_halves_give_no_fail(name: str) -> None:
    statuses = []
    schema = {"target": "y", "score": "score"}
    extra = {"threshold": 5.0} if name == "compas" else {}
    for seed in SEEDS:
        cur, ref = t.random_halves(BINARY[name](seed), seed)
        res = _run(cur, ref, schema, **extra)
        assert res.status is not Status.ERROR, res.message
        statuses.append(res.status)
    assert Status.FAIL not in statuses, statuses
    assert statuses.count(Status.WARN) <= 1, statuses


def test_compas_decile_score_equals_scikit_learn() -> None:
    df = _compas(0)
    cur, ref = t.random_halves(df, 0)
    res = _run(cur, ref, {"target": "y", "score": "score"}, threshold=5.0)
    y, s = cur["y"].to_numpy(), cur["score"].to_numpy()
    assert res.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(y, s))
    assert res.metrics["average_precision"] == pytest.approx(skm.average_precision_score(y, s))
    assert res.metrics["accuracy"] == pytest.approx(skm.accuracy_score(y, s >= 5))
    assert "log_loss" not in res.metrics  # deciles are not probabilities
    assert "not probabilities" in res.message


def test_wine_multiclass_and_diabetes_regression_halves() -> None:
    wine, diab = t.sklearn_table("wine"), t.sklearn_table("diabetes")
    feats = [c for c in wine.columns if c != "target"]
    x = wine.select(feats).to_numpy()
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    fit = np.random.default_rng(0).random(wine.height) < 1 / 3
    model = LogisticRegression(max_iter=500).fit(x[fit], wine["target"].to_numpy()[fit])
    proba = {f"p_{c}": model.predict_proba(x)[:, j] for j, c in enumerate(model.classes_)}
    wine = wine.with_columns(pl.Series("pred", model.predict(x)), **proba)[np.flatnonzero(~fit)]
    dx = diab.drop("target").to_numpy()
    fit = np.random.default_rng(0).random(diab.height) < 1 / 3
    dpred = LinearRegression().fit(dx[fit], diab["target"].to_numpy()[fit]).predict(dx)
    diab = diab.with_columns(pl.Series("pred", dpred))[np.flatnonzero(~fit)]
    for df in (wine, diab):
        statuses = []
        for seed in SEEDS:
            cur, ref = t.random_halves(df, seed)
            res = _run(cur, ref, {"target": "target", "prediction": "pred"})
            statuses.append(res.status)
        assert Status.FAIL not in statuses and statuses.count(Status.WARN) <= 1, statuses
    # with each class's probability the macro one-vs-rest AUC is judged: still no failure
    schema = {"target": "target", "prediction": "pred", "class_score_prefix": "p_"}
    statuses = []
    for seed in SEEDS:
        cur, ref = t.random_halves(wine, seed)
        res = _run(cur, ref, schema)
        assert res.params["metric"] == "roc_auc_ovr_macro", res.message
        statuses.append(res.status)
    assert Status.FAIL not in statuses and statuses.count(Status.WARN) <= 1, statuses
    y, p = cur["target"].to_numpy(), cur.select(list(proba)).to_numpy()
    assert res.metrics["roc_auc_ovr_macro"] == pytest.approx(
        skm.roc_auc_score(y, p, multi_class="ovr")
    )
    assert res.metrics["log_loss"] == pytest.approx(skm.log_loss(y, p, labels=model.classes_))
