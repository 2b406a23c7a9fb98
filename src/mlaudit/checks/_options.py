"""Typed option values shared by every check: one declaration per kind of number.

A check declares an option as ``warn: Share = 0.05`` rather than a bare ``float``, so every
share, significance level, count and bound is checked the same way when the configuration is
read, and a wrong value is a configuration error (exit code 2) naming the check, the option and
the value, before any data is read:

- :data:`Share` — a proportion of values or rows, in ``[0, 1]``;
- :data:`Alpha` — a significance level, in ``(0, 1)`` (0 would never find anything, 1 always);
- :data:`NonNegative` and :data:`Positive` — finite reals ``>= 0`` and ``> 0`` (effect sizes,
  multiples of a standard deviation);
- :data:`Count` and :data:`PositiveCount` — integers ``>= 0`` and ``>= 1``;
- :data:`ShareLimits` and :data:`PsiLimits` — ``(warn, fail)`` pairs, warn not above fail;
- :data:`Bounds` — a ``[low, high]`` interval with open sides as ``None``, low not above high.

Not-a-number is refused everywhere: every comparison with NaN is false, so a NaN limit would
silently pass or fail everything.  Warn and fail limits of one check are ordered by
``Check.limit_pairs`` (see :mod:`mlaudit.checks._base`).
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = [
    "Alpha",
    "Bounds",
    "Count",
    "NonNegative",
    "Positive",
    "PositiveCount",
    "PsiLimits",
    "Share",
    "ShareLimits",
]

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
"""A proportion in ``[0, 1]``."""
Alpha = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
"""A significance level in ``(0, 1)``."""
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
"""A finite real ``>= 0``."""
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
"""A finite real ``> 0``."""
Count = Annotated[int, Field(ge=0)]
"""An integer ``>= 0``."""
PositiveCount = Annotated[int, Field(ge=1)]
"""An integer ``>= 1``."""


def _ordered_limits(
    pair: tuple[float | None, float | None],
) -> tuple[float | None, float | None]:
    warn, fail = pair
    if warn is not None and fail is not None and warn > fail:
        raise ValueError(f"the warn limit {warn:g} is above the fail limit {fail:g}")
    return pair


def _ordered_bounds(
    pair: tuple[float | None, float | None],
) -> tuple[float | None, float | None]:
    low, high = pair
    if low is not None and high is not None and low > high:
        raise ValueError(f"the low bound {low:g} is above the high bound {high:g}")
    return pair


def _not_nan(value: float) -> float:
    if math.isnan(value):
        raise ValueError("a bound must be a number, not NaN (leave a side open with null)")
    return value


_Real = Annotated[float, AfterValidator(_not_nan)]

ShareLimits = Annotated[tuple[Share | None, Share | None], AfterValidator(_ordered_limits)]
"""A ``(warn, fail)`` pair of shares, ``None`` keeping the check's own limit; warn <= fail."""
PsiLimits = Annotated[tuple[NonNegative, NonNegative], AfterValidator(_ordered_limits)]
"""A ``(warn, fail)`` pair of population stability index values, warn <= fail."""
Bounds = Annotated[tuple[_Real | None, _Real | None], AfterValidator(_ordered_bounds)]
"""A ``[low, high]`` interval, ``None`` (or an infinity) leaving a side open; low <= high."""
