"""stats.calibration: the isotonic calibrator against scikit-learn's IsotonicRegression, the
expected calibration errors against scikit-learn's calibration curve and out-of-fold
predictions, the bootstrap calibrators against isotonic fits on the resamples."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import cross_val_predict
from tests.unit.stats._scores import distorted

from mlaudit.errors import DataError
from mlaudit.stats._calibration import expected_calibration_error, fit_calibration
from mlaudit.stats._folds import stratified_folds


def test_transform_matches_sklearn_isotonic() -> None:
    rng = np.random.default_rng(1)
    s, y = distorted(rng, 2000)
    cal = fit_calibration(s, y)
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(s, y)
    new = np.r_[rng.uniform(-0.5, 1.5, 500), s[:100]]
    np.testing.assert_allclose(cal.transform(new), iso.predict(new), atol=1e-12)
    assert (cal.n_reference, cal.n_positive) == (2000, int(y.sum()))


def _ece_by_sklearn(prob: np.ndarray, y: np.ndarray, n_bins: int = 10) -> float:
    """ECE from sklearn's calibration curve; bins (lo, hi] with 0 in the first, as sklearn's."""
    frac_pos, mean_prob = calibration_curve(y, prob, n_bins=n_bins, strategy="uniform")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.array([np.sum((prob > lo) & (prob <= hi)) for lo, hi in itertools.pairwise(edges)])
    counts[0] += np.sum(prob == 0.0)
    return float(np.sum(counts[counts > 0] / prob.size * np.abs(frac_pos - mean_prob)))


def test_ece_before_and_after_against_sklearn() -> None:
    rng = np.random.default_rng(2)
    s, y = distorted(rng, 4000)
    cal = fit_calibration(s, y, seed=4)
    assert cal.ece_before == pytest.approx(_ece_by_sklearn(s, y), abs=1e-12)
    folds = stratified_folds(y, 5, seed=4)  # the folds are tested in test_folds
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1)
    oof = cross_val_predict(iso, s, y, cv=folds)
    assert cal.ece_after == pytest.approx(_ece_by_sklearn(oof, y), abs=1e-12)
    assert cal.ece_before > 0.1 > 0.03 > cal.ece_after
    assert expected_calibration_error(s, y) == pytest.approx(cal.ece_before)
    np.testing.assert_allclose(cal.bin_edges, np.linspace(0, 1, 11))


@pytest.mark.parametrize("n_bins", [1, 2, 10, 33, 40])
def test_ece_on_values_at_the_bin_edges_against_sklearn(n_bins: int) -> None:
    # Probabilities exactly on the edges belong to the bin below (calibration_curve's rule);
    # few bins are found by one comparison per edge, many (over 32 inner edges) by search.
    rng = np.random.default_rng(n_bins)
    p = np.concatenate([np.linspace(0.0, 1.0, n_bins + 1).repeat(30), rng.random(3000)])
    y = (rng.random(p.size) < p).astype(np.int8)  # labels as the windows keep them: int8
    assert expected_calibration_error(p, y, n_bins=n_bins) == pytest.approx(
        _ece_by_sklearn(p, y, n_bins), abs=1e-12
    )


@pytest.mark.parametrize("labels", [[0, 2], [-1, 1], [0.5, 1.0], ["a", "b"]])
def test_labels_other_than_zero_and_one_are_refused(labels: list[object]) -> None:
    from mlaudit.stats._calibration import zero_one

    with pytest.raises(DataError, match="0/1"):
        zero_one(np.array(labels * 5), "labels")
    assert zero_one(np.array([True, False]), "y").tolist() == [1.0, 0.0]
    assert zero_one(np.array([0, 1], dtype=np.uint8), "y").dtype == np.float64


def test_ece_before_is_nan_for_scores_that_are_not_probabilities() -> None:
    rng = np.random.default_rng(3)
    s, y = distorted(rng, 1000)
    cal = fit_calibration(np.log(s), y)  # same order, not in [0, 1]
    assert math.isnan(cal.ece_before) and cal.ece_after < 0.05


@pytest.mark.parametrize(
    ("scores", "labels", "message"),
    [
        ([0.1, 0.2, 0.3], [0, 1, 2], "labels must hold 0/1"),
        ([0.1, 0.2, 0.3], ["no", "yes", "no"], "labels must hold 0/1"),
        ([0.1, np.nan, 0.3], [0, 1, 0], "1 NaN or infinite"),
        ([0.1, 0.2], [0, 1, 0], "scores has 2, labels has 3"),
        (np.linspace(0, 1, 30), np.r_[np.zeros(25), np.ones(5)], "5 positive and 25 negative"),
        (np.linspace(0, 1, 30), np.zeros(30), "0 positive and 30 negative"),
    ],
)
def test_fit_calibration_rejects_bad_reference(
    scores: object, labels: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        fit_calibration(scores, labels)  # type: ignore[arg-type]
    assert isinstance(info.value, DataError) and info.value.fix


def test_bootstrap_calibrators_are_sklearn_isotonic_fits_on_resamples() -> None:
    rng = np.random.default_rng(11)
    s, y = distorted(rng, 3000)
    s = np.round(s, 3)  # ties, pooled as scikit-learn pools them
    cal = fit_calibration(s, y, seed=7, n_boot=4)
    assert cal.n_boot == 4
    # the resamples: rows drawn uniformly with replacement from the generator seeded [seed, 0xB007]
    draw = np.random.default_rng([7, 0xB007])
    new = np.r_[rng.uniform(-0.2, 1.2, 400), s[:100]]
    boot = cal.transform_bootstrap(new)
    assert boot.shape == (4, new.size)
    grid, values = cal.bootstrap_grid
    for b in range(4):
        idx = draw.integers(0, s.size, s.size)
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(s[idx], y[idx])
        np.testing.assert_allclose(boot[b], iso.predict(new), atol=1e-12)
        np.testing.assert_allclose(cal.bootstrap[b][0], iso.X_thresholds_, atol=0)
        # the common grid represents each calibrator exactly
        np.testing.assert_allclose(np.interp(new, grid, values[b]), boot[b], atol=1e-12)
    # the calibrator itself does not depend on the bootstrap
    plain = fit_calibration(s, y, seed=7)
    np.testing.assert_array_equal(plain.x_thresholds, cal.x_thresholds)
    np.testing.assert_array_equal(plain.y_thresholds, cal.y_thresholds)
    assert plain.n_boot == 0 and plain.transform_bootstrap(new).shape == (0, new.size)


def test_a_large_reference_is_fitted_on_a_seeded_subsample_and_says_so() -> None:
    rng = np.random.default_rng(12)
    s, y = distorted(rng, 6000)
    cal = fit_calibration(s, y, seed=3, n_boot=3, bootstrap_rows=500, fit_rows=2000)
    # the subsample: 2,000 rows drawn without replacement by the generator seeded [seed, 0xF17]
    keep = np.sort(np.random.default_rng([3, 0xF17]).choice(s.size, 2000, replace=False))
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(s[keep], y[keep])
    new = np.r_[rng.uniform(-0.2, 1.2, 400), s[:100]]
    np.testing.assert_allclose(cal.transform(new), iso.predict(new), atol=1e-12)
    # the raw scores' ECE reads every row; the counts are the whole reference's
    assert cal.ece_before == pytest.approx(_ece_by_sklearn(s, y), abs=1e-12)
    assert (cal.n_reference, cal.n_positive) == (6000, int(y.sum()))
    assert (cal.n_fit_rows, cal.fitted_rows, cal.n_bootstrap_rows) == (2000, 2000, 500)
    assert cal.spread_scale == pytest.approx(math.sqrt(500 / 2000))  # to the rows fitted
    # no subsample when the reference fits: the same calibration as by default
    whole = fit_calibration(s, y, seed=3, n_boot=3, bootstrap_rows=500, fit_rows=6000)
    default = fit_calibration(s, y, seed=3, n_boot=3, bootstrap_rows=500)
    np.testing.assert_array_equal(whole.y_thresholds, default.y_thresholds)
    assert whole.n_fit_rows == 0 and whole.fitted_rows == 6000
    assert whole.spread_scale == pytest.approx(math.sqrt(500 / 6000))
    assert whole.ece_after == default.ece_after
