"""Streaming change detectors for concept drift: Page-Hinkley, ADWIN and DDM.

A model's errors, read in time order (0/1 misclassification indicators, or absolute errors of a
regressor), form a stream whose mean should stay put while the concept does.  Each detector below
reads such a stream once and reports every point at which it decides the mean has changed; like
the detectors of the ``river`` library, whose behaviour these functions reproduce value for
value, each one forgets everything and starts afresh after a detection.

* **Page-Hinkley** (Page, 1954, *Biometrika* 41; Hinkley, 1971, *Biometrika* 58): cumulative
  sums, with a forgetting factor, of each value's deviation from the running mean, less (or
  plus) a tolerance; a change is signalled when a sum climbs ``threshold`` above its lowest
  point (or falls that far below its highest).
* **ADWIN** (Bifet and Gavaldà, 2007, SIAM Data Mining): a window kept in exponential-histogram
  buckets is cut wherever an older and a newer part have means further apart than a
  Bernstein-type bound, and the oldest buckets are dropped until no cut holds.
* **DDM** (Gama, Medas, Castillo and Rodrigues, 2004, SBIA): the error rate ``p`` of a 0/1
  stream and its binomial deviation ``s`` are compared with ``p`` and ``s`` where ``p + s`` was
  lowest; a rise by a few such ``s`` is a warning, then a drift.

Between two detections nothing is forgotten, so each stretch is computed with array operations:
the Page-Hinkley sums are a linear recurrence (:func:`scipy.signal.lfilter`), running means and
extremes are ``numpy`` accumulations.  ADWIN relies on one fact: until a bucket is dropped the
buckets are a fixed function of the number of values seen (level ``i`` holds consecutive,
aligned blocks of ``2**i`` values, summed pairwise), so the window at every clock tick is rebuilt
from per-level block sums and all ticks are tested together.  The arithmetic follows river's
order of operations, so ADWIN's decisions agree with river's to the last bit; Page-Hinkley and
DDM take the running mean from cumulative sums where river updates it value by value, which can
move a statistic in its last digits but not, in practice, a detection.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from mlaudit.errors import ConfigError, DataError

__all__ = ["ChangePoint", "adwin", "ddm", "page_hinkley"]

Direction = Literal["up", "down"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ChangePoint:
    """One detection by a streaming change detector.

    Attributes
    ----------
    detector
        ``"page_hinkley"``, ``"adwin"`` or ``"ddm"``.
    detected_at
        Index (0-based, in the input stream) of the value at which the detector fired.
    began_at
        The detector's estimate of where the change started (``<= detected_at``): for ADWIN the
        first value of the window kept after the cut; for Page-Hinkley the value after the
        cumulative sum's extreme (its lowest point for an increase, highest for a decrease);
        for DDM the first value of the warning zone that led to the drift, else ``detected_at``.
    kind
        ``"drift"`` for a detection.
    direction
        ``"up"`` when the mean rose (errors became more frequent or larger), ``"down"`` when it
        fell.
    """

    detector: str
    detected_at: int
    began_at: int
    kind: str = "drift"
    direction: Direction | None = None


# A scan looks at the values from the last reset onwards and returns the offsets (from that
# reset) of the detection and of the change's start, and the direction; or None.
_Found = tuple[int, int, Direction]
_Scan = Callable[[FloatArray], _Found | None]

_FIRST_HORIZON = 128


def _run(values: FloatArray, detector: str, scan: _Scan) -> list[ChangePoint]:
    """Apply ``scan`` from each reset on, looking ahead over a horizon that doubles as needed.

    After a detection the detector starts afresh at the next value.  The first horizon of each
    stretch is twice the length of the previous stretch, so the work stays proportional to the
    stream's length whether detections are rare or frequent.
    """
    found: list[ChangePoint] = []
    start, guess, n = 0, _FIRST_HORIZON, values.size
    while start < n:
        horizon = guess
        while True:
            hit = scan(values[start : start + horizon])
            if hit is not None or start + horizon >= n:
                break
            horizon *= 2
        if hit is None:
            break
        at, began, direction = hit
        found.append(ChangePoint(detector, start + at, start + began, "drift", direction))
        guess = max(_FIRST_HORIZON, 2 * (at + 1))
        start += at + 1
    return found


def _as_stream(x: npt.ArrayLike, name: str) -> FloatArray:
    """``x`` as a 1-D float array of finite values, or a :class:`DataError` saying what is wrong."""
    try:
        values = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{name} must hold numbers: {exc}", fix="pass a 1-D array of floats"
        ) from exc
    if values.ndim != 1:
        raise DataError(
            f"{name} must be one-dimensional, got shape {values.shape}",
            fix="pass the stream as a 1-D array in time order",
        )
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"{name} holds a non-finite value ({values[i]}) at index {i}",
            fix="drop or impute missing and infinite values before detecting changes",
        )
    return values


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _is_int(v: object) -> bool:
    """An integer, or a float with an integral value (configuration files give ``32.0``)."""
    if isinstance(v, float | np.floating):
        return float(v).is_integer()
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


# --------------------------------------------------------------------------- Page-Hinkley


def page_hinkley(
    x: npt.ArrayLike,
    *,
    delta: float = 0.005,
    threshold: float = 50.0,
    alpha: float = 1 - 0.0001,
    min_instances: int = 30,
    mode: Literal["up", "down", "both"] = "both",
) -> list[ChangePoint]:
    """Page-Hinkley test for a change in the mean of a stream, with forgetting and resets.

    For the ``t``-th value since the last reset, with ``m_t`` the mean of those values,
    ``U_t = alpha·U_{t-1} + (x_t − m_t) − delta`` and ``D_t = alpha·D_{t-1} + (x_t − m_t) +
    delta``.  An increase is detected when ``U_t − min U > threshold``, a decrease when
    ``max(−1, max D) − D_t > threshold`` (the −1 floor is river's starting value), once
    ``t >= min_instances``.  Matches ``river.drift.PageHinkley``.

    Parameters
    ----------
    x
        The stream, in time order; finite numbers.
    delta
        Tolerated change per value (the drift allowance of the cumulative sums).
    threshold
        Height the cumulative sum must climb (or fall) to signal a change (lambda).
    alpha
        Forgetting factor in (0, 1] applied to the cumulative sums at each step.
    min_instances
        Values needed after a reset before a change can be signalled.
    mode
        ``"up"`` detects increases of the mean, ``"down"`` decreases, ``"both"`` either.

    Returns
    -------
    list of ChangePoint
        Every detection in order; the test restarts at the value after each detection.
        ``began_at`` is the value after the firing sum's extreme since the restart.

    Notes
    -----
    Before a change the sums wander like a random walk drifting by ``−delta`` per value, so the
    extreme (and ``began_at``) sits near the change only when ``delta`` is comparable to half
    the shift one wants to detect, the classical CUSUM tuning; with a tiny ``delta`` it can lie
    anywhere before the change.  Without a change the forgotten sum still fluctuates with
    standard deviation ``σ/sqrt(1 − alpha²)`` (about ``70.7·σ`` at the default ``alpha``), so
    the default ``threshold`` of 50 suits streams with ``σ`` up to about 0.1 (measured: no
    alarm in 10⁶ values at σ = 0.1, 30 at σ = 0.3, 620 at σ = 1); scale the stream or the
    threshold to the errors at hand.
    """
    values = _as_stream(x, "x")
    _require(math.isfinite(delta) and delta >= 0, f"delta must be finite and >= 0, got {delta}")
    _require(threshold > 0 and math.isfinite(threshold), f"threshold must be > 0, got {threshold}")
    _require(0 < alpha <= 1, f"alpha must lie in (0, 1], got {alpha}")
    _require(_is_int(min_instances) and min_instances >= 1, "min_instances must be an int >= 1")
    _require(mode in ("up", "down", "both"), f"mode must be up, down or both, got {mode!r}")

    def scan(seg: FloatArray) -> _Found | None:
        return _ph_scan(seg, delta, threshold, alpha, int(min_instances), mode)

    return _run(values, "page_hinkley", scan)


def _ph_scan(
    seg: FloatArray, delta: float, threshold: float, alpha: float, min_instances: int, mode: str
) -> _Found | None:
    if seg.size < min_instances:
        return None
    dev = seg - np.cumsum(seg) / np.arange(1, seg.size + 1)
    a = [1.0, -alpha]
    from scipy import signal  # imported on use: scipy.signal costs 0.3 s at start-up

    up_sum = np.asarray(signal.lfilter([1.0], a, dev - delta), dtype=np.float64)
    down_sum = np.asarray(signal.lfilter([1.0], a, dev + delta), dtype=np.float64)
    up = up_sum - np.minimum.accumulate(up_sum)
    down = np.maximum(np.maximum.accumulate(down_sum), -1.0) - down_sum
    fires = np.zeros(seg.size, dtype=bool)
    if mode != "down":
        fires |= up > threshold
    if mode != "up":
        fires |= down > threshold
    fires[: min_instances - 1] = False
    if not fires.any():
        return None
    k = int(np.argmax(fires))
    went_up = mode != "down" and up[k] > threshold and (mode == "up" or up[k] >= down[k])
    if went_up:
        # river keeps the first occurrence of the minimum (strict comparison).
        return k, int(np.argmin(up_sum[: k + 1])) + 1, "up"
    highest = down_sum[: k + 1]
    began = int(np.argmax(highest)) + 1 if highest.max() > -1.0 else 0
    return k, began, "down"


# --------------------------------------------------------------------------- DDM


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
    values = _as_stream(errors, "errors")
    bad = (values != 0.0) & (values != 1.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"errors must be 0 or 1, got {values[i]} at index {i}",
            fix="pass misclassification indicators (1 = error); use page_hinkley or adwin "
            "for absolute errors",
        )
    _require(_is_int(warm_start) and warm_start >= 0, "warm_start must be an int >= 0")
    _require(warning_threshold > 0, f"warning_threshold must be > 0, got {warning_threshold}")
    _require(drift_threshold > 0, f"drift_threshold must be > 0, got {drift_threshold}")

    def scan(seg: FloatArray) -> _Found | None:
        return _ddm_scan(seg, int(warm_start), warning_threshold, drift_threshold)

    return _run(values, "ddm", scan)


def _ddm_scan(seg: FloatArray, warm_start: int, warning: float, drift: float) -> _Found | None:
    if seg.size <= warm_start:
        return None
    n = np.arange(1, seg.size + 1, dtype=np.float64)
    p_all = np.cumsum(seg) / n
    p = p_all[warm_start:]
    s = np.sqrt(p * (1 - p) / n[warm_start:])
    ps = p + s
    lowest = np.minimum.accumulate(ps)
    renew = np.ones(ps.size, dtype=bool)
    renew[1:] = ps[1:] <= lowest[:-1]
    at = np.maximum.accumulate(np.where(renew, np.arange(ps.size), 0))
    p_min, s_min = p[at], s[at]
    drifts = ps > p_min + drift * s_min
    if not drifts.any():
        return None
    k = int(np.argmax(drifts))
    warns = ps[:k] > p_min[:k] + warning * s_min[:k]
    calm = np.flatnonzero(~warns)
    began = int(calm[-1]) + 1 if calm.size else 0
    return warm_start + k, warm_start + began, "up"


# --------------------------------------------------------------------------- ADWIN


def adwin(
    x: npt.ArrayLike,
    *,
    delta: float = 0.002,
    clock: int = 32,
    max_buckets: int = 5,
    min_window_length: int = 5,
    grace_period: int = 10,
) -> list[ChangePoint]:
    """ADWIN adaptive windowing (Bifet and Gavaldà, 2007), as ``river.drift.ADWIN``.

    Every ``clock`` values (once more than ``grace_period`` values were seen) each boundary
    between buckets of the window ``W`` splits it into an older part ``W0`` and a newer ``W1``
    (``n0``, ``n1`` values, both at least ``min_window_length``).  With ``σ²`` the variance of
    ``W``, ``δ' = ln(2·ln|W| / delta)`` and ``1/m = 1/(n0 − l + 1) + 1/(n1 − l + 1)`` (``l`` the
    minimum length), a cut holds when
    ``|mean W0 − mean W1| > sqrt(2/m · σ² · δ') + 2/3 · δ'/m``;
    the oldest bucket is then dropped and the test repeated.  Any drop is a detection, after
    which the detector restarts empty at the next value.  Equal to river's decisions bit for bit.

    Parameters
    ----------
    x
        The stream, in time order; finite numbers (e.g. 0/1 errors or absolute errors).
    delta
        Confidence parameter in (0, 1); smaller values mean fewer false alarms and later
        detections.
    clock
        Test for a change every ``clock`` values (1 tests at every value).
    max_buckets
        Buckets of each size kept before two are merged (at least 2).
    min_window_length
        Smallest size (>= 1) of either part of a cut.
    grace_period
        Values needed after a reset before testing starts.

    Returns
    -------
    list of ChangePoint
        Every detection in order; ``began_at`` is the first value of the window kept after the
        cut and ``direction`` compares the kept window's mean with the dropped part's.

    Notes
    -----
    ADWIN stops dropping buckets as soon as no cut is significant, so the kept window usually
    still holds some values from before the change: ``began_at`` is an early bound of the
    onset rather than an estimate of it.  On 10⁶ values the function takes about 0.3 s, plus
    about 1 ms per detection, so no approximation is offered.
    """
    values = _as_stream(x, "x")
    _require(0 < delta < 1, f"delta must lie in (0, 1), got {delta}")
    _require(_is_int(clock) and clock >= 1, f"clock must be an int >= 1, got {clock}")
    _require(_is_int(max_buckets) and max_buckets >= 2, "max_buckets must be an int >= 2")
    _require(_is_int(min_window_length) and min_window_length >= 1, "min_window_length >= 1")
    _require(_is_int(grace_period) and grace_period >= 0, "grace_period must be an int >= 0")
    params = _AdwinParams(delta, int(clock), int(max_buckets), float(min_window_length))

    def scan(seg: FloatArray) -> _Found | None:
        return _adwin_scan(seg, params, int(grace_period))

    return _run(values, "adwin", scan)


@dataclass(frozen=True)
class _AdwinParams:
    delta: float
    clock: int
    max_buckets: int
    min_len: float


def _adwin_levels(seg: FloatArray) -> list[tuple[FloatArray, FloatArray]]:
    """Sums and variance sums of the aligned blocks of ``2**i`` values, level by level.

    Combined pairwise exactly as river merges two buckets, so the floats are the same.
    """
    totals, variances = seg, np.zeros_like(seg)
    levels = [(totals, variances)]
    size = 1.0
    while totals.size >= 2:
        half = totals.size // 2
        t0, t1 = totals[0 : 2 * half : 2], totals[1 : 2 * half : 2]
        v0, v1 = variances[0 : 2 * half : 2], variances[1 : 2 * half : 2]
        d = t0 / size - t1 / size
        variances = v0 + v1 + size * 0.5 * d * d
        totals = t0 + t1
        size *= 2.0
        levels.append((totals, variances))
    return levels


def _block_counts(n: npt.NDArray[np.int64], max_buckets: int) -> list[npt.NDArray[np.int64]]:
    """Blocks ever received by each level after ``n`` values (level 0 receives every value).

    A level merges its two oldest buckets into the next level whenever it holds
    ``max_buckets + 1``, so it passes on ``max(0, (received − max_buckets + 1) // 2)``.
    """
    received = [n]
    while received[-1].max() > 0:
        received.append(np.maximum((received[-1] - max_buckets + 1) // 2, 0))
    return received


def _adwin_scan(seg: FloatArray, prm: _AdwinParams, grace_period: int) -> _Found | None:
    first = (grace_period // prm.clock + 1) * prm.clock
    ticks = np.arange(first, seg.size + 1, prm.clock, dtype=np.int64)
    if ticks.size == 0:
        return None
    levels = _adwin_levels(seg)
    total = np.cumsum(seg)
    width = np.arange(1, seg.size + 1, dtype=np.float64)
    step = np.zeros(seg.size)
    # river's running variance sum: (w-1)·d·d/w with d the value minus the previous mean.
    d = seg[1:] - total[:-1] / width[:-1]
    step[1:] = width[:-1] * d * d / width[1:]
    var_sum = np.cumsum(step)
    for lo in range(0, ticks.size, _TICK_BATCH):
        batch = ticks[lo : lo + _TICK_BATCH]
        hit = _adwin_first_cut(batch, levels, total, var_sum, prm)
        if hit is not None:
            return _adwin_cut(int(batch[hit]), levels, total, var_sum, prm)
    return None


_TICK_BATCH = 2048


def _adwin_first_cut(
    ticks: npt.NDArray[np.int64],
    levels: list[tuple[FloatArray, FloatArray]],
    total: FloatArray,
    var_sum: FloatArray,
    prm: _AdwinParams,
) -> int | None:
    """Row of the first tick in ``ticks`` at which some cut of the window holds, or None."""
    received = _block_counts(ticks, prm.max_buckets)
    top = len(received) - 1  # levels 0..top-1 hold blocks
    m = prm.max_buckets
    slots = np.arange(m)
    sums = np.zeros((ticks.size, top, m))
    sizes = np.zeros((ticks.size, top, m))
    for col, level in enumerate(range(top - 1, -1, -1)):  # oldest level first, as river scans
        oldest = 2 * received[level + 1]
        held = received[level] - oldest
        ok = slots[None, :] < held[:, None]
        idx = np.where(ok, oldest[:, None] + slots[None, :], 0)
        sums[:, col, :] = np.where(ok, levels[level][0][idx], 0.0)
        sizes[:, col, :] = np.where(ok, float(2**level), 0.0)
    flat = sums.reshape(ticks.size, -1)
    n0 = np.cumsum(sizes.reshape(ticks.size, -1), axis=1)
    u0 = np.cumsum(flat, axis=1)
    u1 = np.cumsum(np.concatenate([total[ticks - 1, None], -flat], axis=1), axis=1)[:, 1:]
    w = ticks.astype(np.float64)
    n1 = w[:, None] - n0
    dprime = np.array([_delta_prime(v, prm.delta) for v in w])
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.abs(u0 / n0 - u1 / n1)
        m_recip = 1.0 / (n0 - prm.min_len + 1.0) + 1.0 / (n1 - prm.min_len + 1.0)
        spread, dp = (var_sum[ticks - 1] / w)[:, None], dprime[:, None]
        eps = np.sqrt(2.0 * m_recip * spread * dp) + 2.0 / 3.0 * dp * m_recip
    cut = (n0 >= prm.min_len) & (n1 >= prm.min_len) & (gap > eps)
    rows = np.flatnonzero(cut.any(axis=1))
    return int(rows[0]) if rows.size else None


def _delta_prime(width: float, delta: float) -> float:
    """``ln(2·ln(width)/delta)`` with the C library's ``log``, as river computes it."""
    inner = 2.0 * math.log(width) / delta if width > 1 else 0.0
    return math.log(inner) if inner > 0 else -math.inf


def _adwin_cut(
    n: int,
    levels: list[tuple[FloatArray, FloatArray]],
    total: FloatArray,
    var_sum: FloatArray,
    prm: _AdwinParams,
) -> _Found:
    """Replay river's cut loop at tick ``n``: drop the oldest bucket while some cut holds."""
    received = _block_counts(np.array([n], dtype=np.int64), prm.max_buckets)
    buckets: list[list[tuple[float, float]]] = []
    for level in range(len(received) - 1):
        sums, var_sums = levels[level]
        lo, hi = 2 * int(received[level + 1][0]), int(received[level][0])
        buckets.append([(float(sums[i]), float(var_sums[i])) for i in range(lo, hi)])
    width, tot, var = float(n), float(total[n - 1]), float(var_sum[n - 1])
    while _adwin_has_cut(buckets, width, tot, var, prm):
        size = float(2 ** (len(buckets) - 1))
        u, v = buckets[-1].pop(0)
        width -= size
        tot -= u
        mu, mu_w = u / size, (tot / width if width else math.nan)
        var -= v + size * width * (mu - mu_w) * (mu - mu_w) / (size + width)
        if not buckets[-1]:
            buckets.pop()
    kept = int(width)
    direction: Direction = "up" if tot / kept > (float(total[n - 1]) - tot) / (n - kept) else "down"
    return n - 1, n - kept, direction


def _adwin_has_cut(
    buckets: list[list[tuple[float, float]]],
    width: float,
    tot: float,
    var: float,
    prm: _AdwinParams,
) -> bool:
    n0, n1, u0, u1 = 0.0, width, 0.0, tot
    dprime = _delta_prime(width, prm.delta)
    for level in range(len(buckets) - 1, -1, -1):
        size = float(2**level)
        for k, (t, _) in enumerate(buckets[level]):
            n0 += size
            n1 -= size
            u0 += t
            u1 -= t
            if level == 0 and k == len(buckets[0]) - 1:
                return False
            if n0 < prm.min_len or n1 < prm.min_len:
                continue
            m_recip = 1.0 / (n0 - prm.min_len + 1.0) + 1.0 / (n1 - prm.min_len + 1.0)
            root = 2.0 * m_recip * (var / width) * dprime
            eps = (math.sqrt(root) if root >= 0 else math.nan) + 2.0 / 3.0 * dprime * m_recip
            if abs(u0 / n0 - u1 / n1) > eps:
                return True
    return False
