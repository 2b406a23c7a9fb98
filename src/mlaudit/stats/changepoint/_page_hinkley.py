"""Page-Hinkley test (Page, 1954, *Biometrika* 41; Hinkley, 1971, *Biometrika* 58).

Between two detections the cumulative sums are a linear recurrence (polars' exponentially weighted
mean, rescaled) and their running extremes ``numpy`` accumulations.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

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

__all__ = ["page_hinkley"]


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
    values = as_stream(x, "x")
    require(math.isfinite(delta) and delta >= 0, f"delta must be finite and >= 0, got {delta}")
    require(threshold > 0 and math.isfinite(threshold), f"threshold must be > 0, got {threshold}")
    require(0 < alpha <= 1, f"alpha must lie in (0, 1], got {alpha}")
    require(is_int(min_instances) and min_instances >= 1, "min_instances must be an int >= 1")
    require(mode in ("up", "down", "both"), f"mode must be up, down or both, got {mode!r}")

    def scan(seg: FloatArray) -> Found | None:
        return _ph_scan(seg, delta, threshold, alpha, int(min_instances), mode)

    return run(values, "page_hinkley", scan)


def _ph_scan(
    seg: FloatArray, delta: float, threshold: float, alpha: float, min_instances: int, mode: str
) -> Found | None:
    """The first detection in ``seg`` (offsets from its start), or None.

    The values are read a block of at most :data:`BLOCK` at a time, carrying the running sum
    (for the mean), each cumulative sum's last value and its extreme with where it was, and
    the scan stops at the block holding the first detection: the arrays are those of one block,
    not of the whole stream.  Only the sums ``mode`` reads are formed, in place where the
    arithmetic allows.  Within a block the arithmetic is the unblocked one; across blocks the
    running sum goes on in the same order, and the forgotten sums restart from the carried
    value (equal to about 1e-14 of their size).
    """
    if seg.size < min_instances:
        return None
    state = _PhState()
    for start in range(0, seg.size, BLOCK):
        found = state.scan(seg[start : start + BLOCK], start, delta, threshold, alpha,
                           min_instances, mode)  # fmt: skip
        if found is not None:
            return found
    return None


class _PhState:
    """What a Page-Hinkley scan carries from one block to the next."""

    def __init__(self) -> None:
        self.total = 0.0
        """Sum of the values before the block (for the running mean)."""
        self.up = self.down = 0.0
        """Last value of each forgotten sum (0 before the first value)."""
        self.up_low, self.up_low_at = math.inf, -1
        """Lowest increase sum so far and the offset of its first occurrence."""
        self.down_high, self.down_high_at = -math.inf, -1
        """Highest decrease sum so far and the offset of its first occurrence."""

    def scan(
        self,
        block: FloatArray,
        start: int,
        delta: float,
        threshold: float,
        alpha: float,
        min_instances: int,
        mode: str,
    ) -> Found | None:
        dev = np.cumsum(np.concatenate(([self.total], block)))[1:]  # the sum goes on in order
        self.total = float(dev[-1])
        dev /= np.arange(start + 1, start + block.size + 1)
        np.subtract(block, dev, out=dev)  # x_t − m_t
        up_sum = up = down_sum = down = None
        fires = np.zeros(block.size, dtype=bool)
        if mode != "down":
            u = dev - delta if mode == "both" else _shift(dev, -delta)
            up_sum = _forgetting_sum(u, alpha, self.up)
            up = np.minimum.accumulate(up_sum)
            np.minimum(up, self.up_low, out=up)
            np.subtract(up_sum, up, out=up)
            fires |= up > threshold
        if mode != "up":
            down_sum = _forgetting_sum(_shift(dev, delta), alpha, self.down)
            down = np.maximum.accumulate(down_sum)
            np.maximum(down, max(self.down_high, -1.0), out=down)
            down -= down_sum
            fires |= down > threshold
        del dev
        if start < min_instances - 1:
            fires[: min_instances - 1 - start] = False
        k = int(np.argmax(fires)) if fires.any() else block.size
        if up_sum is not None:
            self.up = float(up_sum[-1])
            self.up_low, self.up_low_at = _lowest(up_sum[:k + 1], start, self.up_low,
                                                  self.up_low_at)  # fmt: skip
        if down_sum is not None:
            self.down = float(down_sum[-1])
            high, at = _lowest(-down_sum[: k + 1], start, -self.down_high, self.down_high_at)
            self.down_high, self.down_high_at = -high, at
        if k == block.size:
            return None
        if up is not None and up[k] > threshold and (down is None or up[k] >= down[k]):
            # river keeps the first occurrence of the minimum (strict comparison).
            return start + k, self.up_low_at + 1, "up"
        began = self.down_high_at + 1 if self.down_high > -1.0 else 0
        return start + k, began, "down"


def _lowest(values: FloatArray, start: int, low: float, at: int) -> tuple[float, int]:
    """The lowest of ``low`` (at offset ``at``) and ``values`` (from offset ``start``), the
    earlier offset on ties."""
    i = int(np.argmin(values))
    if values[i] < low:
        return float(values[i]), start + i
    return low, at


def _shift(dev: FloatArray, by: float) -> FloatArray:
    """``dev + by`` in ``dev``'s own memory (its last use)."""
    dev += by
    return dev


def _forgetting_sum(u: FloatArray, alpha: float, before: float = 0.0) -> FloatArray:
    """``S_t = alpha·S_{t−1} + u_t`` from ``S_{−1} = before``: a first-order linear recurrence.

    With ``a = 1 − alpha``, polars' unadjusted exponentially weighted mean of ``a·before, u_0,
    u_1, …`` is ``y_t = alpha·y_{t−1} + a·u_t`` from ``y_{−1} = a·before``, so ``S_t = y_t /
    a``: one compiled pass, equal to :func:`scipy.signal.lfilter` to about 1e-14 of the sums'
    size (tested), without importing ``scipy.signal`` (nearly a second of a command's start-up).
    """
    if alpha == 1.0:  # no forgetting: the running sum goes on in order
        return np.cumsum(np.concatenate(([before], u)))[1:]
    rest = 1.0 - alpha
    padded = pl.Series(np.concatenate(([before * rest], u)))
    ewm = padded.ewm_mean(alpha=rest, adjust=False).to_numpy()[1:]
    return np.asarray(ewm / rest, dtype=np.float64)
