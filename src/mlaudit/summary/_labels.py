"""Conflicting labels: rows whose features are identical but whose labels differ.

When a scan plan asks for it (``ScanPlan.labels``) and the schema has one target column, every
row's **features** (the columns whose role is ``feature`` or ``sensitive``: not the target,
prediction, score, id, timestamp or ignored columns) and its **label** (the target) are hashed
in the pass that hashes whole rows for duplicate counts (:func:`hash_rows_parts`: one pass over
the columns gives the row hash, the feature hash and the label hash).  Rows without a label are
left out.  Each batch's rows are folded into a table of **feature groups**, sorted by feature
hash, each with its smallest label hash, its rows and whether another label was seen
(:mod:`mlaudit.summary._labelgroups`); the batches' tables wait in a list and are merged into
the table held once they pass a quarter of it (or 262,144 groups), and at the end of the scan.
A group seen with more than one label is a **conflicting group**.

Memory: 25 bytes per distinct feature combination held, plus as much again, briefly, while a
merge copies the table (sorted arrays: no hash table), plus the groups not yet merged (at most
a quarter of those held, or 262,144).  Beyond ``cap`` groups the table keeps
only the feature groups whose hash falls below a threshold that halves each time the cap is
reached (distinct sampling, Gibbons 2001): every group is then kept with probability
``2**-level``, independently of its labels, so group and row counts scaled by ``2**level`` are
unbiased estimates (``exact`` becomes False).  Collisions of 64-bit hashes (about
``n**2 / 2**65``) are neglected.  The figures are NaN until :meth:`LabelConflicts.count` runs
(the builder counts once, when it finishes, as it counts duplicates).

Saved profiles keep the feature groups (25 bytes each, as the row hashes of the duplicate
counts are kept), so saved profiles of two parts merge into the counts of the whole; a profile
saved by an earlier mlaudit has the figures only, and merged with another has none (NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from mlaudit.data import Role, Schema
from mlaudit.summary._hashing import hash_rows, hash_rows_parts, mask_strings
from mlaudit.summary._labelgroups import Groups, combine, empty, from_rows, merge_into

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
    _pending: list[Groups] = field(default_factory=list, repr=False, compare=False)
    _held: Groups | None = field(default=None, repr=False, compare=False)
    cap: int = field(default=LABEL_PAIR_CAP, repr=False, compare=False)
    _has_pairs: bool = field(default=True, repr=False, compare=False)
    """False for figures read back from bytes: the pairs were not saved."""

    @property
    def share(self) -> float:
        """Share of the labelled rows that lie in a conflicting group (NaN without rows)."""
        return self.conflicting_rows / self.rows if self.rows else float("nan")

    def feature_groups(self) -> pl.DataFrame | None:
        """The feature groups held: ``f`` (feature hash), ``label`` (smallest label hash),
        ``other`` (another label seen) and ``n`` (rows); None when the groups were not kept (a
        profile saved by an earlier mlaudit).  Unless ``exact``, only the groups whose hash
        falls below ``2**(64 - level)`` are held."""
        if not self._has_pairs:
            return None
        self.compact()
        g = self._held if self._held is not None else empty()
        return pl.DataFrame({"f": g.f, "label": g.label, "other": g.other, "n": g.rows})

    def add(self, features: np.ndarray, labels: np.ndarray) -> None:
        """Add the feature and label hashes of the labelled rows of a batch."""
        self.rows += int(features.size)
        if not features.size:
            return
        self._pending.append(from_rows(features, labels).below(self.level))
        self._maybe_compact()

    def _maybe_compact(self) -> None:
        pending = sum(p.size for p in self._pending)
        if pending > max(self.held_groups // 4, _FOLD_AT):
            self.compact()

    @property
    def held_groups(self) -> int:
        """Feature groups held (once folded)."""
        return 0 if self._held is None else self._held.size

    def compact(self) -> None:
        """Fold the pending groups into the groups held; sample groups beyond the cap."""
        if not self._pending:
            return
        new = combine(self._pending)
        held = new if self._held is None else merge_into(self._held, new)
        self._pending = []
        if held.size > self.cap:
            while held.size > self.cap:
                self.level += 1
                self.exact = False
                held = held.below(self.level)
            held = held.copy()  # frees the groups dropped
        self._held = held

    def held(self) -> Groups:
        """The feature groups, folded (for saving)."""
        self.compact()
        return empty() if self._held is None else self._held

    def count(self) -> None:
        """Set the group figures from the groups held (once, at the end of a scan)."""
        if not self._has_pairs:
            return
        g = self.held()
        scale = float(2**self.level)
        self.groups = g.size * scale
        self.conflicting_groups = int(g.other.sum()) * scale
        self.conflicting_rows = float(g.rows[g.other].sum()) * scale


_FOLD_AT = 1 << 18
"""Pending groups are folded in once they pass this or a quarter of the groups held (the
groups held grow by a quarter at most between folds: the folds' work adds up to about five
times the final table, and the pending groups stay under a quarter of it)."""


def _add_classes(a: LabelConflicts, b: LabelConflicts, out: LabelConflicts) -> None:
    out.classes_exact = a.classes_exact and b.classes_exact
    if out.classes_exact:
        merged = dict(a.classes)
        for k, v in b.classes.items():
            merged[k] = merged.get(k, 0) + v
        out.classes_exact = len(merged) <= CLASS_CAP
        out.classes = dict(sorted(merged.items())) if out.classes_exact else {}


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
    helds = sorted((s._held for s in (a, b) if s._held is not None), key=lambda g: g.size)
    if helds:  # the larger table is held (shared: merging never changes a table)
        out._held = helds.pop().below(out.level)
    out._pending = [t.below(out.level) for t in [*a._pending, *b._pending, *helds]]
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
