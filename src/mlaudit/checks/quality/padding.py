"""``quality.padding``: categories and text with leading or trailing whitespace.

Whitespace is Unicode's White_Space set (space, tab, line breaks, the non-breaking spaces
U+00A0, U+2007, U+202F, and the other spaces of U+1680, U+2000-U+200A, U+205F, U+3000), the
characters ``str.strip`` removes.  The scan counts, for every column holding strings
(categorical columns too), the non-blank values that start with whitespace, that end with it,
and that have it at both ends, and which kinds of whitespace the padding holds; it works on the
distinct values weighted by their counts, so it costs as much as the column has categories.
Blank (empty or whitespace-only) values are not padding: they are missing values, reported by
the completeness and disguised-missing checks.

Two findings are told apart:

* **Systematic padding**: every non-blank value starts (or every one ends) with whitespace of
  one kind, as in a file written with ``", "`` between fields (UCI's Adult: ``' Private'``).
  No category is split, but a value compared with ``'Private'`` never matches: a low-severity
  warning whose fix is to strip the values, or to read the file with ``skip_initial_space``.
* **Some values padded**: a data-entry inconsistency.  When a padded value stripped equals
  another value of the column (``' Male'`` and ``'Male'``), one category is split in two; the
  pairs are named here, and the split itself is measured by ``quality.inconsistent_categories``
  (which groups spellings that differ only by whitespace), not again here.

With a reference, padding that the reference shares is a property of the source, not of the
period: the column passes with the evidence and a note unless the padded share rose (one-sided
pooled two-proportion z test at ``alpha``, as the completeness check judges missing shares) or
the padding became systematic.  A reference without padding leaves the finding as it is
without a reference.  Personal columns get counts only: their values never leave the scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import Alpha
from mlaudit.checks.quality._chance import increase_p
from mlaudit.checks.quality.completeness import text_columns
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail, show_padding
from mlaudit.summary import PADDING_KINDS, ColumnSummary, TextSummary

__all__ = ["Padding", "PaddingCounts", "padding_counts", "strip_padding"]

WHITESPACE = "".join(PADDING_KINDS.values())
"""Unicode's White_Space characters: what the scan counts as padding."""

_KIND_WORDS = {
    "space": "spaces",
    "tab": "tabs",
    "nbsp": "non-breaking spaces",
    "line_break": "line breaks",
    "other": "other Unicode spaces",
}
_MAX_ROWS = 20


def strip_padding(value: str) -> str:
    """``value`` without leading and trailing whitespace (the scan's definition)."""
    return value.strip(WHITESPACE)


@dataclass(frozen=True)
class PaddingCounts:
    """How a column's non-blank values are padded (from its :class:`TextSummary`)."""

    values: int
    leading: int
    trailing: int
    both: int
    kinds: dict[str, int]

    @property
    def padded(self) -> int:
        """Non-blank values with whitespace at either end."""
        return self.leading + self.trailing - self.both

    @property
    def share(self) -> float:
        """Padded share of the non-blank values (NaN when there are none)."""
        return self.padded / self.values if self.values else float("nan")

    @property
    def systematic(self) -> bool:
        """Every value padded the same way: all at the start, or all at the end, one kind."""
        same_side = self.values in (self.leading, self.trailing)
        return self.values > 0 and same_side and len(self.kinds) == 1

    def where(self) -> str:
        """Which ends are padded, in words."""
        parts = [
            f"{self.leading - self.both:,} at the start only" if self.leading > self.both else "",
            f"{self.trailing - self.both:,} at the end only" if self.trailing > self.both else "",
            f"{self.both:,} at both ends" if self.both else "",
        ]
        return ", ".join(p for p in parts if p)

    def kinds_text(self) -> str:
        """Kinds of whitespace with the values holding each, in words."""
        return ", ".join(f"{_KIND_WORDS[k]} ({n:,})" for k, n in self.kinds.items())


def padding_counts(col: ColumnSummary, text: TextSummary) -> PaddingCounts:
    """The :class:`PaddingCounts` of a column with a text summary."""
    return PaddingCounts(
        values=max(col.non_null - text.empty_count, 0),
        leading=text.leading_count,
        trailing=text.trailing_count,
        both=text.both_count,
        kinds=dict(text.padding_kinds),
    )


@register
class Padding(Check):
    """Warn when categories or text carry leading or trailing whitespace."""

    id: ClassVar[str] = "quality.padding"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values have no leading or trailing whitespace"
    why: ClassVar[str] = (
        "A value with a hidden space (' Private', 'Male ') does not equal the value people "
        "and rules expect: filters, joins, mappings and allowed-value lists miss it silently, "
        "and when only some values are padded one category is split in two."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    alpha: Alpha = 0.01
    """With a reference: significance level of the test that the padded share rose."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per column holding strings (role not ignored)."""
        return [self._column(ctx, n) for n in text_columns(self, ctx)]

    def _column(self, ctx: CheckContext, name: str) -> CheckResult:
        col = ctx.current.columns.get(name)
        if col is None or col.text is None:
            return self.skipped(f"{name} holds no strings", column=name)
        pc = padding_counts(col, col.text)
        if pc.values == 0:
            return self.skipped(f"{name} has no non-blank values", column=name)
        metrics = _metrics(pc)
        if pc.padded == 0:
            return self.result(
                Status.PASS,
                f"none of the {pc.values:,} non-blank values of {name} has leading or "
                "trailing whitespace",
                column=name,
                metrics=metrics,
            )
        pairs = _collisions(col)
        metrics["values_equal_to_another_when_stripped"] = len(pairs)
        said = _finding(name, pc, pairs)
        details = _details(col)
        note = self._as_in_reference(_reference_counts(ctx, name), pc, metrics)
        if note:
            return self.result(
                Status.PASS, f"{said}. {note}", column=name, metrics=metrics, details=details
            )
        severity = Severity.LOW if pc.systematic else self.severity
        return self.result(
            Status.WARN,
            f"{said}; {_fix(pc, pairs)}",
            column=name,
            metrics=metrics,
            details=details,
            severity=severity,
        )

    def _as_in_reference(
        self, ref: PaddingCounts | None, pc: PaddingCounts, metrics: dict[str, float | int | None]
    ) -> str:
        """The note that the reference has the same padding, or "" when it does not (or none);
        the comparison's figures go into ``metrics``."""
        if ref is None or not ref.padded:
            return ""
        p = increase_p(pc.padded, pc.values, ref.padded, ref.values)
        metrics["reference_padded_share"], metrics["p_value"] = ref.share, p
        if p < self.alpha or (pc.systematic and not ref.systematic):
            return ""
        return (
            f"The reference has the same padding ({format_share(ref.share)} of its values): "
            f"a property of the source, not of this period (the rise is not significant, "
            f"p = {p:.3g})"
        )


def _reference_counts(ctx: CheckContext, name: str) -> PaddingCounts | None:
    if ctx.reference is None:
        return None
    ref = ctx.reference.columns.get(name)
    if ref is None or ref.text is None:
        return None
    return padding_counts(ref, ref.text)


def _metrics(pc: PaddingCounts) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {
        "values": pc.values,
        "padded_values": pc.padded,
        "padded_share": pc.share,
        "leading": pc.leading,
        "trailing": pc.trailing,
        "both_ends": pc.both,
    }
    out.update({f"{k}_values": n for k, n in pc.kinds.items()})
    return out


def _collisions(col: ColumnSummary) -> list[tuple[str, str]]:
    """(padded value, the same value unpadded) pairs where both occur in the column."""
    cats = col.categories
    if cats is None or cats.hashed:
        return []
    seen = set(cats.counts)
    pairs = []
    for value, _ in cats.top(len(cats.counts)):
        bare = strip_padding(value)
        if bare and bare != value and bare in seen:
            pairs.append((value, bare))
    return pairs


def _finding(name: str, pc: PaddingCounts, pairs: list[tuple[str, str]]) -> str:
    if pc.systematic:
        side = "starts" if pc.leading == pc.values else "ends"
        kind = _KIND_WORDS[next(iter(pc.kinds))]
        return (
            f"every one of the {pc.values:,} non-blank values of {name} {side} with "
            f"whitespace ({kind}): systematic padding, as a file written with a space after "
            "each separator gives"
        )
    out = (
        f"{pc.padded:,} of {pc.values:,} non-blank values of {name} ({format_share(pc.share)}) "
        f"have leading or trailing whitespace ({pc.where()}; {pc.kinds_text()})"
    )
    if pairs:
        shown = ", ".join(f"{show_padding(a)} and {b!r}" for a, b in pairs[:3])
        out += (
            f"; {len(pairs):,} padded value{'s' if len(pairs) != 1 else ''} also occur "
            f"unpadded, splitting a category ({shown}; the split is measured by "
            "quality.inconsistent_categories)"
        )
    return out


def _fix(pc: PaddingCounts, pairs: list[tuple[str, str]]) -> str:
    if pc.systematic:
        return "strip the values, or read the file with skip_initial_space"
    if pairs:
        return "strip the values, which merges the split categories"
    return "strip the values at the source or when loading them"


def _details(col: ColumnSummary) -> list[TableDetail]:
    """The most frequent padded values, quoted so the whitespace shows (none when personal)."""
    cats = col.categories
    if cats is None or cats.hashed:
        return []
    padded = [(v, n) for v, n in cats.top(len(cats.counts)) if strip_padding(v) not in ("", v)]
    seen = set(cats.counts)
    rows: list[list[Cell]] = [
        [show_padding(v), n, _ends(v), strip_padding(v) in seen] for v, n in padded[:_MAX_ROWS]
    ]
    notes = []
    if len(padded) > _MAX_ROWS:
        notes.append(f"the {_MAX_ROWS} most frequent of {len(padded):,} padded values")
    if not cats.exact:
        notes.append(f"frequent values only; counts may be low by up to {cats.error:,}")
    return [
        TableDetail(
            name="padded_values",
            title="Values with leading or trailing whitespace (shown in quotes)",
            columns=["value", "rows", "padding", "also occurs unpadded"],
            rows=rows,
            note="; ".join(notes),
        )
    ]


def _ends(value: str) -> str:
    lead = len(value) - len(value.lstrip(WHITESPACE))
    trail = len(value) - len(value.rstrip(WHITESPACE))

    def chars(n: int) -> str:
        return f"{n} character{'s' if n != 1 else ''}"

    parts = [
        f"{chars(lead)} at the start" if lead else "",
        f"{chars(trail)} at the end" if trail else "",
    ]
    return " and ".join(p for p in parts if p)
