"""The large-data drift path runs without scipy.stats, scipy.spatial, scikit-learn or pandas.

Importing them costs about two seconds of a fresh process (measured: scipy.stats 0.76 s,
scikit-learn 1.1 s), more than the drift suite's budget on a million rows, so a fresh
interpreter runs every statistic the univariate and PCA checks use, on sketches past their
exact capacity, and reports which of them got imported.
"""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import sys
import numpy as np
from mlaudit.checks.drift.pca import reconstruction_errors
from mlaudit.stats.drift import (
    adjust_p_values, categorical_test, cdf_gap, js_distance, js_distance_from_counts,
    ks_sketch, psi_sketch, underpowered, wasserstein_sketch,
)
from mlaudit.stats.drift._ks import ks_asymptotic_p
from mlaudit.summary._quantiles import QuantileSketch

rng = np.random.default_rng(0)
def sketch(x):
    s = QuantileSketch()
    s.update(x)
    return s
a, b = sketch(rng.normal(size=200_000)), sketch(rng.normal(0.1, 1, 150_000))
assert not (a.is_exact or b.is_exact)
gap = cdf_gap(a, b)
ks_sketch(a, b, gap=gap)
wasserstein_sketch(a, b, reference_std=1.0, current_std=1.0, reference_mean=0.0, gap=gap)
psi_sketch(a, b)
for d in (0.001, 0.01, 0.03, 0.6):  # every method of the finite-n distribution
    ks_asymptotic_p(d, 200_000, 3_000)
    ks_asymptotic_p(d, 200_000, 100)
categorical_test({"a": 5, "b": 7}, {"a": 9, "c": 1}, method="g_test")
categorical_test({"a": 5, "b": 7}, {"a": 9, "c": 1})
js_distance([1, 2, 0], [0, 2, 3])
js_distance_from_counts({"a": 1}, {"b": 2})
adjust_p_values([0.01, 0.2, np.nan], "bh")
underpowered(100, 100, 0.05, 0.1)
x = rng.normal(size=(300, 5))
reconstruction_errors(x, x[:100] + 0.1, variance=0.9)
print(sorted(m for m in ("scipy.stats", "scipy.spatial", "sklearn", "pandas") if m in sys.modules))
"""


def test_sketch_path_imports_no_heavy_module() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
