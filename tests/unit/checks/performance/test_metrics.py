"""``performance.metrics``: every metric against scikit-learn, the intervals, the verdicts and
bad input (each a clear ``skipped`` result with its reason)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats as sps
from sklearn import metrics as skm

from mlaudit import Audit
from mlaudit.results import CheckResult, CurveDetail, Status, TableDetail

ID = "performance.metrics"
FAST = {"n_resamples": 200}


def _run(
    cur: pl.DataFrame, ref: pl.DataFrame | None = None, schema: dict[str, object] | None = None,
    **options: object,
) -> CheckResult:  # fmt: skip
    result = Audit(
        cur, reference=ref, suite="none", checks={ID: {**FAST, **options}},
        schema=schema or {"target": "y", "score": "score", "prediction": "pred"},
    ).run()  # fmt: skip
    return next(r for r in result.checks if r.id == ID)


def _binary(n: int = 3000, seed: int = 0, signal: float = 1.0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int64)
    score = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + signal * (2 * y - 1) - 0.8)))
    return pl.DataFrame({"x": rng.normal(size=n), "y": y, "score": score,
                         "pred": (score >= 0.4).astype(np.int64)})  # fmt: skip


def test_binary_metrics_equal_scikit_learn() -> None:
    df = _binary()
    res = _run(df)
    y, s, p = df["y"].to_numpy(), df["score"].to_numpy(), df["pred"].to_numpy()
    m = res.metrics
    expected = {
        "accuracy": skm.accuracy_score(y, p),
        "balanced_accuracy": skm.balanced_accuracy_score(y, p),
        "precision": skm.precision_score(y, p),
        "recall": skm.recall_score(y, p),
        "f1": skm.f1_score(y, p),
        "roc_auc": skm.roc_auc_score(y, s),
        "gini": 2 * skm.roc_auc_score(y, s) - 1,
        "average_precision": skm.average_precision_score(y, s),
        "log_loss": skm.log_loss(y, s),
        "brier_score": skm.brier_score_loss(y, s),
        "ks_statistic": sps.ks_2samp(s[y == 1], s[y == 0]).statistic,
    }
    for name, want in expected.items():
        assert m[name] == pytest.approx(want, abs=1e-12), name
        b = res.bounds[name]
        assert b.low <= m[name] <= b.high, name
    (tn, fp), (fn, tp) = skm.confusion_matrix(y, p)
    counts = [m[k] for k in ("true_negatives", "false_positives", "false_negatives")]
    assert [*counts, m["true_positives"]] == [tn, fp, fn, tp]
    ci = sps.binomtest(int((y == p).sum()), y.size).proportion_ci(method="wilson")
    assert (res.bounds["accuracy"].low, res.bounds["accuracy"].high) == pytest.approx(
        (ci.low, ci.high)
    )
    assert res.status is Status.PASS and res.column is None


def test_curves_and_threshold_table() -> None:
    df = _binary()
    res = _run(df, cost_fp=1.0, cost_fn=5.0)
    y, s = df["y"].to_numpy(), df["score"].to_numpy()
    roc = next(d for d in res.details if isinstance(d, CurveDetail) and d.name == "roc_curve")
    fpr, tpr, _ = skm.roc_curve(y, s, drop_intermediate=False)
    xs = roc.curves["current"]["x"]
    assert len(xs) <= 200 and xs[0] == 0.0 and xs[-1] == 1.0
    assert np.interp(0.3, fpr, tpr) == pytest.approx(
        np.interp(0.3, xs, roc.curves["current"]["y"]), abs=0.02
    )
    # recommended threshold: the minimum expected cost over every distinct score, brute force
    cand = np.r_[np.unique(s), np.inf]
    costs = [((s >= t) & (y == 0)).sum() + 5 * ((s < t) & (y == 1)).sum() for t in cand]
    assert res.metrics["expected_cost_at_recommended"] == pytest.approx(min(costs) / y.size)
    table = next(d for d in res.details if isinstance(d, TableDetail) and d.name == "thresholds")
    row = next(r for r in table.rows if r[0] == 0.5)
    flagged = s >= 0.5
    assert row[3] == pytest.approx(skm.precision_score(y, flagged))
    assert row[4] == pytest.approx(skm.recall_score(y, flagged))
    assert row[6] == pytest.approx(
        ((flagged & (y == 0)).sum() + 5 * ((~flagged) & (y == 1)).sum()) / y.size
    )


def test_multiclass_metrics_equal_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    y = rng.choice(["a", "b", "c", "d"], 2000, p=[0.4, 0.3, 0.2, 0.1])
    pred = np.where(rng.random(2000) < 0.7, y, rng.choice(["a", "b", "c", "d"], 2000))
    res = _run(pl.DataFrame({"y": y, "pred": pred}), schema={"target": "y", "prediction": "pred"})
    m = res.metrics
    assert res.params["task"] == "multiclass"
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert m["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    for avg in ("macro", "weighted"):
        assert m[f"precision_{avg}"] == pytest.approx(skm.precision_score(y, pred, average=avg))
        assert m[f"recall_{avg}"] == pytest.approx(skm.recall_score(y, pred, average=avg))
        assert m[f"f1_{avg}"] == pytest.approx(skm.f1_score(y, pred, average=avg))
        assert res.bounds[f"f1_{avg}"].low < m[f"f1_{avg}"] < res.bounds[f"f1_{avg}"].high
    cm = next(d for d in res.details if isinstance(d, TableDetail) and d.name == "confusion_matrix")
    want = skm.confusion_matrix(y, pred, labels=["a", "b", "c", "d"])
    assert [r[1:] for r in cm.rows] == want.tolist()


def test_regression_metrics_equal_scikit_learn() -> None:
    rng = np.random.default_rng(4)
    y = rng.normal(50, 10, 3000)
    y[:30] = 0.0
    pred = y + rng.normal(0, 3, 3000)
    res = _run(pl.DataFrame({"y": y, "pred": pred}), schema={"target": "y", "prediction": "pred"})
    m, nz = res.metrics, y != 0
    assert res.params["task"] == "regression"
    assert m["mae"] == pytest.approx(skm.mean_absolute_error(y, pred))
    assert m["rmse"] == pytest.approx(math.sqrt(skm.mean_squared_error(y, pred)))
    assert m["r2"] == pytest.approx(skm.r2_score(y, pred))
    assert m["median_absolute_error"] == pytest.approx(skm.median_absolute_error(y, pred))
    assert m["mape"] == pytest.approx(skm.mean_absolute_percentage_error(y[nz], pred[nz]))
    assert m["mape_rows_excluded"] == 30
    assert "label is 0" in res.message
    for name in ("mae", "rmse", "mape", "r2", "median_absolute_error"):
        assert res.bounds[name].low <= m[name] <= res.bounds[name].high
    kinds = {d.name: d.kind for d in res.details}
    assert kinds["residuals"] == "distribution" and kinds["residuals_by_prediction"] == "table"


def test_drop_from_the_reference_fails_when_the_whole_interval_is_beyond() -> None:
    res = _run(_binary(seed=1, signal=0.3), _binary(seed=2, signal=1.5))
    assert res.status is Status.FAIL
    assert res.metrics["reference_roc_auc"] > res.metrics["roc_auc"]
    b = res.bounds["roc_auc_change"]
    assert b.high < -0.10
    assert "fail limit 0.1 over its whole interval" in res.message


def test_same_model_same_data_passes_against_the_reference() -> None:
    res = _run(_binary(seed=5), _binary(seed=6))
    assert res.status is Status.PASS
    b = res.bounds["roc_auc_change"]
    assert b.low < 0 < b.high


def test_a_limit_inside_the_interval_is_inconclusive() -> None:
    df = _binary(n=300, seed=8)
    auc = skm.roc_auc_score(df["y"].to_numpy(), df["score"].to_numpy())
    # fail limit just above the estimate, inside the interval: inconclusive, a warning
    res = _run(df, limit_fail=auc + 0.01)
    assert res.status is Status.WARN and "inconclusive" in res.message
    # far above: the whole interval lies below it
    assert _run(df, limit_fail=0.99).status is Status.FAIL
    # below the estimate but inside the interval: a pass that says so
    res = _run(df, limit_warn=auc - 0.01)
    assert res.status is Status.PASS and "inside the interval" in res.message


def test_error_metric_limits_judge_upwards() -> None:
    rng = np.random.default_rng(9)
    y = rng.normal(0, 1, 2000)
    df = pl.DataFrame({"y": y, "pred": y + rng.normal(0, 1, 2000)})
    schema = {"target": "y", "prediction": "pred"}
    assert _run(df, schema=schema, limit_fail=0.5).status is Status.FAIL  # MAE ≈ 0.8
    assert _run(df, schema=schema, limit_fail=2.0).status is Status.PASS


# --- bad input -------------------------------------------------------------------------------


def test_one_class_only_is_skipped_with_the_reason() -> None:
    df = _binary().with_columns(pl.lit(0, dtype=pl.Int64).alias("y"))
    res = _run(df)
    assert res.status is Status.SKIPPED and "one class only" in res.message


def test_scores_outside_the_unit_interval_leave_out_log_loss() -> None:
    df = _binary().with_columns((pl.col("score") * 10 - 3).alias("score"))
    res = _run(df)
    assert res.status is Status.PASS
    assert "log_loss" not in res.metrics and "need probabilities" in res.message
    assert res.metrics["roc_auc"] == pytest.approx(
        skm.roc_auc_score(df["y"].to_numpy(), df["score"].to_numpy())
    )
    res = _run(df, metric="log_loss")
    assert res.status is Status.SKIPPED and "not probabilities" in res.message


def test_nan_scores_are_left_out_and_counted() -> None:
    df = _binary().with_columns(
        pl.when(pl.int_range(pl.len()) < 10).then(float("nan")).otherwise(pl.col("score"))
        .alias("score")
    )  # fmt: skip
    res = _run(df)
    assert res.metrics["rows"] == df.height - 10
    assert res.status is Status.PASS


def test_positive_label_not_among_the_classes_is_skipped() -> None:
    res = _run(_binary(), positive_label="yes")
    assert res.status is Status.SKIPPED and "positive_label 'yes'" in res.message


def test_prediction_of_the_wrong_type_is_skipped() -> None:
    df = _binary().with_columns(pl.col("pred").cast(pl.String).replace({"1": "yes", "0": "no"}))
    res = _run(df)
    assert res.status is Status.SKIPPED and "prediction column pred is String" in res.message


def test_no_labels_is_skipped() -> None:
    res = _run(_binary().drop("y"), schema={"score": "score", "prediction": "pred"})
    assert res.status is Status.SKIPPED and "target" in res.message
