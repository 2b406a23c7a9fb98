"""Default rates per rating grade against the predicted probability (PD back-testing).

For a grade with ``n`` rows, ``d`` defaults (positive labels) and mean predicted probability
``PD``, two one-sided tests of ``H0: the true default rate ≤ PD`` against underestimation, as
IRB validation uses them:

- **binomial test**: ``p = P(X ≥ d)`` for ``X ~ Binomial(n, PD)`` (``scipy.stats.binomtest``
  with ``alternative="greater"``); it assumes independent defaults, so correlated defaults (one
  economic cycle) make it reject too often;
- **Jeffreys test** (ECB, *Instructions for reporting the validation results of internal models,
  IRB Pillar I models for credit risk*, 2019, §2.5.3.1): the posterior of the default rate under
  the Jeffreys prior Beta(½, ½) is ``Beta(d + ½, n − d + ½)``, and the p-value is its CDF at
  ``PD`` (the posterior probability that the rate is at most ``PD``).

Both are one-sided: a model that *over*estimates defaults is conservative, which these
instructions do not flag.  ``PD`` is the mean of the model's probabilities over the grade's rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlaudit._lazy import lazy_import
from mlaudit.errors import DataError

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["GradeTest", "grade_test"]


@dataclass(frozen=True)
class GradeTest:
    """One grade's rows, defaults, predicted and observed rates, and the two p-values."""

    rows: int
    defaults: int
    predicted: float
    observed: float
    binomial_p: float
    jeffreys_p: float


def grade_test(defaults: int, rows: int, predicted: float) -> GradeTest:
    """The binomial and Jeffreys tests of ``defaults`` in ``rows`` against the PD ``predicted``.

    Parameters
    ----------
    defaults
        Positive labels (defaults) in the grade.
    rows
        Rows in the grade (at least 1).
    predicted
        The grade's predicted probability of default, in [0, 1].

    Returns
    -------
    GradeTest
        Both one-sided p-values (small: more defaults than the PD explains).

    Raises
    ------
    DataError
        When the counts or the probability are out of range.
    """
    if rows < 1 or not 0 <= defaults <= rows:
        raise DataError(
            f"a grade needs 0 ≤ defaults ≤ rows and rows ≥ 1; got {defaults} of {rows}",
            fix="pass the grade's counts",
        )
    if not (math.isfinite(predicted) and 0.0 <= predicted <= 1.0):
        raise DataError(f"the predicted rate {predicted} is not in [0, 1]", fix="pass a PD")
    binom = float(scipy_stats.binomtest(defaults, rows, predicted, alternative="greater").pvalue)
    jeffreys = float(scipy_stats.beta.cdf(predicted, defaults + 0.5, rows - defaults + 0.5))
    return GradeTest(rows, defaults, predicted, defaults / rows, binom, jeffreys)
