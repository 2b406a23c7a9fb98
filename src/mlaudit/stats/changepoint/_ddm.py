"""Drift Detection Method (Gama, Medas, Castillo and Rodrigues, 2004, SBIA) on 0/1 errors."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from mlaudit.errors import DataError
from mlaudit.stats.changepoint._stream import (
    BLOCK,
    ChangePoint,
    FloatArray,
    Found,
    as_stream,
    is_int,
    require,
    run,
)

__all__ = ["ddm"]


def ddm(
    errors: npt.ArrayLike,
    *,
    warm_start: int = 30,
    warning_threshold: float = 2.0,
    drift_threshold: float = 3.0,
) -> list[ChangePoint]:
    """Drift Detection Method on a 0/1 error stream (Gama et al., 2004).

    With ``p_t`` the error rate over the ``t`` values since the last reset and
    ``s_t = sqrt(p_t(1 − p_t)/t)``, once ``t > warm_start`` the pair ``(p_min, s_min)`` is
    taken where ``p + s`` was lowest (the latest such point on ties).  The stream is in the
    warning zone while ``p_t + s_t > p_min + warning_threshold·s_min`` and drifts when
    ``p_t + s_t > p_min + drift_threshold·s_min``.  Matches ``river.drift.binary.DDM``.

    Parameters
    ----------
    errors
        1 for an error, 0 for a correct prediction, in time order (booleans are accepted).
    warm_start
        Values needed after a reset before the minimum is tracked and drift can be signalled.
    warning_threshold, drift_threshold
        Multiples of ``s_min`` that mark the warning zone and a drift.

    Returns
    -------
    list of ChangePoint
        Every drift in order, ``direction="up"`` (DDM only detects a rising error rate);
        ``began_at`` is the first value of the uninterrupted warning zone that ended in the
        drift, or the drift itself when no warning preceded it.  Restarts after each drift.

    Notes
    -----
    ``p_min`` is taken from a handful of values just after ``warm_start``, so DDM raises most
    of its false alarms during start-up: with the defaults, about half of stationary Bernoulli
    streams with a 10 % error rate drift once within the first few thousand values after a
    (re)start and then stay quiet.  A larger ``warm_start`` trades fewer of these for a longer
    blind spot.
    """
    values = as_stream(errors, "errors")
    bad = (values != 0.0) & (values != 1.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"errors must be 0 or 1, got {values[i]} at index {i}",
            fix="pass misclassification indicators (1 = error); use page_hinkley or adwin "
            "for absolute errors",
        )
    require(is_int(warm_start) and warm_start >= 0, "warm_start must be an int >= 0")
    require(warning_threshold > 0, f"warning_threshold must be > 0, got {warning_threshold}")
    require(drift_threshold > 0, f"drift_threshold must be > 0, got {drift_threshold}")

    def scan(seg: FloatArray) -> Found | None:
        return _ddm_scan(seg, int(warm_start), warning_threshold, drift_threshold)

    return run(values, "ddm", scan)


def _ddm_scan(seg: FloatArray, warm_start: int, warning: float, drift: float) -> Found | None:
    """The first drift in ``seg`` (offsets from its start), or None.

    The values are read a block of at most :data:`BLOCK` at a time, carrying what the next
    block needs (errors so far, the lowest ``p + s`` and its ``p_min, s_min``, the last value
    outside the warning zone), and the scan stops at the block holding the first drift: every
    array is 8 bytes a value of one block, not of the whole stream (10,000,000 values held
    about 490 MB at once).  The errors are 0/1, so every running count is an exact integer and
    each value's statistics are the same numbers whatever the blocks.
    """
    if seg.size <= warm_start:
        return None
    state = _DdmState(count=float(seg[:warm_start].sum()))
    for start in range(warm_start, seg.size, BLOCK):
        found = state.scan(seg[start : start + BLOCK], start, warm_start, warning, drift)
        if found is not None:
            return found
    return None


class _DdmState:
    """What a DDM scan carries from one block to the next."""

    def __init__(self, count: float) -> None:
        self.count = count
        """Errors before the block."""
        self.lowest = math.inf
        """Lowest ``p + s`` since the warm start (inf: none yet)."""
        self.p_min = self.s_min = math.nan
        """``p`` and ``s`` where ``p + s`` was lowest (the latest such value)."""
        self.last_calm = -1
        """Offset of the last value outside the warning zone (-1: none yet)."""

    def scan(
        self, block: FloatArray, start: int, warm_start: int, warning: float, drift: float
    ) -> Found | None:
        """The first drift in ``block`` (which starts at offset ``start``), else carry on."""
        n = np.arange(start + 1, start + block.size + 1, dtype=np.float64)
        p = np.cumsum(block)
        p += self.count  # whole numbers: exact, as one cumulative sum from the start
        self.count = float(p[-1])
        p /= n
        s = p * (1 - p)
        s /= n
        np.sqrt(s, out=s)
        del n
        ps = p + s
        lowest = np.minimum.accumulate(ps)
        np.minimum(lowest, self.lowest, out=lowest)
        renew = np.empty(ps.size, dtype=bool)
        renew[0] = ps[0] <= self.lowest
        renew[1:] = ps[1:] <= lowest[:-1]
        self.lowest = float(lowest[-1])
        del lowest
        at = np.arange(ps.size)
        at[~renew] = -1
        np.maximum.accumulate(at, out=at)
        carried = at < 0  # no new minimum yet in this block: the one carried in holds
        p_min = np.where(carried, self.p_min, p[np.maximum(at, 0)])
        s_min = np.where(carried, self.s_min, s[np.maximum(at, 0)])
        del at, p, s, carried
        limit = s_min * drift
        limit += p_min
        drifts = ps > limit
        del limit
        k = int(np.argmax(drifts)) if drifts.any() else ps.size
        warns = ps[:k] > p_min[:k] + warning * s_min[:k]
        calm = np.flatnonzero(~warns)
        if calm.size:
            self.last_calm = start + int(calm[-1])
        if k == ps.size:
            self.p_min, self.s_min = float(p_min[-1]), float(s_min[-1])
            return None
        return start + k, self.last_calm + 1 if self.last_calm >= 0 else warm_start, "up"
