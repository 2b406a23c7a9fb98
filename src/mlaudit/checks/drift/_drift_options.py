"""The options of the per-column drift comparison.

Shared by ``drift.univariate``, ``drift.dataset`` and ``drift.over_time``; re-exported by
:mod:`mlaudit.checks.drift.univariate`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from mlaudit.checks._base import Check
from mlaudit.errors import ConfigError
from mlaudit.stats.drift import Correction

__all__ = ["DriftOptions", "Method"]

Method = Literal["auto", "ks", "wasserstein", "psi", "js", "chi2", "g_test"]
_OVERRIDE_KEYS = frozenset({"alpha", "min_effect", "fail_multiple"})


class DriftOptions(Check):
    """Options shared by ``drift.univariate`` and ``drift.dataset`` (not registered)."""

    method: Method = "auto"
    """Test or distance; ``auto`` = KS for numeric, chi-square for categorical columns."""
    column_methods: dict[str, Method] = Field(default_factory=dict)
    """Column → method overriding ``method`` for that column."""
    alpha: float = Field(default=0.05, gt=0, lt=1)
    """Significance level applied to the adjusted p-values."""
    correction: Correction = "bh"
    """Multiple-testing correction across columns: bh (FDR), holm, bonferroni (FWER), none."""
    min_effect_numeric: float = Field(default=0.1, ge=0)
    """Floor on the normalised Wasserstein distance (shift in reference standard deviations)."""
    min_effect_categorical: float = Field(default=0.1, ge=0)
    """Floor on Cramér's V (and on the Jensen-Shannon distance when ``method="js"``)."""
    fail_multiple: float = Field(default=3.0, ge=1)
    """A drifted column fails when its effect is at least this many times the floor."""
    psi_limits: tuple[float, float] = (0.1, 0.25)
    """PSI limits (warn, fail) when ``method="psi"``."""
    columns_thresholds: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Column → overrides of ``alpha``, ``min_effect`` and ``fail_multiple`` for that column."""
    min_values: int = Field(default=30, ge=2)
    """Fewest non-missing finite values on each side for a column to be compared."""
    max_categories: int = Field(default=1000, ge=2)
    """Most distinct levels (both periods together) of a categorical column."""

    @field_validator("columns_thresholds")
    @classmethod
    def _known_keys(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for col, over in v.items():
            unknown = set(over) - _OVERRIDE_KEYS
            if unknown:
                raise ConfigError(
                    f"columns_thresholds[{col!r}] has unknown key(s) {sorted(unknown)}",
                    fix=f"use only: {', '.join(sorted(_OVERRIDE_KEYS))}",
                )
        return v

    def drift_options(self) -> dict[str, object]:
        """The options that decide the per-column table (the cache key)."""
        return self.model_dump(include=set(DriftOptions.model_fields), mode="json")
