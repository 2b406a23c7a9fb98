"""Weighted model metrics against scikit-learn and scipy on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from sklearn import metrics as skm

from mlaudit.stats._metrics import (
    binary_rank_metrics,
    binary_score_metrics,
    confusion_metrics,
    regression_metrics,
)


def _binary(seed: int, n: int = 500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1)
    p[:20] = np.round(p[:20], 1)  # ties
    return y, p


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_binary_metrics_equal_sklearn(seed: int) -> None:
    y, p = _binary(seed)
    one = np.ones((1, y.size))
    s = binary_score_metrics(y, p, one)
    r = binary_rank_metrics(y, p, one)
    assert s["log_loss"][0] == pytest.approx(skm.log_loss(y, p), rel=1e-12)
    assert s["brier_score"][0] == pytest.approx(skm.brier_score_loss(y, p), rel=1e-12)
    assert r["average_precision"][0] == pytest.approx(skm.average_precision_score(y, p), rel=1e-12)
    assert r["roc_auc"][0] == pytest.approx(skm.roc_auc_score(y, p), rel=1e-12)
    ks = sps.ks_2samp(p[y == 1], p[y == 0]).statistic
    assert r["ks_statistic"][0] == pytest.approx(ks, rel=1e-12)


def test_binary_metrics_with_sample_weights_equal_sklearn() -> None:
    y, p = _binary(3)
    w = np.random.default_rng(3).integers(0, 4, y.size).astype(float)
    ww = np.vstack([w, np.ones(y.size)])
    s = binary_score_metrics(y, p, ww)
    r = binary_rank_metrics(y, p, ww)
    assert s["log_loss"][0] == pytest.approx(skm.log_loss(y, p, sample_weight=w))
    assert s["brier_score"][0] == pytest.approx(skm.brier_score_loss(y, p, sample_weight=w))
    assert r["average_precision"][0] == pytest.approx(
        skm.average_precision_score(y, p, sample_weight=w)
    )
    assert r["roc_auc"][0] == pytest.approx(skm.roc_auc_score(y, p, sample_weight=w))
    assert r["roc_auc"][1] == pytest.approx(skm.roc_auc_score(y, p))


def test_binary_rank_metrics_undefined_with_one_class() -> None:
    y = np.ones(10, dtype=int)
    r = binary_rank_metrics(y, np.linspace(0, 1, 10), np.ones((1, 10)))
    assert all(np.isnan(v[0]) for v in r.values())


@pytest.mark.parametrize("seed", [0, 1])
def test_regression_metrics_equal_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(10, 3, 401)
    y[:7] = 0.0
    pred = y + rng.normal(0, 1, y.size)
    m = regression_metrics(y, pred, np.ones((1, y.size)))
    nz = y != 0
    assert m["mae"][0] == pytest.approx(skm.mean_absolute_error(y, pred))
    assert m["rmse"][0] == pytest.approx(np.sqrt(skm.mean_squared_error(y, pred)))
    assert m["r2"][0] == pytest.approx(skm.r2_score(y, pred))
    assert m["median_absolute_error"][0] == pytest.approx(skm.median_absolute_error(y, pred))
    assert m["mape"][0] == pytest.approx(
        skm.mean_absolute_percentage_error(y[nz], pred[nz]), rel=1e-12
    )
    # an even count: the median is the mean of the two middle values
    even = regression_metrics(y[:400], pred[:400], np.ones((1, 400)))
    assert even["median_absolute_error"][0] == pytest.approx(
        skm.median_absolute_error(y[:400], pred[:400])
    )


def test_regression_metrics_with_sample_weights_equal_sklearn() -> None:
    rng = np.random.default_rng(5)
    y = rng.normal(0, 1, 300)
    pred = y + rng.normal(0, 0.5, 300)
    w = rng.integers(1, 4, 300).astype(float)
    m = regression_metrics(y, pred, w[None, :])
    assert m["mae"][0] == pytest.approx(skm.mean_absolute_error(y, pred, sample_weight=w))
    assert m["r2"][0] == pytest.approx(skm.r2_score(y, pred, sample_weight=w))
    assert m["median_absolute_error"][0] == pytest.approx(
        np.median(np.repeat(np.abs(y - pred), w.astype(int)))
    )


def test_r2_is_nan_for_constant_labels() -> None:
    y = np.full(10, 3.0)
    assert np.isnan(regression_metrics(y, y + 1, np.ones((1, 10)))["r2"][0])


def test_confusion_metrics_equal_sklearn_binary_and_multiclass() -> None:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 300)
    p = np.where(rng.random(300) < 0.8, y, 1 - y)
    c = skm.confusion_matrix(y, p).astype(float)[None]
    m = confusion_metrics(c)
    assert m["accuracy"][0] == pytest.approx(skm.accuracy_score(y, p))
    assert m["balanced_accuracy"][0] == pytest.approx(skm.balanced_accuracy_score(y, p))
    assert m["precision"][0] == pytest.approx(skm.precision_score(y, p))
    assert m["recall"][0] == pytest.approx(skm.recall_score(y, p))
    assert m["f1"][0] == pytest.approx(skm.f1_score(y, p))
    y3 = rng.integers(0, 4, 500)
    p3 = np.where(rng.random(500) < 0.6, y3, rng.integers(0, 4, 500))
    c3 = skm.confusion_matrix(y3, p3).astype(float)[None]
    m3 = confusion_metrics(c3)
    assert m3["accuracy"][0] == pytest.approx(skm.accuracy_score(y3, p3))
    assert m3["balanced_accuracy"][0] == pytest.approx(skm.balanced_accuracy_score(y3, p3))
    for avg in ("macro", "weighted"):
        assert m3[f"precision_{avg}"][0] == pytest.approx(skm.precision_score(y3, p3, average=avg))
        assert m3[f"recall_{avg}"][0] == pytest.approx(skm.recall_score(y3, p3, average=avg))
        assert m3[f"f1_{avg}"][0] == pytest.approx(skm.f1_score(y3, p3, average=avg))


def test_median_of_many_weightings_equals_numpy_on_repeated_rows() -> None:
    rng = np.random.default_rng(11)
    y = rng.normal(0, 1, 101)
    pred = np.zeros(101)
    w = rng.poisson(1.0, (6, 101)).astype(np.float32)
    got = regression_metrics(y, pred, w)["median_absolute_error"]
    for j in range(6):
        want = np.median(np.repeat(np.abs(y), w[j].astype(int)))
        assert got[j] == pytest.approx(want)
