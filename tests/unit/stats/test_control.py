"""Control limits: mean ± k·SD of the reference windows (numpy as the oracle)."""

from __future__ import annotations

import numpy as np
import pytest

from mlaudit.stats._control import control_limits


def test_limits_are_mean_plus_minus_k_sd() -> None:
    v = np.array([0.81, 0.84, 0.79, 0.86, 0.83, float("nan")])
    lim = control_limits(v, k=2.5, ceiling=1.0)
    assert lim is not None
    finite = v[np.isfinite(v)]
    assert lim.center == pytest.approx(finite.mean())
    assert lim.upper == pytest.approx(min(finite.mean() + 2.5 * finite.std(ddof=1), 1.0))
    assert lim.lower == pytest.approx(finite.mean() - 2.5 * finite.std(ddof=1))
    assert lim.n_windows == 5
    assert lim.outside(0.70) and not lim.outside(0.82) and not lim.outside(float("nan"))


def test_limits_are_clipped_and_need_enough_windows() -> None:
    lim = control_limits([0.01, 0.0, 0.02], floor=0.0)
    assert lim is not None and lim.lower == 0.0
    assert control_limits([0.5, 0.6]) is None
    assert control_limits([0.5, float("nan"), float("inf")]) is None
