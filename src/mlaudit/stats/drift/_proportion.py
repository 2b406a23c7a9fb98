"""Two-level columns: the change of a rate between two periods.

A boolean column, or a numeric one with exactly two values (a 0/1 default flag), is a rate;
KS and Wasserstein distances on it say nothing a validator can read.  With ``x`` of ``n``
reference rows and ``y`` of ``m`` current rows at the upper level, the rates are ``p₁ = x/n``
and ``p₂ = y/m`` and the change is ``p₂ − p₁``.

Test: the pooled two-proportion z-test, ``z = (p₂ − p₁) / sqrt(p̄(1 − p̄)(1/n + 1/m))`` with
``p̄ = (x + y)/(n + m)``, two-sided ``p = P(|Z| ≥ |z|)``.  ``z²`` is Pearson's chi-square
statistic of the 2×2 table (the test the categorical columns get, so a rate enters the same
multiple-testing family on the same footing).

Interval: Newcombe's hybrid score interval for ``p₂ − p₁`` (Newcombe 1998, method 10), built
from the two Wilson score intervals ``[l₁, u₁]`` and ``[l₂, u₂]``:
``δ − sqrt((p₂ − l₂)² + (u₁ − p₁)²)`` to ``δ + sqrt((u₂ − p₂)² + (p₁ − l₁)²)``.  It keeps its
coverage near rates of 0 or 1, where the Wald interval does not.

Effect size: Cohen's ``h = |2·asin(sqrt(p₂)) − 2·asin(sqrt(p₁))|``, the difference of the
variance-stabilised rates, on the same scale as Cohen's d (0.2 small, 0.5 medium), so the
numeric floor (0.1, half of "small") applies.  ``|φ| = sqrt(χ²/N)`` is reported beside it; it
depends on how the rows split between the periods and understates a change of a rare rate
(10.6 % to 6.4 %: φ = 0.07, h = 0.15).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from scipy import special
else:  # imported on first use (mlaudit._lazy)
    special = lazy_import("scipy.special")

__all__ = ["RateChange", "rate_change", "wilson_interval"]


@dataclass(frozen=True)
class RateChange:
    """Both rates, their difference with its interval, the test and the effect size."""

    rate_reference: float
    rate_current: float
    difference: float
    difference_low: float
    difference_high: float
    z: float
    p_value: float
    phi: float
    cohens_h: float
    confidence: float


def wilson_interval(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for the proportion ``x / n``."""
    if n <= 0:
        return (math.nan, math.nan)
    z = float(special.ndtri(0.5 + confidence / 2.0))
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate_change(x: int, n: int, y: int, m: int, confidence: float = 0.95) -> RateChange:
    """Rate change from ``x`` of ``n`` (reference) to ``y`` of ``m`` (current).

    Raises
    ------
    ValueError
        When either period has no rows.
    """
    if n <= 0 or m <= 0:
        raise ValueError("a rate needs rows in both periods")
    p1, p2 = x / n, y / m
    pooled = (x + y) / (n + m)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / m))
    z = (p2 - p1) / se if se > 0 else 0.0
    p_value = float(2.0 * special.ndtr(-abs(z)))
    l1, u1 = wilson_interval(x, n, confidence)
    l2, u2 = wilson_interval(y, m, confidence)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    phi = math.sqrt(z * z / (n + m))
    h = abs(2.0 * math.asin(math.sqrt(p2)) - 2.0 * math.asin(math.sqrt(p1)))
    return RateChange(p1, p2, d, low, high, z, p_value, phi, h, confidence)
