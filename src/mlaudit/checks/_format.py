"""How checks write numbers in their messages, the same way everywhere."""

from __future__ import annotations

import math

__all__ = ["format_count", "format_share"]


def format_share(share: float, *, digits: int = 1) -> str:
    """A share as a percentage a reader can trust: ``0.12 → '12.0%'``, ``3e-5 → '0.003%'``.

    Shares under 0.1% keep two significant digits instead of rounding to ``0.0%``.
    """
    if math.isnan(share):
        return "n/a"
    if share == 0:
        return "0%" if digits == 0 else f"{0:.{digits}%}"
    if share >= 0.001:
        return f"{share:.{digits}%}"
    return f"{share * 100:.2g}%"


def format_count(n: float) -> str:
    """A count with thousands separators; non-integers keep one decimal."""
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,.1f}"
