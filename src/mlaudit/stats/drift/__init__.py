"""Drift statistics: two-sample tests and distances on summaries, and multiple testing."""

from mlaudit.stats.drift._categorical import (
    CategoricalResult,
    categorical_test,
    contingency_test,
    cramers_v,
)
from mlaudit.stats.drift._jensen_shannon import js_distance, js_distance_from_counts
from mlaudit.stats.drift._kolmogorov import ks_two_sided_sf
from mlaudit.stats.drift._ks import CdfGap, KSResult, cdf_gap, ks_asymptotic_p, ks_sketch
from mlaudit.stats.drift._multiple_testing import Correction, adjust_p_values
from mlaudit.stats.drift._power import (
    ks_critical_constant,
    ks_distance_normal_shift,
    min_detectable_ks,
    underpowered,
)
from mlaudit.stats.drift._proportion import RateChange, rate_change, wilson_interval
from mlaudit.stats.drift._psi import (
    PSI_EPSILON,
    decile_edges,
    psi,
    psi_from_counts,
    psi_sketch,
    sketch_shares,
)
from mlaudit.stats.drift._wasserstein import (
    RobustShift,
    WassersteinResult,
    normalising_scale,
    robust_shift,
    w1_distance,
    wasserstein_sketch,
    weighted_w1,
)

__all__ = [
    "PSI_EPSILON",
    "CategoricalResult",
    "CdfGap",
    "Correction",
    "KSResult",
    "RateChange",
    "RobustShift",
    "WassersteinResult",
    "adjust_p_values",
    "categorical_test",
    "cdf_gap",
    "contingency_test",
    "cramers_v",
    "decile_edges",
    "js_distance",
    "js_distance_from_counts",
    "ks_asymptotic_p",
    "ks_critical_constant",
    "ks_distance_normal_shift",
    "ks_sketch",
    "ks_two_sided_sf",
    "min_detectable_ks",
    "normalising_scale",
    "psi",
    "psi_from_counts",
    "psi_sketch",
    "rate_change",
    "robust_shift",
    "sketch_shares",
    "underpowered",
    "w1_distance",
    "wasserstein_sketch",
    "weighted_w1",
    "wilson_interval",
]
