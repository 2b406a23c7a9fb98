"""Pure statistics: arrays or summaries in, numbers out; no I/O, no data frames.

Public here: ROC AUC with DeLong intervals, paired comparisons of two models (DeLong,
McNemar, paired bootstrap), calibration, control limits, performance estimated
without labels, Wilson bounds, PCA, robust z-scores.  Three concepts have a subpackage of their
own: :mod:`mlaudit.stats.drift` (two-sample tests and distances), :mod:`mlaudit.stats.boosting`
(the domain classifier) and :mod:`mlaudit.stats.changepoint` (stream detectors).  Where we wrote
our own instead of calling scipy or scikit-learn, the module says why, and its tests use the
library as the oracle.
"""

from mlaudit.stats._auc import AucInterval, delong_auc, midranks, roc_auc
from mlaudit.stats._calibration import Calibration, fit_calibration
from mlaudit.stats._compare import (
    McNemar,
    PairedAuc,
    PairedDifference,
    mcnemar,
    paired_bootstrap,
    paired_delong,
)
from mlaudit.stats._control import ControlLimits, control_limits
from mlaudit.stats._estimation import (
    METRICS,
    Estimate,
    estimate_binary_metrics,
    realised_binary_metrics,
)
from mlaudit.stats._intervals import wilson_bound, wilson_interval
from mlaudit.stats._pca import fit_pca
from mlaudit.stats._robust import TUKEY_FAR_Z, robust_z

__all__ = [
    "METRICS",
    "TUKEY_FAR_Z",
    "AucInterval",
    "Calibration",
    "ControlLimits",
    "Estimate",
    "McNemar",
    "PairedAuc",
    "PairedDifference",
    "control_limits",
    "delong_auc",
    "estimate_binary_metrics",
    "fit_calibration",
    "fit_pca",
    "mcnemar",
    "midranks",
    "paired_bootstrap",
    "paired_delong",
    "realised_binary_metrics",
    "robust_z",
    "roc_auc",
    "wilson_bound",
    "wilson_interval",
]
