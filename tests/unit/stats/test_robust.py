"""Robust z-scores and fences against scipy and hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mlaudit.stats._robust import (
    MAD_TO_SD,
    MEANAD_TO_SD,
    TUKEY_FAR_Z,
    robust_scale,
    robust_z,
    tukey_fences,
)


def test_robust_z_matches_scipy_mad() -> None:
    x = np.random.default_rng(0).lognormal(size=1001)
    expected = (x - np.median(x)) / stats.median_abs_deviation(x, scale="normal")
    np.testing.assert_allclose(robust_z(x), expected, rtol=1e-12)


def test_constants_match_normal_distribution() -> None:
    q3 = stats.norm.ppf(0.75)
    assert pytest.approx(1 / q3, rel=1e-12) == MAD_TO_SD
    assert pytest.approx(np.sqrt(np.pi / 2), rel=1e-12) == MEANAD_TO_SD
    # Tukey's far-out fence of a standard normal, Q3 + 3 IQR = 7 * Q3, in standard deviations.
    assert abs(TUKEY_FAR_Z - 7 * q3) < 0.01


def test_mad_zero_falls_back_to_mean_absolute_deviation() -> None:
    x = [5.0, 5, 5, 5, 5, 6, 100]
    med, scale = robust_scale(x)
    assert med == 5.0
    assert scale == pytest.approx(MEANAD_TO_SD * (1 + 95) / 7)
    z = robust_z(x)
    assert z[-1] == pytest.approx(95 / (MEANAD_TO_SD * 96 / 7))


def test_nan_inf_and_degenerate_inputs() -> None:
    z = robust_z([1.0, 2.0, 3.0, np.nan, np.inf])
    # median and MAD come from the finite values 1, 2, 3: median 2, MAD 1.
    np.testing.assert_allclose(z[:3], [-1 / MAD_TO_SD, 0, 1 / MAD_TO_SD])
    assert np.isnan(z[3])
    assert z[4] == np.inf
    np.testing.assert_array_equal(robust_z([4.0, 4.0, 4.0]), [0.0, 0.0, 0.0])
    assert np.isnan(robust_z([np.nan, np.nan])).all()
    assert robust_z([]).size == 0
    assert np.isnan(robust_scale([])[0])


def test_tukey_fences() -> None:
    assert tukey_fences(1.0, 3.0) == (-5.0, 9.0)
    assert tukey_fences(1.0, 3.0, k=1.5) == (-2.0, 6.0)
