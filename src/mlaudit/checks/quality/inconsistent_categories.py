"""``quality.inconsistent_categories``: one category spelled several ways ('Yes', 'yes', 'Y').

Two values are spellings of the same category when their *normalised keys* are equal.  The key
of a value is built in this order:

1. Unicode NFKC normalisation (full-width and compatibility characters become plain ones) and
   case folding (``'Straße'`` and ``'STRASSE'`` agree);
2. punctuation (Unicode categories ``P*``: ``- _ . , / ' ( )`` ...) is removed, except between
   two digits so that ``'1.5'`` and ``'15'`` stay apart;
3. all whitespace is removed, so ``'self employed'``, ``'Self-Employed'`` and ``'selfemployed'``
   agree;
4. boolean synonyms map to one key: ``y, yes, true, t, 1`` → ``true`` and
   ``n, no, false, f, 0`` → ``false``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import ClassVar

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import Share
from mlaudit.data import ColumnType, Role
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail, Threshold
from mlaudit.summary import ColumnSummary

__all__ = ["BOOLEAN_SYNONYMS", "Group", "InconsistentCategories", "normalise", "spelling_groups"]

BOOLEAN_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("y", "yes", "true", "t", "1"), "true"),
    **dict.fromkeys(("n", "no", "false", "f", "0"), "false"),
}
"""Normalised spellings of booleans and the key they share."""

_TYPES = (ColumnType.CATEGORICAL, ColumnType.TEXT, ColumnType.BOOLEAN, ColumnType.UNKNOWN)
_MAX_ROWS = 50


def normalise(value: str) -> str:
    """The key under which spellings of one category agree (see the module docstring)."""
    s = unicodedata.normalize("NFKC", value).casefold()
    kept: list[str] = []
    for i, ch in enumerate(s):
        if ch.isspace():
            continue
        if unicodedata.category(ch).startswith("P"):
            between_digits = 0 < i < len(s) - 1 and s[i - 1].isdigit() and s[i + 1].isdigit()
            if not between_digits:
                continue
        kept.append(ch)
    key = "".join(kept)
    return BOOLEAN_SYNONYMS.get(key, key)


@dataclass(frozen=True)
class Group:
    """Spellings of one category: ``variants`` are (value, count), most frequent first."""

    key: str
    variants: tuple[tuple[str, int], ...]

    @property
    def main(self) -> str:
        """The most frequent spelling."""
        return self.variants[0][0]

    @property
    def total(self) -> int:
        """Rows holding any spelling of the category."""
        return sum(n for _, n in self.variants)

    @property
    def minority(self) -> int:
        """Rows holding a spelling other than the most frequent one."""
        return self.total - self.variants[0][1]


def spelling_groups(counts: dict[str, int]) -> list[Group]:
    """Categories of ``counts`` (value → count) that are spelled more than one way.

    Returns
    -------
    list of Group
        Only groups with two or more spellings, most affected rows first (ties by key); within
        a group, spellings by decreasing count then by value.
    """
    by_key: dict[str, list[tuple[str, int]]] = {}
    for value, n in counts.items():
        by_key.setdefault(normalise(value), []).append((value, n))
    groups = [
        Group(key=k, variants=tuple(sorted(v, key=lambda vn: (-vn[1], vn[0]))))
        for k, v in by_key.items()
        if len(v) > 1
    ]
    return sorted(groups, key=lambda g: (-g.minority, g.key))


@register
class InconsistentCategories(Check):
    """Warn when a category is spelled several ways; fail when many rows use minority spellings."""

    id: ClassVar[str] = "quality.inconsistent_categories"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Categories are spelled consistently"
    why: ClassVar[str] = (
        "When one category is written several ways ('Yes', 'yes', 'Y'), a model treats the "
        "spellings as different categories: it splits the evidence between them and learns "
        "noise, and rows with a rare spelling are scored as if they were something else."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    fail_share: Share = 0.05
    """Fail when more than this share of non-missing rows uses a minority spelling."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per categorical or text column with category counts."""
        candidates = [
            c.name
            for c in ctx.schema.columns
            if c.role not in (Role.IGNORED, Role.ID)
            and c.type in _TYPES
            and c.name in ctx.current.columns
            and ctx.current.columns[c.name].categories is not None
        ]
        return [
            self._column(ctx.current.columns[n])
            if n in ctx.current.columns
            else self.skipped(f"{n} is not in the profile", column=n)
            for n in self.target_columns(ctx, candidates)
        ]

    def _column(self, col: ColumnSummary) -> CheckResult:
        cats = col.categories
        if cats is None:
            return self.skipped(f"no category counts were kept for {col.name}", column=col.name)
        if cats.hashed:
            return self.skipped(
                f"{col.name} is personal data: its values are stored hashed, so spellings "
                "cannot be compared",
                column=col.name,
            )
        if col.non_null == 0:
            return self.skipped(f"{col.name} has no non-missing values", column=col.name)
        groups = spelling_groups(cats.counts)
        affected = sum(g.minority for g in groups)
        share = affected / col.non_null
        threshold = Threshold(
            metric="minority_spelling_share", direction="max", warn=0.0, fail=self.fail_share
        )
        metrics: dict[str, float | int | None] = {
            "categories": len(cats.counts),
            "inconsistent_groups": len(groups),
            "minority_spelling_rows": affected,
            "minority_spelling_share": share,
        }
        extra = {} if cats.exact else {"exact": False}
        if not groups:
            return self.result(
                Status.PASS,
                f"every one of the {len(cats.counts):,} categories of {col.name} has one spelling",
                column=col.name,
                metrics=metrics,
                threshold=threshold,
                **extra,
            )
        status = threshold.status_for(share)
        msg = _message(col.name, groups, affected, col.non_null, status, self.fail_share)
        return self.result(
            status,
            msg,
            column=col.name,
            metrics=metrics,
            threshold=threshold,
            details=[_groups_table(groups, cats.exact, cats.error)],
            **extra,
        )


def _message(
    name: str, groups: list[Group], affected: int, non_null: int, status: Status, fail: float
) -> str:
    first = groups[0]
    others = ", ".join(repr(v) for v, _ in first.variants[1:4])
    limit = "above" if status is Status.FAIL else "within"
    one = len(groups) == 1
    return (
        f"{len(groups):,} categor{'y' if one else 'ies'} of {name} {'is' if one else 'are'} "
        f"spelled more than one way (e.g. {first.main!r} also as {others}); {affected:,} of "
        f"{non_null:,} rows ({format_share(affected / non_null)}) use a minority spelling, "
        f"{limit} the "
        f"{format_share(fail)} failure limit; map the spellings to one value"
    )


def _groups_table(groups: list[Group], exact: bool, error: int) -> TableDetail:
    rows: list[list[Cell]] = [
        [g.main, ", ".join(f"{v!r} ({n:,})" for v, n in g.variants), len(g.variants), g.minority]
        for g in groups[:_MAX_ROWS]
    ]
    notes = []
    if len(groups) > _MAX_ROWS:
        notes.append(f"the {_MAX_ROWS} most affected of {len(groups):,} groups")
    if not exact:
        notes.append(f"frequent values only; counts may be low by up to {error:,}")
    return TableDetail(
        name="spelling_groups",
        title="Categories spelled more than one way",
        columns=["category", "spellings (rows)", "spellings", "rows with a minority spelling"],
        rows=rows,
        note="; ".join(notes),
    )
