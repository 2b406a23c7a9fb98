"""Conflicting labels: rows whose features are identical but whose labels differ.

When a scan plan asks for it (``ScanPlan.labels``) and the schema has one target column, every
row's **features** (the columns whose role is ``feature`` or ``sensitive``: not the target,
prediction, score, id, timestamp or ignored columns) and its **label** (the target) are hashed
in the pass that hashes whole rows for duplicate counts (:func:`hash_rows_parts`: one pass over
the columns gives the row hash, the feature hash and the label hash).  Rows without a label are
left out.  Each batch is reduced to its distinct (feature hash, label hash) pairs with their row
counts; the pairs of the batches are merged (concatenated and reduced again once the pending
ones outnumber those held, as the duplicate counts' hash sets are) and, at the end of the scan, a
feature hash held with more than one label hash is a **conflicting group**.

Memory: 24 bytes per distinct (features, label) pair held, plus 16 bytes per row of the batches
not yet merged.  Beyond ``cap`` pairs the set keeps only the feature groups whose hash falls
below a threshold that halves each time the cap is reached (distinct sampling, Gibbons 2001):
every group is then kept with probability ``2**-level``, independently of its labels, so group
and row counts scaled by ``2**level`` are unbiased estimates (``exact`` becomes False).
Collisions of 64-bit hashes (about ``n**2 / 2**65``) are neglected.

Saved profiles keep the figures, not the pairs: a profile read back and merged with another has
no conflict counts (``None``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from mlaudit.data import Role, Schema
from mlaudit.summary._hashing import hash_rows, hash_rows_parts, mask_strings

__all__ = [
    "CLASS_CAP",
    "LABEL_PAIR_CAP",
    "NOT_FEATURES",
    "LabelConflicts",
    "label_parts",
    "merge_labels",
    "row_hashes",
]

CLASS_CAP = 10_000
"""Most distinct labels counted: a target with more is not a classification target."""

LABEL_PAIR_CAP = 8_000_000
"""Most distinct (features, label) pairs held (about 190 MiB) before the set samples groups."""

NOT_FEATURES = frozenset(
    {Role.TARGET, Role.PREDICTION, Role.SCORE, Role.ID, Role.TIMESTAMP, Role.IGNORED}
)
"""Roles of the columns that are not features of the rows compared."""

_PAIR_SCHEMA = {"f": pl.UInt64, "l": pl.UInt64, "n": pl.Int64}


@dataclass
class LabelConflicts:
    """Feature groups (rows with identical features) of a data set and their labels."""

    label: str
    """The target column."""
    features: list[str]
    """The columns compared."""
    rows: int = 0
    """Rows with a label."""
    groups: float = 0.0
    """Distinct feature combinations among them (an estimate unless ``exact``)."""
    conflicting_groups: float = 0.0
    """Feature combinations seen with more than one label."""
    conflicting_rows: float = 0.0
    """Rows in those groups."""
    exact: bool = True
    """False once the pairs were sampled (the figures are then estimates)."""
    level: int = 0
    """Sampling level: groups are kept with probability ``2**-level``."""
    classes: dict[str, int] = field(default_factory=dict)
    """Rows per label (the label as text); empty when ``classes_exact`` is False."""
    classes_exact: bool = True
    """False when the target had more than ``CLASS_CAP`` distinct labels (not counted)."""
    _pending: list[pl.DataFrame] = field(default_factory=list, repr=False, compare=False)
    _held: pl.DataFrame | None = field(default=None, repr=False, compare=False)
    cap: int = field(default=LABEL_PAIR_CAP, repr=False, compare=False)
    _has_pairs: bool = field(default=True, repr=False, compare=False)
    """False for figures read back from bytes: the pairs were not saved."""

    @property
    def share(self) -> float:
        """Share of the labelled rows that lie in a conflicting group (NaN without rows)."""
        return self.conflicting_rows / self.rows if self.rows else float("nan")

    def add(self, features: np.ndarray, labels: np.ndarray) -> None:
        """Add the feature and label hashes of the labelled rows of a batch."""
        self.rows += int(features.size)
        if not features.size:
            return
        frame = pl.DataFrame({"f": features, "l": labels}, schema={"f": pl.UInt64, "l": pl.UInt64})
        self._pending.append(_reduce(frame.with_columns(n=pl.lit(1, pl.Int64)), self.level))
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        pending = sum(p.height for p in self._pending)
        held = 0 if self._held is None else self._held.height
        if pending > max(held, 1 << 20):
            self.compact()

    def compact(self) -> None:
        """Fold the pending pairs into the held ones; sample groups beyond the cap."""
        if not self._pending:
            return
        parts = [p for p in [self._held, *self._pending] if p is not None]
        held = _reduce(pl.concat(parts), self.level)
        while held.height > self.cap:
            self.level += 1
            self.exact = False
            held = held.filter(_kept(self.level))
        self._held, self._pending = held, []

    def count(self) -> None:
        """Set the group figures from the pairs held (once, at the end of a scan)."""
        if not self._has_pairs:
            return
        self.compact()
        if self._held is None or not self._held.height:
            self.groups = self.conflicting_groups = self.conflicting_rows = 0.0
            return
        per = self._held.group_by("f").agg(k=pl.len(), n=pl.col("n").sum())
        conflict = per.filter(pl.col("k") > 1)
        scale = float(2**self.level)
        self.groups = per.height * scale
        self.conflicting_groups = conflict.height * scale
        self.conflicting_rows = float(conflict["n"].sum() or 0) * scale


def _add_classes(a: LabelConflicts, b: LabelConflicts, out: LabelConflicts) -> None:
    out.classes_exact = a.classes_exact and b.classes_exact
    if out.classes_exact:
        merged = dict(a.classes)
        for k, v in b.classes.items():
            merged[k] = merged.get(k, 0) + v
        out.classes_exact = len(merged) <= CLASS_CAP
        out.classes = dict(sorted(merged.items())) if out.classes_exact else {}


def _kept(level: int) -> pl.Expr:
    """Groups kept at sampling ``level``: feature hashes below ``2**(64 - level)``."""
    return pl.col("f") < pl.lit(1 << (64 - level), pl.UInt64) if level else pl.lit(True)


def _reduce(frame: pl.DataFrame, level: int) -> pl.DataFrame:
    """Distinct (f, l) pairs with their summed counts, kept at ``level``."""
    if level:
        frame = frame.filter(_kept(level))
    return frame.group_by("f", "l").agg(pl.col("n").sum()).select(list(_PAIR_SCHEMA))


def label_parts(schema: Schema, names: list[str]) -> tuple[str, list[int]] | None:
    """The target column and the positions in ``names`` of the feature columns (maybe none),
    or None when the schema has not exactly one target."""
    targets = schema.with_role(Role.TARGET)
    if len(targets) != 1:
        return None
    roles = {c.name: c.role for c in schema.columns}
    feats = [i for i, n in enumerate(names) if roles.get(n) not in NOT_FEATURES]
    return targets[0].name, feats


def merge_labels(
    a: LabelConflicts | None, b: LabelConflicts | None, *, count: bool
) -> LabelConflicts | None:
    """The conflicts of two disjoint parts (None when either side has no pairs to merge)."""
    if a is None or b is None:
        return None
    if (a.label, a.features) != (b.label, b.features):
        return None
    out = LabelConflicts(a.label, list(a.features), rows=a.rows + b.rows, cap=min(a.cap, b.cap))
    _add_classes(a, b, out)
    if not (a._has_pairs and b._has_pairs):  # a side read back from bytes: its pairs are gone
        out._has_pairs, out.exact = False, False
        out.groups = out.conflicting_groups = out.conflicting_rows = math.nan
        return out
    out.level = max(a.level, b.level)
    out.exact = a.exact and b.exact and out.level == 0
    out._pending = [p for s in (a, b) for p in ([s._held] if s._held is not None else [])]
    out._pending += [*a._pending, *b._pending]
    if out.level:
        out._pending = [p.filter(_kept(out.level)) for p in out._pending]
    out._maybe_compact()
    if count:
        out.count()
    return out


def row_hashes(
    df: pl.DataFrame,
    schema: Schema,
    labels: bool,
    seeds: tuple[int, tuple[set[str], bytes | None]],
) -> tuple[np.ndarray, LabelConflicts | None]:
    """Each row's hash (:func:`hash_rows` of the schema's columns under ``seeds[0]``) and, when
    ``labels`` is asked for and the schema has one target, the batch's :class:`LabelConflicts`
    (the labels' text masked under the mask key when the target is among the personal columns
    of ``seeds[1]``)."""
    names = schema.names
    frame = df.select(names)
    parts = label_parts(schema, names) if labels else None
    if parts is None:
        return hash_rows(frame, seeds[0]), None
    label, feats = parts
    target = frame.get_column(label)
    known = target.is_not_null()
    if target.dtype.is_float():
        known = known & ~target.is_nan()
    keep = known.fill_null(False)
    out = LabelConflicts(label, [names[i] for i in feats])
    personal, key = seeds[1]
    mask_key = key if label in personal else None
    out.classes, out.classes_exact = _class_counts(target.filter(keep), mask_key)
    if not feats:
        out.rows = int(keep.sum())
        return hash_rows(frame, seeds[0]), out
    rows, (f, lab) = hash_rows_parts(frame, [feats, [names.index(label)]], seeds[0])
    mask = keep.to_numpy()
    out.add(f[mask], lab[mask])
    out.count()
    return rows, out


def _class_counts(labels: pl.Series, key: bytes | None) -> tuple[dict[str, int], bool]:
    """Rows per label as text, or ``({}, False)`` beyond :data:`CLASS_CAP` labels."""
    text = labels.cast(pl.String) if labels.dtype != pl.String else labels
    if key is not None:
        text = mask_strings(text, key)
    vc = text.value_counts(name="n")
    if vc.height > CLASS_CAP:
        return {}, False
    keys, counts = vc.get_column(text.name).to_list(), vc.get_column("n").to_list()
    return dict(sorted(zip(keys, counts, strict=True))), True
