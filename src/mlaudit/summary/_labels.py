"""Conflicting labels: rows whose features are identical but whose labels differ.

When a scan plan asks for it (``ScanPlan.labels``) and the schema has one target column, every
row's **features** (the columns whose role is ``feature`` or ``sensitive``: not the target,
prediction, score, id, timestamp or ignored columns) and its **label** (the target) are hashed
in the pass that hashes whole rows for duplicate counts (:func:`hash_rows_parts`: one pass over
the columns gives the row hash, the feature hash and the label hash).  Rows without a label are
left out.  Each feature hash keeps the smallest and largest label hash seen with it and its row
count: the batches' hashes wait in a list and are folded into that table (one polars
``group_by``) once they outnumber the groups held, as the duplicate counts' hash sets are, and at
the end of the scan.  A feature hash whose smallest and largest label hashes differ was seen
with more than one label: a **conflicting group**.

Memory: 32 bytes per distinct feature combination held, plus 16 bytes per row of the batches not
yet folded (at most as many as the groups held, or 1M).  Beyond ``cap`` groups the table keeps
only the feature groups whose hash falls below a threshold that halves each time the cap is
reached (distinct sampling, Gibbons 2001): every group is then kept with probability
``2**-level``, independently of its labels, so group and row counts scaled by ``2**level`` are
unbiased estimates (``exact`` becomes False).  Collisions of 64-bit hashes (about
``n**2 / 2**65``) are neglected.  The figures are NaN until :meth:`LabelConflicts.count` runs
(the builder counts once, when it finishes, as it counts duplicates).

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
"""Most feature groups held (about 256 MiB) before the table samples groups."""

NOT_FEATURES = frozenset(
    {Role.TARGET, Role.PREDICTION, Role.SCORE, Role.ID, Role.TIMESTAMP, Role.IGNORED}
)
"""Roles of the columns that are not features of the rows compared."""

_GROUPS = {"f": pl.UInt64, "lo": pl.UInt64, "hi": pl.UInt64, "n": pl.Int64}
_ROWS = {"f": pl.UInt64, "l": pl.UInt64}


def _as_groups(frame: pl.DataFrame) -> pl.DataFrame:
    """A batch's rows ``(f, l)`` as one-row groups; groups as they are."""
    if "l" not in frame.columns:
        return frame
    return frame.select("f", lo="l", hi="l", n=pl.lit(1, pl.Int64))


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

    def feature_groups(self) -> pl.DataFrame | None:
        """The feature groups held: ``f`` (feature hash), ``lo`` and ``hi`` (smallest and largest
        label hash) and ``n`` (rows); None when the groups were not kept (figures read back
        from bytes).  Unless ``exact``, only the groups whose hash falls below ``2**(64 -
        level)`` are held."""
        if not self._has_pairs:
            return None
        self.compact()
        return self._held if self._held is not None else pl.DataFrame(schema=_GROUPS)

    def add(self, features: np.ndarray, labels: np.ndarray) -> None:
        """Add the feature and label hashes of the labelled rows of a batch."""
        self.rows += int(features.size)
        if not features.size:
            return
        frame = pl.DataFrame({"f": features, "l": labels}, schema=_ROWS)
        self._pending.append(frame.filter(_kept(self.level)) if self.level else frame)
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        pending = sum(p.height for p in self._pending)
        held = 0 if self._held is None else self._held.height
        if pending > max(held, 1 << 20):
            self.compact()

    def compact(self) -> None:
        """Fold the pending hashes into the groups held; sample groups beyond the cap."""
        if not self._pending:
            return
        parts = [] if self._held is None else [self._held.lazy()]
        for p in self._pending:  # a batch's rows (f, l), or groups of a merged profile
            parts.append(_as_groups(p).lazy())
        held = (
            pl.concat(parts)
            .group_by("f")
            .agg(pl.col("lo").min(), pl.col("hi").max(), pl.col("n").sum())
            .collect()
        )
        while held.height > self.cap:
            self.level += 1
            self.exact = False
            held = held.filter(_kept(self.level))
        self._held, self._pending = held, []

    def count(self) -> None:
        """Set the group figures from the groups held (once, at the end of a scan)."""
        if not self._has_pairs:
            return
        self.compact()
        if self._held is None or not self._held.height:
            self.groups = self.conflicting_groups = self.conflicting_rows = 0.0
            return
        conflict = self._held.filter(pl.col("lo") != pl.col("hi"))
        scale = float(2**self.level)
        self.groups = self._held.height * scale
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
    out.groups = out.conflicting_groups = out.conflicting_rows = math.nan  # counted at the end
    return rows, out


def _class_counts(labels: pl.Series, key: bytes | None) -> tuple[dict[str, int], bool]:
    """Rows per label as text, or ``({}, False)`` beyond :data:`CLASS_CAP` labels."""
    vc = labels.value_counts(name="__n")  # on the labels' own type: no per-row text
    if vc.height > CLASS_CAP:
        return {}, False
    text = vc.get_column(labels.name).cast(pl.String)
    if key is not None:
        text = mask_strings(text, key)
    counts = vc.get_column("__n").to_list()
    return dict(sorted(zip(text.to_list(), counts, strict=True))), True
