"""stats.boosting: the classifier against a hand calculation of one Newton step, against
scikit-learn's HistGradientBoostingClassifier on the same folds (strength), against
hand-calculated best possible AUCs, and against scikit-learn's log-loss for its held-out loss;
determinism, early stopping, binning, input validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import log_loss, roc_auc_score
from threadpoolctl import threadpool_limits

from mlaudit.errors import ConfigError, DataError
from mlaudit.stats._auc import delong_auc
from mlaudit.stats.boosting import GradientBoostedTrees, stratified_folds

# --- one Newton step by hand ------------------------------------------------------------------


def test_one_stump_is_one_newton_step() -> None:
    # x = 0 for four rows (labels 0 0 0 1), x = 1 for four rows (labels 1 1 1 0).  Prior
    # log-odds 0, so p = 1/2 everywhere: g = p - y = 1/2 - y, h = p (1 - p) = 1/4.
    # Left: G = 4/2 - 1 = 1, H = 1, leaf -G/H = -1; right: G = 2 - 3 = -1, leaf +1.
    x = np.r_[np.zeros(4), np.ones(4)][:, None]
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    model = GradientBoostedTrees(
        max_iter=1, learning_rate=1.0, max_depth=1, min_samples_leaf=1, early_stopping=False
    ).fit(x, y)
    assert model.n_iter_ == 1
    assert model.decision_function([[0.0], [1.0]]) == pytest.approx([-1.0, 1.0], abs=1e-12)
    proba = model.predict_proba([[0.0], [1.0], [0.2]])
    # new values are binned with the training edge (halfway, 0.5): 0.2 goes left
    assert proba[:, 1] == pytest.approx(special.expit([-1.0, 1.0, -1.0]), abs=1e-15)
    assert proba.sum(axis=1) == pytest.approx(1.0, abs=1e-15)


def test_a_node_below_min_samples_leaf_stays_a_leaf() -> None:
    # 30 rows of x = 0 (label 0) and 10 of x = 1 (label 1): the split leaves 10 < 20 rows on
    # one side, so with min_samples_leaf=20 no tree splits and every row scores the prior
    x = np.r_[np.zeros(30), np.ones(10)][:, None]
    y = np.r_[np.zeros(30), np.ones(10)].astype(int)
    model = GradientBoostedTrees(max_iter=5, early_stopping=False).fit(x, y)
    prior = math.log(10 / 30)
    # each tree is one leaf; at the prior p = 1/4 its gradient sum is 40/4 - 10 = 0, so its
    # Newton step is 0 and the scores stay at the prior log-odds
    assert model.decision_function(x) == pytest.approx(np.full(40, prior), abs=1e-12)
    split = GradientBoostedTrees(max_iter=5, min_samples_leaf=10, early_stopping=False)
    assert roc_auc_score(y, split.fit(x, y).decision_function(x)) == 1.0


# --- strength against scikit-learn -------------------------------------------------------------

N = 3000  # rows per period


def _task(kind: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref, cur = rng.normal(size=(N, 6)), rng.normal(size=(N, 6))
    if kind == "mean":
        cur[:, 0] += 0.4
    elif kind == "variance":
        cur[:, 1] *= 1.5
    elif kind == "correlation":  # +0.6 in the reference, -0.6 now; marginals unchanged
        for m, rho in ((ref, 0.6), (cur, -0.6)):
            m[:, 1] = rho * m[:, 0] + math.sqrt(1 - rho**2) * m[:, 1]
    elif kind == "categorical":  # one-hot levels with new frequencies, one stable categorical
        p_ref, p_cur = [0.4, 0.3, 0.2, 0.1], [0.25] * 4
        ref = np.column_stack([np.eye(4)[rng.choice(4, N, p=p_ref)], np.eye(3)[rng.choice(3, N)]])
        cur = np.column_stack([np.eye(4)[rng.choice(4, N, p=p_cur)], np.eye(3)[rng.choice(3, N)]])
    y = np.r_[np.zeros(N, dtype=np.int64), np.ones(N, dtype=np.int64)]
    return np.vstack([ref, cur]), y


def _oof_auc(make: object, x: np.ndarray, y: np.ndarray, seed: int = 0) -> float:
    scores = np.empty(len(y))
    for train, test in stratified_folds(y, 2, seed):
        model = make()  # type: ignore[operator]
        scores[test] = model.fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    return float(roc_auc_score(y, scores))


# best possible AUCs, by hand: a mean shift d of one N(0, 1) column gives Phi(d / sqrt(2));
# categorical frequencies p -> q give sum over level pairs ranked by q/p (see the test)
BEST_MEAN = float(stats.norm.cdf(0.4 / math.sqrt(2)))
BEST_CATEGORICAL = 0.625


@pytest.mark.parametrize("kind", ["mean", "variance", "correlation", "categorical", "none"])
def test_as_strong_as_sklearn_on_the_same_folds(kind: str) -> None:
    x, y = _task(kind)
    ours = _oof_auc(lambda: GradientBoostedTrees(seed=0), x, y)
    with threadpool_limits(limits=1, user_api="openmp"):
        theirs = _oof_auc(lambda: HistGradientBoostingClassifier(random_state=0), x, y)
    assert ours == pytest.approx(theirs, abs=0.02)
    if kind == "none":
        assert abs(ours - 0.5) < 0.03 and abs(theirs - 0.5) < 0.03
    else:
        assert min(ours, theirs) > 0.54  # the planted drift is found by both
    if kind == "mean":
        assert ours < BEST_MEAN + 0.02  # nothing beats the Bayes classifier beyond noise
    if kind == "correlation":  # the drift no single column shows
        assert min(ours, theirs) > 0.7
    if kind == "categorical":
        # reference .4 .3 .2 .1, current .25 each; levels ranked by q/p: 4th, 3rd, 2nd, 1st.
        # P(current above reference) = .25 (.9 + .7 + .4) = .5; ties: .25 (.1+.2+.3+.4)/2 =
        # .125; best AUC .625, reached up to sampling noise
        assert ours == pytest.approx(BEST_CATEGORICAL, abs=0.02)


def test_no_drift_rarely_raises_the_alarm() -> None:
    aucs, alarms = [], 0
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        x = rng.normal(size=(1000, 5))
        y = np.r_[np.zeros(500, dtype=np.int64), np.ones(500, dtype=np.int64)]
        scores = np.empty(1000)
        for train, test in stratified_folds(y, 2, seed):
            model = GradientBoostedTrees(seed=seed).fit(x[train], y[train])
            scores[test] = model.predict_proba(x[test])[:, 1]
        ci = delong_auc(y, scores)
        aucs.append(ci.auc)
        alarms += ci.low > 0.5
    # one-sided 2.5 % per run: 0.5 expected in 20; four or more has probability 0.002
    assert alarms <= 3
    assert abs(float(np.mean(aucs)) - 0.5) < 0.015  # centred on "indistinguishable"
    assert float(np.std(aucs)) < 0.04  # null sd of an AUC on 500 + 500 rows: about 0.018


# --- determinism, early stopping, binning -----------------------------------------------------


def test_two_fits_give_identical_scores() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(12_000, 4))
    y = (x[:, 0] + rng.normal(size=12_000) > 0).astype(int)
    a = GradientBoostedTrees(seed=3).fit(x, y)
    b = GradientBoostedTrees(seed=3).fit(x.copy(), y.copy())
    assert a.n_iter_ == b.n_iter_
    assert np.array_equal(a.decision_function(x), b.decision_function(x))
    assert np.array_equal(a.predict_proba(x), b.predict_proba(x))
    assert a.validation_loss_ == b.validation_loss_


def test_early_stopping_stops_on_noise_by_its_rule() -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(size=(12_000, 5))
    y = rng.integers(0, 2, 12_000)
    model = GradientBoostedTrees(seed=1).fit(x, y)
    assert model.n_iter_ < 50
    losses = model.validation_loss_
    assert len(losses) == model.n_iter_ + 1  # before the first tree and after each
    # the rule, by its definition: the last 10 losses none below the one before them - tol,
    # and it did not hold earlier
    assert not any(v < losses[-11] - 1e-7 for v in losses[-10:])
    for end in range(11, len(losses)):
        assert any(v < losses[end - 11] - 1e-7 for v in losses[end - 10 : end])
    # the held-out rows are the first of 10 stratified folds; their loss, by scikit-learn
    held_out = stratified_folds(y, 10, seed=1)[0][1]
    p = model.predict_proba(x[held_out])[:, 1]
    assert losses[-1] == pytest.approx(log_loss(y[held_out], p), abs=1e-12)
    full = GradientBoostedTrees(seed=1, early_stopping=False, max_iter=60).fit(x, y)
    assert full.n_iter_ == 60 and full.validation_loss_ == []
    small = GradientBoostedTrees(max_iter=30).fit(x[:2000], y[:2000])  # "auto": off
    assert small.n_iter_ == 30


def test_few_distinct_values_get_one_bin_each() -> None:
    # 40 distinct integers, max_bins 64: every value its own bin, so a threshold between any
    # two neighbours is available and x >= 23 is learnt exactly
    x = np.repeat(np.arange(40.0), 30)[:, None]
    y = (x[:, 0] >= 23).astype(int)
    model = GradientBoostedTrees(max_bins=64, max_iter=20, early_stopping=False).fit(x, y)
    d = model.decision_function(np.arange(40.0)[:, None])
    assert np.all(d[23:] > 0) and np.all(d[:23] < 0)
    # unseen values fall in the bin of the nearest edge: 22.4 below the edge 22.5, 22.6 above
    assert model.decision_function([[22.4], [22.6], [-5.0], [99.0]]).tolist() == [
        d[22],
        d[23],
        d[0],
        d[39],
    ]


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        ([[0.0], [float("nan")]], [0, 1], "NaN or infinite"),
        ([[0.0], [float("inf")]], [0, 1], "NaN or infinite"),
        ([0.0, 1.0], [0, 1], "2-D"),
        ([[0.0], [1.0]], [0, 1, 1], "labels"),
        ([[0.0], [1.0]], [1, 1], "both labels"),
        ([[0.0], [1.0]], [0, 2], "both labels"),
        (np.empty((0, 3)), [], "empty"),
    ],
)
def test_bad_training_data_is_rejected(x: object, y: object, match: str) -> None:
    with pytest.raises(DataError, match=match) as err:
        GradientBoostedTrees().fit(x, y)  # type: ignore[arg-type]
    assert isinstance(err.value, ValueError)


def test_bad_prediction_input_and_parameters_are_rejected() -> None:
    with pytest.raises(DataError, match="not fitted"):
        GradientBoostedTrees().decision_function([[0.0]])
    model = GradientBoostedTrees(max_iter=2).fit([[0.0, 1.0], [1.0, 0.0]] * 20, [0, 1] * 20)
    with pytest.raises(DataError, match="fitted on 2"):
        model.predict_proba([[0.0, 1.0, 2.0]])
    with pytest.raises(DataError, match="NaN or infinite"):
        model.predict_proba([[0.0, float("nan")]])
    for bad in ({"max_bins": 300}, {"max_depth": 0}, {"learning_rate": 0.0}, {"tol": -1.0}):
        with pytest.raises(ConfigError):
            GradientBoostedTrees(**bad)
