"""ADWIN adaptive windowing (Bifet and Gavaldà, 2007, SIAM Data Mining), as river's.

Until a bucket is dropped the buckets are a fixed function of the number of values seen (level
``i`` holds consecutive, aligned blocks of ``2**i`` values, summed pairwise), so the window at
every clock tick is rebuilt from per-level block sums and all ticks are tested together; the
cut found is then replayed bucket by bucket, in river's order of operations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mlaudit.stats.changepoint._stream import (
    ChangePoint,
    Direction,
    FloatArray,
    Found,
    as_stream,
    is_int,
    require,
    run,
)

__all__ = ["adwin"]


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
    values = as_stream(x, "x")
    require(0 < delta < 1, f"delta must lie in (0, 1), got {delta}")
    require(is_int(clock) and clock >= 1, f"clock must be an int >= 1, got {clock}")
    require(is_int(max_buckets) and max_buckets >= 2, "max_buckets must be an int >= 2")
    require(is_int(min_window_length) and min_window_length >= 1, "min_window_length >= 1")
    require(is_int(grace_period) and grace_period >= 0, "grace_period must be an int >= 0")
    params = _AdwinParams(delta, int(clock), int(max_buckets), float(min_window_length))

    def scan(seg: FloatArray) -> Found | None:
        return _adwin_scan(seg, params, int(grace_period))

    return run(values, "adwin", scan)


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


def _adwin_scan(seg: FloatArray, prm: _AdwinParams, grace_period: int) -> Found | None:
    first = (grace_period // prm.clock + 1) * prm.clock
    ticks = np.arange(first, seg.size + 1, prm.clock, dtype=np.int64)
    if ticks.size == 0:
        return None
    levels = _adwin_levels(seg)
    total = np.cumsum(seg)
    var_sum = _running_variance_sum(seg, total)
    for lo in range(0, ticks.size, _TICK_BATCH):
        batch = ticks[lo : lo + _TICK_BATCH]
        hit = _adwin_first_cut(batch, levels, total, var_sum, prm)
        if hit is not None:
            return _adwin_cut(int(batch[hit]), levels, total, var_sum, prm)
    return None


_TICK_BATCH = 2048


def _running_variance_sum(seg: FloatArray, total: FloatArray) -> FloatArray:
    """river's running variance sum: the cumulative sum of ``(w−1)·d·d/w``, ``d`` the value
    minus the previous mean.

    Formed in place (the same operations in the same order), two arrays of 8 bytes a value
    besides the result instead of five.
    """
    width = np.arange(1, seg.size + 1, dtype=np.float64)
    step = np.zeros(seg.size)
    d = total[:-1] / width[:-1]
    np.subtract(seg[1:], d, out=d)
    out = step[1:]
    np.multiply(width[:-1], d, out=out)
    out *= d
    out /= width[1:]
    del d, width
    return np.cumsum(step, out=step)


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
) -> Found:
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
