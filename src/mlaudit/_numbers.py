"""One rule for "is this a number a table, chart or sentence can show": finite, not a bool.

Checks write their table and series cells with it and the report reads them back with it, so
a value a check leaves out is one the report does not draw, and the other way round.  It sits
below every layer (next to :mod:`mlaudit.errors`) because both sides need it.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["finite_or_none"]


def finite_or_none(v: object) -> float | None:
    """``v`` as a float when it is a finite real number, else None.

    Python and numpy integers and floats count; None, NaN, infinities, booleans (Python's and
    numpy's) and anything that is not a number give None.

    Examples
    --------
    >>> import numpy as np
    >>> finite_or_none(3), finite_or_none(np.float32(0.5)), finite_or_none(float("inf"))
    (3.0, 0.5, None)
    >>> finite_or_none(True), finite_or_none(None), finite_or_none("1")
    (None, None, None)
    """
    if isinstance(v, bool) or not isinstance(v, Real):
        return None
    f = float(v)
    return f if math.isfinite(f) else None
