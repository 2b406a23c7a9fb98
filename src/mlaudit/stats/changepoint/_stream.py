"""What the change detectors share: the detection record, the restart loop, input checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from mlaudit.errors import ConfigError, DataError

__all__ = [
    "BLOCK",
    "ChangePoint",
    "Direction",
    "FloatArray",
    "Found",
    "as_stream",
    "is_int",
    "require",
    "run",
]

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
Found = tuple[int, int, Direction]
Scan = Callable[[FloatArray], Found | None]

_FIRST_HORIZON = 128

BLOCK = 1 << 20
"""Values a detector's scan holds arrays for at a time (carrying its state between blocks)."""


def run(values: FloatArray, detector: str, scan: Scan) -> list[ChangePoint]:
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


def as_stream(x: npt.ArrayLike, name: str) -> FloatArray:
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


def require(ok: bool, message: str) -> None:
    """Raise a :class:`ConfigError` with ``message`` unless ``ok``."""
    if not ok:
        raise ConfigError(message)


def is_int(v: object) -> bool:
    """An integer, or a float with an integral value (configuration files give ``32.0``)."""
    if isinstance(v, float | np.floating):
        return float(v).is_integer()
    return isinstance(v, int | np.integer) and not isinstance(v, bool)
