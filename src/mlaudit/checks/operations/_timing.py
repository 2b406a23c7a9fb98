"""Timing the audited model: batches built from the sample, wall-clock calls, a time box.

Times are wall-clock (``time.perf_counter``) of whole ``predict`` calls through the adapter,
the way the audit and a serving process call it, after one warm-up call per batch size.  They
depend on the machine and its load: compare models on one machine, side by side, and read the
p99 of few calls as a rough figure.  Every batch is cut from the current data's sample (rows
repeated when the sample is smaller than the batch).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

__all__ = ["time_calls"]


def time_calls(
    call: Callable[[], object], *, budget: float, min_calls: int = 3, max_calls: int = 200
) -> np.ndarray:
    """Seconds of successive ``call()``s after one warm-up: at least ``min_calls``, then more
    while ``budget`` seconds last, at most ``max_calls``."""
    call()
    times: list[float] = []
    spent = 0.0
    while len(times) < max_calls and (len(times) < min_calls or spent < budget):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return np.asarray(times)
