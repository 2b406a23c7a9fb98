"""``performance.metrics`` for multiclass models with class probabilities: one-vs-rest ROC AUC
(macro, weighted, per class with DeLong's interval) and log loss against scikit-learn, from
declared probability columns and from a fitted model object, and bad input (each a partial or
``skipped`` result with its reason)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import polars as pl
import pytest
from pydantic import ValidationError
from scipy import stats as sps
from sklearn import metrics as skm
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from mlaudit import Audit
from mlaudit.checks.performance._evaluation import Settings, evaluate
from mlaudit.checks.performance._labels import model_rows
from mlaudit.config import SchemaConfig
from mlaudit.data import Dataset, Role, Schema, WindowSpec, infer_schema
from mlaudit.data._schema import SchemaOverrides
from mlaudit.errors import ConfigError
from mlaudit.results import CheckResult, Status, TableDetail
from mlaudit.stats import multiclass_metrics_on
from mlaudit.summary import WINDOW, WINDOW_DTYPE, Window, WindowedData

ID = "performance.metrics"
FAST = {"n_resamples": 200}
CLASSES = ["a", "b", "c", "d"]
DECLARED = {"target": "y", "prediction": "pred", "class_scores": {c: f"p_{c}" for c in CLASSES}}


def _run(
    cur: pl.DataFrame,
    ref: pl.DataFrame | None = None,
    schema: Mapping[str, object] | None = None,
    **options: object,
) -> CheckResult:
    result = Audit(
        cur, reference=ref, suite="none", checks={ID: {**FAST, **options}},
        schema=schema or DECLARED,
    ).run()  # fmt: skip
    return next(r for r in result.checks if r.id == ID)


def _probabilities(n: int, seed: int, k: int = 4, signal: float = 1.5) -> tuple[np.ndarray, ...]:
    """Labels 0..k-1 (unequal shares) and softmax probabilities that favour the label."""
    rng = np.random.default_rng(seed)
    y = rng.choice(k, n, p=np.linspace(2, 1, k) / np.linspace(2, 1, k).sum())
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), y] += signal
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p[:40] = np.round(p[:40], 1)  # ties in every column
    p[:40] /= p[:40].sum(axis=1, keepdims=True)
    return y, p


def _frame(n: int = 1500, seed: int = 0, signal: float = 1.5) -> pl.DataFrame:
    y, p = _probabilities(n, seed, signal=signal)
    labels = np.asarray(CLASSES)
    return pl.DataFrame(
        {"y": labels[y], "pred": labels[p.argmax(axis=1)],
         **{f"p_{c}": p[:, j] for j, c in enumerate(CLASSES)}}
    )  # fmt: skip


def _proba(df: pl.DataFrame, classes: list[str] = CLASSES) -> np.ndarray:
    return df.select(f"p_{c}" for c in classes).to_numpy()


def _delong(y: np.ndarray, s: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """DeLong's interval by its definition: the O(m·n) structural components (independent of
    the fast mid-rank implementation)."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    auc = float(psi.mean())
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    se = math.sqrt(v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size)
    z = sps.norm.ppf((1 + level) / 2)
    return auc, max(auc - z * se, 0.0), min(auc + z * se, 1.0)


# --- the weighted statistic ------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("k", [3, 5])
def test_multiclass_statistic_equals_scikit_learn_with_and_without_weights(
    seed: int, k: int
) -> None:
    y, p = _probabilities(700, seed, k=k)
    w = np.random.default_rng(seed + 50).random(y.size) * 3
    out = multiclass_metrics_on(y, p)(np.vstack([np.ones(y.size), w]))
    for row, weight in ((0, None), (1, w)):
        for avg in ("macro", "weighted"):
            want = skm.roc_auc_score(y, p, multi_class="ovr", average=avg, sample_weight=weight)
            assert out[f"roc_auc_ovr_{avg}"][row] == pytest.approx(want, rel=1e-12), (avg, row)
        want = skm.log_loss(y, p, labels=list(range(k)), sample_weight=weight)
        assert out["log_loss"][row] == pytest.approx(want, rel=1e-12)


def test_a_certain_wrong_probability_is_clipped_as_scikit_learn_clips_it() -> None:
    y = np.array([0, 1, 2, 0, 1, 2])
    p = np.eye(3)[[0, 1, 2, 1, 1, 2]]  # row 3: probability 0 for its label
    out = multiclass_metrics_on(y, p)(np.ones((1, 6)))
    assert out["log_loss"][0] == pytest.approx(skm.log_loss(y, p, labels=[0, 1, 2]), rel=1e-12)


# --- the check, declared probability columns --------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_declared_class_probabilities_equal_scikit_learn(seed: int) -> None:
    df = _frame(seed=seed)
    res = _run(df)
    y, p, m = df["y"].to_numpy(), _proba(df), res.metrics
    assert res.params["task"] == "multiclass" and res.params["metric"] == "roc_auc_ovr_macro"
    for avg in ("macro", "weighted"):
        want = skm.roc_auc_score(y, p, multi_class="ovr", average=avg, labels=CLASSES)
        assert m[f"roc_auc_ovr_{avg}"] == pytest.approx(want, rel=1e-12)
    assert m["log_loss"] == pytest.approx(skm.log_loss(y, p, labels=CLASSES), rel=1e-12)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, df["pred"].to_numpy()))
    for name in ("roc_auc_ovr_macro", "roc_auc_ovr_weighted", "log_loss"):
        b = res.bounds[name]
        assert b.low < m[name] < b.high and "bootstrap" in b.method, name
    table = next(d for d in res.details if isinstance(d, TableDetail) and d.name == "per_class")
    cols = table.columns
    assert cols[-3:] == ["roc_auc_ovr", "roc_auc_ovr_low", "roc_auc_ovr_high"]
    for row in table.rows:
        j = CLASSES.index(str(row[0]))
        want = _delong((y == row[0]).astype(int), p[:, j])
        assert row[-3] == pytest.approx(skm.roc_auc_score(y == row[0], p[:, j]), rel=1e-12)
        assert row[-3:] == pytest.approx(want, rel=1e-9)
    assert res.status is Status.PASS


def test_roc_auc_names_the_macro_auc_and_limits_judge_it() -> None:
    df = _frame(n=600, seed=4, signal=0.6)
    auc = skm.roc_auc_score(df["y"].to_numpy(), _proba(df), multi_class="ovr", labels=CLASSES)
    res = _run(df, metric="roc_auc", limit_fail=0.95)
    assert res.params["metric"] == "roc_auc_ovr_macro"
    assert res.metrics["roc_auc_ovr_macro"] == pytest.approx(auc)
    assert res.status is Status.FAIL and "whole interval" in res.message
    assert _run(df, metric="roc_auc_ovr_weighted", limit_fail=0.5).status is Status.PASS
    # log loss is an error: judged upwards
    loss = skm.log_loss(df["y"].to_numpy(), _proba(df), labels=CLASSES)
    assert _run(df, metric="log_loss", limit_fail=loss / 3).status is Status.FAIL
    assert _run(df, metric="log_loss", limit_fail=loss * 3).status is Status.PASS


def test_a_drop_from_the_reference_fails() -> None:
    res = _run(_frame(seed=5, signal=0.3), _frame(seed=6, signal=2.5))
    assert res.status is Status.FAIL
    assert res.metrics["reference_roc_auc_ovr_macro"] > res.metrics["roc_auc_ovr_macro"]
    assert res.bounds["roc_auc_ovr_macro_change"].high < -0.10


def test_prefix_without_prediction_column_predicts_the_most_probable_class() -> None:
    df = _frame(seed=7).drop("pred").with_columns(pl.col("y").replace({"a": "0"}))
    df = df.rename({"p_a": "p_0"})
    classes = ["0", "b", "c", "d"]
    res = _run(df, schema={"target": "y", "class_score_prefix": "p_"})
    y, p = df["y"].to_numpy(), _proba(df, classes)
    pred = np.asarray(classes)[p.argmax(axis=1)]
    assert res.metrics["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert res.metrics["f1_macro"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    # roc_auc_score wants its labels sorted: the columns reordered to the sorted classes
    order = np.argsort(classes)
    want = skm.roc_auc_score(y, p[:, order], multi_class="ovr", labels=sorted(classes))
    assert res.metrics["roc_auc_ovr_macro"] == pytest.approx(want, rel=1e-12)


def test_integer_labels_match_their_classes_by_text() -> None:
    df = _frame(seed=8)
    codes = {c: i for i, c in enumerate(CLASSES)}
    df = df.with_columns(pl.col("y").replace_strict(codes), pl.col("pred").replace_strict(codes))
    schema = {"target": "y", "prediction": "pred",
              "class_scores": {str(i): f"p_{c}" for i, c in enumerate(CLASSES)}}  # fmt: skip
    res = _run(df, schema=schema)
    want = skm.log_loss(df["y"].to_numpy(), _proba(df), labels=[0, 1, 2, 3])
    assert res.metrics["log_loss"] == pytest.approx(want, rel=1e-12)


def test_the_class_columns_are_kept_out_of_the_features() -> None:
    df = _frame(n=200)
    schema = infer_schema(df, overrides=SchemaOverrides(class_score_prefix="p_", target="y"))
    assert schema.class_scores == {c: f"p_{c}" for c in CLASSES}
    assert {schema[f"p_{c}"].role for c in CLASSES} == {Role.IGNORED}
    assert schema["pred"].role is Role.PREDICTION


# --- a fitted model object ---------------------------------------------------------------------


def test_a_fitted_multiclass_model_equals_scikit_learn() -> None:
    x, y = load_iris(return_X_y=True, as_frame=True)
    x.columns = [c.replace(" (cm)", "").replace(" ", "_") for c in x.columns]
    names = np.array(["setosa", "versicolor", "virginica"])
    fit = np.arange(y.size) % 3 == 0
    model = LogisticRegression(max_iter=2000, C=0.05).fit(x[fit], names[y[fit]])
    df = pl.from_pandas(x).with_columns(species=pl.Series(names[y]))
    cur, ref = df.filter(pl.Series(~fit)), df.filter(pl.Series(fit))
    result = Audit(
        cur, reference=ref, schema={"target": "species"}, model=model, suite="none",
        checks={ID: FAST},
    ).run()  # fmt: skip
    res = next(r for r in result.checks if r.id == ID)
    xs, ys = x[~fit], names[y[~fit]]
    p = model.predict_proba(xs)
    m = res.metrics
    assert res.params["metric"] == "roc_auc_ovr_macro"
    assert m["roc_auc_ovr_macro"] == pytest.approx(skm.roc_auc_score(ys, p, multi_class="ovr"))
    assert m["roc_auc_ovr_weighted"] == pytest.approx(
        skm.roc_auc_score(ys, p, multi_class="ovr", average="weighted")
    )
    assert m["log_loss"] == pytest.approx(skm.log_loss(ys, p, labels=model.classes_))
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(ys, model.predict(xs)))
    pr = model.predict_proba(x[fit])
    assert m["reference_log_loss"] == pytest.approx(skm.log_loss(names[y[fit]], pr))
    assert res.status is Status.PASS
    assert result.models[0].columns["probability of setosa"] == "model_proba_setosa"


def test_a_model_and_declared_class_columns_is_a_usage_error() -> None:
    x, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=2000).fit(x, y)
    with pytest.raises(ConfigError, match="class probability columns"):
        Audit(x, schema={"class_score_prefix": "p_"}, model=model)


# --- bad input ---------------------------------------------------------------------------------


def test_a_label_without_a_probability_column_leaves_the_probability_metrics_out() -> None:
    df = _frame(seed=9)
    schema = {**DECLARED, "class_scores": {c: f"p_{c}" for c in CLASSES[:3]}}
    res = _run(df, schema=schema)
    assert res.status is Status.PASS and res.params["metric"] == "accuracy"
    assert "roc_auc_ovr_macro" not in res.metrics and "log_loss" not in res.metrics
    assert "label(s) d have no probability column" in res.message
    res = _run(df, schema=schema, metric="roc_auc")
    assert res.status is Status.SKIPPED and "have no probability column" in res.message


def test_nan_probabilities_are_left_out_and_counted() -> None:
    df = _frame(seed=10)
    nan = pl.int_range(pl.len()) < 25
    df = df.with_columns(pl.when(nan).then(None).otherwise(pl.col("p_b")).alias("p_b"))
    res = _run(df)
    assert res.metrics["rows"] == df.height  # the confusion metrics keep every row
    assert "25 rows without every class's probability left out" in res.message
    keep = df.slice(25)
    want = skm.log_loss(keep["y"].to_numpy(), _proba(keep), labels=CLASSES)
    assert res.metrics["log_loss"] == pytest.approx(want, rel=1e-12)
    # without a prediction column, the predicted class needs every probability: rows dropped
    res = _run(df.drop("pred"), schema={k: v for k, v in DECLARED.items() if k != "prediction"})
    assert res.metrics["rows"] == df.height - 25 and "25 rows without" in res.message
    every = df.with_columns(pl.lit(None, pl.Float64).alias("p_c"))
    res = _run(every)
    assert "no row has every class's probability" in res.message.lower()
    assert res.status is Status.PASS and res.params["metric"] == "accuracy"


def test_one_class_only_keeps_the_log_loss_and_judges_accuracy() -> None:
    df = _frame(seed=11).with_columns(pl.lit("b").alias("y"))
    res = _run(df)
    assert res.params["task"] == "multiclass" and res.params["metric"] == "accuracy"
    assert res.metrics["roc_auc_ovr_macro"] is None and "one class only" in res.message
    want = skm.log_loss(df["y"].to_numpy(), _proba(df), labels=CLASSES)
    assert res.metrics["log_loss"] == pytest.approx(want, rel=1e-12)
    res = _run(df, metric="roc_auc")
    assert res.status is Status.SKIPPED and "undefined" in res.message


def test_a_class_without_labelled_rows_is_left_out_of_the_averages() -> None:
    df = _frame(seed=12).filter(pl.col("y") != "d")
    res = _run(df)
    y, p = df["y"].to_numpy(), _proba(df)
    aucs = [skm.roc_auc_score(y == c, p[:, j]) for j, c in enumerate(CLASSES[:3])]
    assert res.metrics["roc_auc_ovr_macro"] == pytest.approx(np.mean(aucs), rel=1e-12)
    support = [(y == c).sum() for c in CLASSES[:3]]
    weighted = np.average(aucs, weights=support)
    assert res.metrics["roc_auc_ovr_weighted"] == pytest.approx(weighted, rel=1e-12)
    assert "d have no labelled row" in res.message


def test_rows_not_summing_to_one_are_read_as_given_and_reported() -> None:
    df = _frame(seed=13).with_columns(
        pl.when(pl.int_range(pl.len()) < 30).then(pl.col("p_a") * 0.5).otherwise(pl.col("p_a"))
    )
    res = _run(df)
    y, p = df["y"].to_numpy(), _proba(df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scikit-learn warns, and reads them as given
        want = skm.log_loss(y, p, labels=CLASSES)
    assert res.metrics["log_loss"] == pytest.approx(want, rel=1e-12)
    aucs = [skm.roc_auc_score(y == c, p[:, j]) for j, c in enumerate(CLASSES)]
    assert res.metrics["roc_auc_ovr_macro"] == pytest.approx(np.mean(aucs), rel=1e-12)
    off = int((~np.isclose(p.sum(axis=1), 1.0)).sum())  # np.allclose's test, row by row
    assert 0 < off <= 30 and f"of {off} rows do not sum to 1" in res.message


def test_scores_outside_the_unit_interval_are_not_probabilities() -> None:
    df = _frame(seed=14).with_columns(pl.col("p_a") * 4 - 1)
    res = _run(df)
    assert "not probabilities" in res.message and "log_loss" not in res.metrics
    res = _run(df, metric="log_loss")
    assert res.status is Status.SKIPPED and "not probabilities" in res.message


def test_text_probability_columns_are_reported() -> None:
    df = _frame(seed=15).with_columns(pl.col("p_b").cast(pl.String))
    res = _run(df)
    assert res.status is Status.PASS and "p_b (String) not numeric" in res.message


def test_a_declared_column_the_data_lacks_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="class_scores.d"):
        _run(_frame(n=300).drop("p_d"))
    with pytest.raises(ConfigError, match="class_score_prefix"):
        _run(_frame(n=300), schema={"target": "y", "class_score_prefix": "prob_"})
    with pytest.raises(ValidationError, match="declared for the classes"):
        SchemaConfig(class_scores={"a": "p_a", "b": "p_a"})


def test_a_column_missing_from_the_rows_read_leaves_the_probability_metrics_out() -> None:
    """A saved baseline's rows can lack a column the current schema declares."""
    df = _frame(n=400, seed=16)
    schema = infer_schema(Dataset(df), overrides=SchemaOverrides(**DECLARED))
    assert isinstance(schema, Schema)
    frame = df.drop("p_c").with_columns(pl.lit(0, dtype=WINDOW_DTYPE).alias(WINDOW))
    data = WindowedData(
        spec=WindowSpec(rows=10**9, min_rows=1),
        windows=[Window(key=0, label="all rows", n_rows=df.height)],
        rows=frame,
    )
    rows = model_rows(data, schema)
    assert not isinstance(rows, str)
    ev = evaluate(rows, Settings(n_resamples=100))
    assert not isinstance(ev, str)
    assert "log_loss" not in ev.metrics and "p_c (c) not in the data" in " ".join(ev.notes)
    assert ev.metrics["accuracy"] == pytest.approx(
        skm.accuracy_score(df["y"].to_numpy(), df["pred"].to_numpy())
    )
