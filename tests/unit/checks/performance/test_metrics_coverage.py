"""Intervals of ``performance.metrics`` hold the true value at about their nominal rate.

Binary model in a seeded simulation: 30% positives, a latent score N(1, 1) for positives and
N(0, 1) for negatives, probability ``sigmoid(latent − 0.5)``, predicted positive at 0.5.  True
values: ROC AUC ``Φ(1/√2)``, accuracy ``Φ(0.5)``, KS ``Φ(0.5) − Φ(−0.5)`` (closed forms);
the others from scikit-learn on two million draws (Monte Carlo error about 10⁻³ of the
intervals' width).  Measured over 1,000 samples of 400 rows: 0.93 to 0.95 for every metric
but the KS statistic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from sklearn import metrics as skm

from mlaudit.checks.performance._evaluation import Evaluation, Settings, evaluate
from mlaudit.checks.performance._labels import ModelRows, ScoreScale

SIMS, N = 200, 1000


def _draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    y = (rng.random(n) < 0.3).astype(np.int8)
    p = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + y - 0.5)))
    return y, p


def _rows(y: np.ndarray, p: np.ndarray) -> ModelRows:
    scale = ScoreScale(True, 0.0, 1.0, 0.5, "higher_is_positive")
    pred = (p >= 0.5).astype(np.int8)
    return ModelRows("binary", np.zeros(y.size, np.int16), y, pred, p, "1", 0, "y", None, "p",
                     scale)  # fmt: skip


def _truth() -> dict[str, float]:
    y, p = _draw(np.random.default_rng(12345), 2_000_000)
    pred = p >= 0.5
    phi = sps.norm.cdf
    return {
        "roc_auc": float(phi(1 / math.sqrt(2))),
        "accuracy": float(phi(0.5)),
        "ks_statistic": float(phi(0.5) - phi(-0.5)),
        "precision": skm.precision_score(y, pred),
        "recall": skm.recall_score(y, pred),
        "f1": skm.f1_score(y, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
        "average_precision": skm.average_precision_score(y, p),
        "brier_score": skm.brier_score_loss(y, p),
        "log_loss": skm.log_loss(y, p),
    }


@pytest.mark.slow
def test_intervals_cover_the_truth_at_the_nominal_rate() -> None:
    truth = _truth()
    rng = np.random.default_rng(0)
    hits = dict.fromkeys(truth, 0)
    for seed in range(SIMS):
        ev = evaluate(_rows(*_draw(rng, N)), Settings(n_resamples=400, seed=seed))
        assert isinstance(ev, Evaluation)
        for name, value in truth.items():
            b = ev.bounds[name]
            hits[name] += b.low <= value <= b.high
    rates = {k: v / SIMS for k, v in hits.items()}
    # binomial(200, 0.95): 3 standard deviations is ±0.046; the KS statistic, a maximum, is
    # biased upwards on small samples and its interval holds the truth less often (0.84 at 400
    # rows, 0.93 at 2,000 rows, measured with the bias correction; 0.77 and 0.90 without)
    floors = {"ks_statistic": 0.85}
    low = {k: r for k, r in rates.items() if not floors.get(k, 0.9) <= r <= 0.995}
    assert not low, rates
    print(rates)
