"""Pure statistics: arrays or summaries in, numbers out; no I/O, no data frames.

Public here: ROC AUC with DeLong intervals, model metrics on weighted rows and their
vectorised bootstrap intervals, paired comparisons of two models (DeLong, McNemar, paired
bootstrap), calibration, rating-grade tests, group fairness rates and gaps, control limits,
performance estimated without labels, Wilson bounds, PCA, robust z-scores, seeded stratified
folds, and what a binned feature says about a group (mutual information, out-of-fold AUC).
Three concepts have a subpackage of their own: :mod:`mlaudit.stats.drift` (two-sample tests
and distances), :mod:`mlaudit.stats.boosting` (the domain classifier) and
:mod:`mlaudit.stats.changepoint` (stream detectors).  Where we wrote our own instead of calling
scipy or scikit-learn, the module says why, and its tests use the library as the oracle.
"""

from mlaudit.stats._association import (
    GroupAuc,
    entropy,
    mutual_information,
    out_of_fold_rates,
    ovr_auc,
)
from mlaudit.stats._auc import AucInterval, delong_auc, midranks, roc_auc
from mlaudit.stats._bootstrap import (
    BootstrapInterval,
    Statistic,
    bootstrap_intervals,
    resample_weights,
)
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
from mlaudit.stats._fairness import (
    RATES,
    ConfusionCounts,
    Interval,
    gap_p_value,
    newcombe_difference,
    rate_parts,
    ratio_interval,
    theil_index,
    wilson_arrays,
)
from mlaudit.stats._folds import fold_of
from mlaudit.stats._grades import GradeTest, grade_test
from mlaudit.stats._intervals import wilson_bound, wilson_interval
from mlaudit.stats._metrics import (
    Weighted,
    binary_metrics_on,
    binary_rank_metrics,
    binary_score_metrics,
    confusion_metrics,
    multiclass_metrics_on,
    ranked_counts,
    regression_metrics,
    regression_metrics_on,
)
from mlaudit.stats._pca import fit_pca
from mlaudit.stats._reliability import (
    BrierDecomposition,
    HosmerLemeshow,
    ReliabilityBin,
    brier_decomposition,
    ece_interval,
    hosmer_lemeshow,
    reliability_bins,
)
from mlaudit.stats._robust import TUKEY_FAR_Z, robust_z
from mlaudit.stats._slices import (
    FeatureLevels,
    feature_levels,
    fisher_greater,
    format_number,
    welch_greater,
)

__all__ = [
    "METRICS",
    "RATES",
    "TUKEY_FAR_Z",
    "AucInterval",
    "BootstrapInterval",
    "BrierDecomposition",
    "Calibration",
    "ConfusionCounts",
    "ControlLimits",
    "Estimate",
    "FeatureLevels",
    "GradeTest",
    "GroupAuc",
    "HosmerLemeshow",
    "Interval",
    "McNemar",
    "PairedAuc",
    "PairedDifference",
    "ReliabilityBin",
    "Statistic",
    "Weighted",
    "binary_metrics_on",
    "binary_rank_metrics",
    "binary_score_metrics",
    "bootstrap_intervals",
    "brier_decomposition",
    "confusion_metrics",
    "control_limits",
    "delong_auc",
    "ece_interval",
    "entropy",
    "estimate_binary_metrics",
    "feature_levels",
    "fisher_greater",
    "fit_calibration",
    "fit_pca",
    "fold_of",
    "format_number",
    "gap_p_value",
    "grade_test",
    "hosmer_lemeshow",
    "mcnemar",
    "midranks",
    "multiclass_metrics_on",
    "mutual_information",
    "newcombe_difference",
    "out_of_fold_rates",
    "ovr_auc",
    "paired_bootstrap",
    "paired_delong",
    "ranked_counts",
    "rate_parts",
    "ratio_interval",
    "realised_binary_metrics",
    "regression_metrics",
    "regression_metrics_on",
    "reliability_bins",
    "resample_weights",
    "robust_z",
    "roc_auc",
    "theil_index",
    "welch_greater",
    "wilson_arrays",
    "wilson_bound",
    "wilson_interval",
]
