"""stats.boosting._shuffled: incremental shuffled scores against scoring shuffled rows."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from mlaudit.stats.boosting import GradientBoostedTrees


def test_shuffled_decisions_equal_scoring_shuffled_rows() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4000, 6))
    y = ((x[:, 0] * x[:, 1] > 0) ^ (rng.random(4000) < 0.2)).astype(int)
    model = GradientBoostedTrees(max_iter=40).fit(x, y)
    rows = x[:1500]
    shuffled = model.shuffled_decisions(rows)
    assert np.array_equal(shuffled.baseline, model.decision_function(rows))
    for cols in ([0], [1, 4], [5], [0, 1, 2, 3, 4, 5]):
        perm = rng.permutation(1500)
        by_hand = rows.copy()
        by_hand[:, cols] = rows[perm][:, cols]
        assert np.array_equal(shuffled(cols, perm), model.decision_function(by_hand))
    # shuffling an unused column changes nothing; shuffling the used ones destroys the signal
    auc = roc_auc_score(y[:1500], shuffled.baseline)
    assert auc > 0.75
    assert roc_auc_score(y[:1500], shuffled([0], rng.permutation(1500))) < auc - 0.15
