"""Missing-value markers: the known spellings of "no value", and declared markers read as null.

Two uses:

* :data:`KNOWN_MARKERS` and :func:`normalise_marker`: the fixed list of strings that, once
  stripped of surrounding whitespace and case-folded, mean "no value" (``'?'``, ``'N/A'``,
  ``'unknown'``...).  The scan counts them per text column (``TextSummary.missing_markers``)
  and ``quality.disguised_missing`` reports them.  :func:`is_sentinel_like` says which numbers
  are the usual numeric codes for "no value" (``99999``, ``-1``, ``-999``).
* :class:`MissingMarkers`: markers a user declared for an input (every column) or per column;
  :func:`apply_missing_markers` turns them into nulls in an Arrow batch, with Arrow compute
  kernels (no per-row Python), so CSV, Parquet and SQL sources are treated alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    import pyarrow.compute as pc
else:  # imported on first use (mlaudit._lazy)
    pc = lazy_import("pyarrow.compute")

__all__ = [
    "KNOWN_MARKERS",
    "MissingMarkers",
    "apply_missing_markers",
    "is_sentinel_like",
    "marker_text",
    "normalise_marker",
]

KNOWN_MARKERS: frozenset[str] = frozenset(
    {
        "",
        "?",
        "??",
        "???",
        "-",
        "--",
        "---",
        ".",
        "..",
        "na",
        "n/a",
        "n.a.",
        "n.a",
        "#n/a",
        "nan",
        "null",
        "<null>",
        "none",
        "nil",
        "missing",
        "unknown",
        "unk",
        "not available",
        "not applicable",
        "not known",
        "undefined",
        "(blank)",
        "blank",
        "(null)",
        "(none)",
        "(missing)",
    }
)
"""Strings that mean "no value", compared after stripping whitespace and case-folding."""


def normalise_marker(value: str) -> str:
    """``value`` stripped of surrounding whitespace and case-folded (how markers compare)."""
    return value.strip().casefold()


def is_sentinel_like(value: float) -> bool:
    """Whether ``value`` is a usual numeric code for "no value".

    Two families: all nines of at least two digits (``99``, ``999``, ... ``999999999``, also
    with ``.99``-style decimals such as ``99.99``, and their negatives), and minus one followed
    by nines or zeros only as ``-1``, ``-9``, ``-99``, ``-999``...  Plain ``9`` is a value
    too common to be a code.
    """
    if not math.isfinite(value) or value == 0:
        return False
    if value in (-1.0, -9.0):
        return True
    text = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    digits = text.replace(".", "")
    return len(digits) >= 2 and set(digits) == {"9"} and not text.startswith(".")


@dataclass(frozen=True)
class MissingMarkers:
    """Declared missing markers: for every column of an input, and per column.

    ``every`` applies to text columns (compared after stripping surrounding whitespace) and,
    for the markers that read as numbers, to numeric columns; ``columns`` maps a column to its
    own markers (numbers for numeric columns), added to ``every``.
    """

    every: tuple[str, ...] = ()
    columns: dict[str, tuple[str | float, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.every or any(self.columns.values()))

    def for_column(self, name: str) -> tuple[str | float, ...]:
        """The markers that apply to column ``name`` (the input's, then the column's own)."""
        return (*self.every, *self.columns.get(name, ()))


def marker_text(marker: str | float) -> str:
    """A declared marker as the report writes it (``99999``, not ``99999.0``)."""
    if isinstance(marker, float) and marker.is_integer():
        return str(int(marker))
    return str(marker)


def _as_number(marker: str | float) -> float | None:
    if isinstance(marker, int | float):
        return float(marker)
    try:
        return float(marker.strip())
    except ValueError:
        return None


def _text_array(col: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_large_string(col.type) or pa.types.is_string(col.type):
        return col
    if pa.types.is_string_view(col.type):
        return col.cast(pa.string())
    return None


def _marker_masks(
    col: pa.Array | pa.ChunkedArray, markers: tuple[str | float, ...]
) -> dict[str, pa.Array] | None:
    """Per marker (as written), where the column holds it; None if no marker can apply."""
    text = _text_array(col)
    out: dict[str, pa.Array] = {}
    if text is not None:
        stripped = pc.utf8_trim_whitespace(text)
        for m in markers:
            if isinstance(m, str):
                out[m] = pc.equal(stripped, m.strip())
        return out
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        values = col.cast(pa.float64())
        for m in markers:
            number = _as_number(m)
            if number is not None:
                out[marker_text(m)] = pc.equal(values, number)
        return out
    return None


def _nulls_where(col: pa.Array, hit: pa.Array) -> pa.Array:
    """``col`` with nulls where ``hit`` holds, in ``col``'s own type."""
    plain = _text_array(col)
    if plain is None or plain.type == col.type:
        return pc.if_else(hit, pa.scalar(None, col.type), col)
    out = pc.if_else(hit, pa.scalar(None, plain.type), plain)
    return out.cast(col.type)


def apply_missing_markers(
    batch: pa.RecordBatch, markers: MissingMarkers
) -> tuple[pa.RecordBatch, dict[str, dict[str, int]]]:
    """``batch`` with the declared markers replaced by nulls, and per column the number of
    values each marker turned into a null (only markers that matched)."""
    if not markers:
        return batch, {}
    arrays = list(batch.columns)
    counts: dict[str, dict[str, int]] = {}
    for i, name in enumerate(batch.schema.names):
        wanted = markers.for_column(name)
        masks = _marker_masks(arrays[i], wanted) if wanted else None
        if not masks:
            continue
        found = {m: int(pc.sum(mask).as_py() or 0) for m, mask in masks.items()}
        found = {m: n for m, n in found.items() if n}
        if not found:
            continue
        hit = masks[next(iter(found))]
        for m in list(found)[1:]:
            hit = pc.or_(hit, masks[m])
        arrays[i] = _nulls_where(arrays[i], hit)
        counts[name] = found
    if not counts:
        return batch, {}
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema), counts
