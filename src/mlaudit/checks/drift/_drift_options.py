"""The options of the per-column drift comparison.

Shared by ``drift.univariate``, ``drift.dataset`` and ``drift.over_time``; re-exported by
:mod:`mlaudit.checks.drift.univariate`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from mlaudit.checks._base import Check
from mlaudit.checks._options import Alpha, NonNegative, PsiLimits
from mlaudit.stats.drift import Correction

__all__ = ["ColumnThresholds", "DriftOptions", "Method"]

Method = Literal["auto", "ks", "wasserstein", "psi", "js", "chi2", "g_test"]


@with_config(ConfigDict(extra="forbid"))
class ColumnThresholds(TypedDict, total=False):
    """Per-column overrides of the drift limits (each bounded like the option it overrides)."""

    alpha: Alpha
    min_effect: NonNegative
    fail_multiple: Annotated[float, Field(ge=1, allow_inf_nan=False)]


class DriftOptions(Check):
    """Options shared by ``drift.univariate`` and ``drift.dataset`` (not registered)."""

    method: Method = "auto"
    """Test or distance; ``auto`` = KS for numeric, chi-square for categorical columns."""
    column_methods: dict[str, Method] = Field(default_factory=dict)
    """Column → method overriding ``method`` for that column."""
    alpha: Alpha = 0.05
    """Significance level applied to the adjusted p-values."""
    correction: Correction = "bh"
    """Multiple-testing correction across columns: bh (FDR), holm, bonferroni (FWER), none."""
    min_effect_numeric: NonNegative = 0.1
    """Floor on the normalised Wasserstein distance (shift in reference standard deviations)."""
    min_effect_categorical: NonNegative = 0.1
    """Floor on Cramér's V (and on the Jensen-Shannon distance when ``method="js"``)."""
    fail_multiple: float = Field(default=3.0, ge=1)
    """A drifted column fails when its effect is at least this many times the floor."""
    psi_limits: PsiLimits = (0.1, 0.25)
    """PSI limits (warn, fail) when ``method="psi"``."""
    columns_thresholds: dict[str, ColumnThresholds] = Field(default_factory=dict)
    """Column → overrides of ``alpha``, ``min_effect`` and ``fail_multiple`` for that column."""
    min_values: int = Field(default=30, ge=2)
    """Fewest non-missing finite values on each side for a column to be compared."""
    max_categories: int = Field(default=1000, ge=2)
    """Most distinct levels (both periods together) of a categorical column."""

    def drift_options(self) -> dict[str, object]:
        """The options that decide the per-column table (the cache key)."""
        return self.model_dump(include=set(DriftOptions.model_fields), mode="json")
