"""``leakage.identifier``: identifier-like columns that predict the target.

An identifier names a record; it should say nothing about the outcome.  When it does, the ids
were given out in an order that follows the outcome (records numbered after they were sorted by
result, defaulted loans moved to a new range of numbers, a source system per outcome), and a
model that reads the id, or anything derived from it, learns that order.

**Which columns.**  Columns declared with the role ``id``, and feature columns that look like
identifiers: the schema's ``id`` type, or text with at least ``unique_share`` of their present
values distinct (the profile's exact or estimated distinct count), not personal ones.  An
integer column is an identifier only when declared or inferred as one: amounts and counts are
nearly unique too, and their order is meant to predict.

**The test.**  On the current data's seeded sample each column's **order** (numbers by value,
text in lexicographic order) is scored against a binary target: its ROC AUC (oriented, so AUC
below 0.5 counts as well), with DeLong's variance.  A column is flagged when the two-sided test
of AUC = 0.5 is significant at ``alpha`` divided by the number of columns tested (Bonferroni:
there are few of them) and the AUC is at least ``min_auc``: significance alone would flag a
negligible order effect on a large sample.  The same column's cross-fitted category rates would
score 0.5 (every value is new), so the order is what can leak.  Binary targets only.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import ClassVar

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.leakage._power import Separation, order_separation
from mlaudit.checks.leakage._target import FEATURE_ROLES, binary_target
from mlaudit.data import ColumnType, Role
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail, Threshold

__all__ = ["IdentifierLeakage"]

_ID_LIKE_TYPES = frozenset({ColumnType.ID, ColumnType.CATEGORICAL, ColumnType.TEXT})


@register
class IdentifierLeakage(Check):
    """Warn when an identifier-like column's order predicts the target."""

    id: ClassVar[str] = "leakage.identifier"
    family: ClassVar[str] = "leakage"
    title: ClassVar[str] = "Identifiers do not predict the label"
    why: ClassVar[str] = (
        "An id that predicts the outcome means records were numbered in an order that follows "
        "the outcome; a model reading it (or anything derived from it) learns that order, which "
        "new records will not follow."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset({"distinct"})

    alpha: Alpha = 0.01
    """Significance of the test of AUC = 0.5 (two-sided, Bonferroni across the columns)."""
    min_auc: Share = 0.6
    """Smallest oriented AUC that is flagged (warn)."""
    fail: Share = 0.8
    """Oriented AUC at which a significant column fails."""
    unique_share: Share = 0.95
    """A feature column is identifier-like when at least this share of its values is distinct."""
    positive_label: str | None = None
    """The positive class when the target is text (default: 1/True, else the larger value)."""

    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = (("min_auc", "fail"),)

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Score each identifier-like column's order against the target."""
        got = binary_target(ctx, self.positive_label)
        if isinstance(got, str):
            return self.skipped(got)
        frame, y, target = got
        if y.min() == y.max():
            return self.skipped(f"every sample row has the same {target} label")
        columns = [c for c in self._candidates(ctx) if c in frame.columns]
        if not columns:
            return self.skipped(
                "no identifier-like column (declared id, or integers/text with nearly every "
                "value distinct)"
            )
        level = self.alpha / len(columns)
        rows: list[list[Cell]] = []
        flagged: list[tuple[str, Separation, float]] = []
        for name in columns:
            sep = order_separation(frame[name], y)
            z = (sep.auc - 0.5) / math.sqrt(sep.variance) if sep.variance > 0 else 0.0
            p = 2.0 * NormalDist().cdf(-abs(z)) if sep.variance > 0 else 1.0
            rows.append([name, sep.auc, sep.low, sep.high, p])
            if p < level and sep.auc >= self.min_auc:
                flagged.append((name, sep, p))
        rows.sort(key=lambda r: (-_number(r[1]), str(r[0])))
        worst = max(_number(r[1]) for r in rows)
        status = Status.PASS
        if flagged:
            status = Status.FAIL if max(s.auc for _, s, _ in flagged) >= self.fail else Status.WARN
        table = TableDetail(
            name="identifier_auc",
            title=f"Identifier-like columns: the order of their values against {target}",
            columns=["column", "AUC", "95% low", "95% high", "p-value (AUC = 0.5)"],
            rows=rows,
            note=f"Flagged when p < {level:.2g} (alpha / columns) and AUC ≥ {self.min_auc:g}.",
        )
        metrics: dict[str, float | int | None] = {
            "columns_tested": len(columns),
            "columns_flagged": len(flagged),
            "max_auc": worst,
            "sample_rows": y.size,
        }
        threshold = Threshold(metric="max_auc", direction="max", warn=self.min_auc, fail=self.fail)
        message = _message(target, columns, flagged, y.size)
        return self.result(status, message, metrics=metrics, threshold=threshold, details=[table])

    def _candidates(self, ctx: CheckContext) -> list[str]:
        personal = set(ctx.schema.personal)
        out = []
        for c in ctx.schema.columns:
            if c.name in personal:
                continue
            if c.role == Role.ID:
                out.append(c.name)
                continue
            s = ctx.current.columns.get(c.name)
            if c.role not in FEATURE_ROLES or s is None or not s.count:
                continue
            if c.type not in _ID_LIKE_TYPES:
                continue
            present = s.count - s.missing
            if present and s.distinct >= self.unique_share * present:
                out.append(c.name)
        return out


def _message(
    target: str, columns: list[str], flagged: list[tuple[str, Separation, float]], n: int
) -> str:
    head = (
        f"{len(columns)} identifier-like column{'' if len(columns) == 1 else 's'} "
        f"({', '.join(columns[:5])}) tested against {target} on {format_count(n)} sample rows"
    )
    if not flagged:
        return head + "; the order of their values does not predict the label."
    shown = "; ".join(f"{n} (AUC {s.auc:.3f}, p = {p:.2g})" for n, s, p in flagged[:5])
    return head + (
        f"; the order of {shown} predicts the label. Find out how the ids were given out, and "
        "make sure neither the id nor anything derived from it is a model input."
    )


def _number(cell: Cell) -> float:
    return float(cell) if isinstance(cell, int | float) else 0.0
