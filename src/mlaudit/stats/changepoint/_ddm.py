"""Drift Detection Method (Gama, Medas, Castillo and Rodrigues, 2004, SBIA) on 0/1 errors."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from mlaudit.errors import DataError
from mlaudit.stats.changepoint._stream import (
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
    # In place where the arithmetic allows (the same operations in the same order): on a
    # stream of millions of values every array is 8 bytes a value.
    if seg.size <= warm_start:
        return None
    n = np.arange(1, seg.size + 1, dtype=np.float64)
    p_all = np.cumsum(seg)
    p_all /= n
    p = p_all[warm_start:]
    s = p * (1 - p)
    s /= n[warm_start:]
    np.sqrt(s, out=s)
    del n
    ps = p + s
    lowest = np.minimum.accumulate(ps)
    renew = np.ones(ps.size, dtype=bool)
    renew[1:] = ps[1:] <= lowest[:-1]
    del lowest
    at = np.arange(ps.size)
    at[~renew] = 0
    np.maximum.accumulate(at, out=at)
    p_min, s_min = p[at], s[at]
    del at, p_all, p, s
    limit = s_min * drift
    limit += p_min
    drifts = ps > limit
    del limit
    if not drifts.any():
        return None
    k = int(np.argmax(drifts))
    warns = ps[:k] > p_min[:k] + warning * s_min[:k]
    calm = np.flatnonzero(~warns)
    began = int(calm[-1]) + 1 if calm.size else 0
    return warm_start + k, warm_start + began, "up"
