"""stats.boosting._elementary: our exp and log against the standard library's."""

from __future__ import annotations

import math

import numpy as np

from mlaudit.stats.boosting._elementary import exp, log


def test_elementary_functions_match_the_standard_library() -> None:
    x = -np.r_[np.linspace(0.0, 40.0, 20_001), np.geomspace(1e-12, 700.0, 2_000)]
    want = np.array([math.exp(v) for v in x])
    assert np.all(np.abs(exp(x) - want) <= 2 * np.spacing(want))
    pos = np.geomspace(1e-200, 1e200, 20_001)
    want_log = np.array([math.log(v) for v in pos])
    assert np.all(np.abs(log(pos) - want_log) <= 2 * np.spacing(np.abs(want_log)))
