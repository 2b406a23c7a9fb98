"""``quality.rare_formats``: values of a code-like text column in a format the column rarely has.

The scan counts, per text and categorical column, the values of each **shape** (upper-case
letters as ``A``, lower-case ``a``, digits ``9``, other characters kept, lengths kept:
``'AB123456'`` is ``AA999999``; see :mod:`mlaudit.summary._shapes`), on the distinct values
weighted by their counts.  Blank values and missing markers are not counted (the completeness
and disguised-missing checks report them).

**Which columns are format columns.**  A column's *formats* are its shapes that each hold at
least ``min_share`` (1 %) of the values.  The column is format-like (identifiers, codes, phone
numbers, postcodes, account numbers) when it has at most ``max_formats`` (5) formats and they
hold at least ``coverage`` (95 %) of the values together.  Free text (many shapes, none
dominant) and columns with fewer than ``min_distinct`` (50) distinct values (a category set,
which a contract's allowed list checks value by value) are not judged.  Columns with a
declared regular expression (``quality.pattern``) or a well-known format (e-mail, phone,
IBAN...: ``quality.format_validity``) are left to those checks, so a value is not reported
twice.  The columns not judged are named, each with its reason, in one ``skipped`` result
(not one per column: on a table of category sets they would bury the columns judged).

**Without reference data** every value in a shape outside the formats is reported: the share of
such values is held to ``warn`` (0: any) and ``fail`` (1 %), with each rare shape, its count
and up to three example values (none for personal columns, whose shapes are the masked form
the house shows for personal values).

**With reference data** (format-like in either period) the shapes the reference already has are
no news: each current shape that is not one of the reference's formats is tested for a rise of
its share since the reference, one-sided as ``quality.padding`` does: a shape absent from the
reference by the exact chance that all its ``k`` pooled occurrences fall in the current period
(:func:`~mlaudit.checks.quality._chance.all_in_current_p`, the test of never-seen categories),
a shape present in both by the pooled two-proportion z test
(:func:`~mlaudit.checks.quality._chance.increase_p`).  Several shapes are tested at once, so
each is held to ``alpha`` divided by their number (Bonferroni): on two samples of one source
the check then stays quiet with probability at least ``1 - alpha`` per column.  The share of
values in the shapes found is held to ``warn`` and ``fail``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count, format_share
from mlaudit.checks._options import Alpha, PositiveCount, Share
from mlaudit.checks.quality._chance import all_in_current_p, increase_p
from mlaudit.checks.quality.completeness import text_columns
from mlaudit.checks.quality.pattern import PATTERN_NAME
from mlaudit.data import FORMATS
from mlaudit.results import (
    Cell,
    CheckResult,
    Detail,
    NoteDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)
from mlaudit.summary import ColumnSummary, ScanPlan, ShapeCounts, learned_formats, shape_regex

__all__ = ["RareFormats"]

OTHER = "(other shapes)"
"""How the values whose shapes the scan did not keep (beyond its cap) are named."""
_SHOWN = 20


_NAMED = 10
_NO_SHAPES, _EMPTY, _PATTERN, _KNOWN, _CATEGORIES, _MIXED = range(6)
_KINDS = {
    _CATEGORIES: "category sets of fewer than {n} distinct values",
    _MIXED: "free text or mixed layouts",
    _PATTERN: "a declared pattern, checked by quality.pattern",
    _KNOWN: "a known format, checked by quality.format_validity",
    _EMPTY: "no non-blank values",
    _NO_SHAPES: "no format shapes in the profile",
}
"""The reasons a column is not judged, in the order the message names them."""


@dataclass(frozen=True)
class _NotJudged:
    """A column holding strings that the check does not judge, and why."""

    column: str
    kind: int
    reason: str


@dataclass(frozen=True)
class _Rare:
    """A shape of the current period reported (or tested), with its evidence."""

    shape: str
    values: int
    reference: int | None = None
    p_value: float | None = None


@register
class RareFormats(Check):
    """Values of an identifier or code column whose format (letters, digits, separators) is rare."""

    id: ClassVar[str] = "quality.rare_formats"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values have their column's usual format"
    why: ClassVar[str] = (
        "An account number, postcode or policy id in another layout ('AB-1234' among "
        "'AB123456') is usually a typing error, a value from another system or a shifted "
        "field: it fails joins and lookups silently, and no declared rule catches it."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset({"distinct"})

    coverage: Share = 0.95
    """A column is format-like when its formats hold at least this share of its values."""
    max_formats: PositiveCount = 5
    """A column is format-like only when it has at most this many formats."""
    min_share: Share = 0.01
    """A shape is one of the column's formats when it holds at least this share of the values;
    the others are rare."""
    min_distinct: PositiveCount = 50
    """Columns with fewer distinct values are category sets, not format columns: skipped."""
    warn: Share = 0.0
    """Warn when the share of values in rare shapes (with a reference: in new or significantly
    more frequent shapes) is above this (default 0: any)."""
    fail: Share = 0.01
    """Fail when that share is above this (default 1 %)."""
    alpha: Alpha = 0.01
    """With reference data: a shape counts when its rise is significant at this level divided
    by the number of shapes tested (one-sided)."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan for the text columns' format shapes."""
        return replace(plan, shapes=True)

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per format column judged, then one ``skipped`` result naming the columns
        not judged and why (none when every column holding strings was judged)."""
        judged: list[CheckResult] = []
        not_judged: list[_NotJudged] = []
        for name in text_columns(self, ctx):
            out = self._column(ctx, name)
            if isinstance(out, _NotJudged):
                not_judged.append(out)
            else:
                judged.append(out)
        return judged + ([self._not_judged(not_judged)] if not_judged else [])

    def _column(self, ctx: CheckContext, name: str) -> CheckResult | _NotJudged:
        col = ctx.current.columns[name]
        shapes = col.text.shapes if col.text is not None else None
        why_not = _left_to_others(ctx, name) or self._not_format(col, shapes)
        if why_not is not None or shapes is None:
            return why_not or _NotJudged(name, _NO_SHAPES, f"{name} has no format shapes")
        ref = _reference_shapes(ctx, name)
        formats = self._formats(shapes)
        ref_formats = self._formats(ref) if ref is not None else None
        if formats is None and ref_formats is None:
            return _NotJudged(name, _MIXED, self._mixed(name, shapes))
        if ref is not None:
            return self._against(col, shapes, ref, formats, ref_formats or [])
        return self._alone(col, shapes, formats or [])

    def _not_judged(self, columns: list[_NotJudged]) -> CheckResult:
        """The one ``skipped`` result for the columns not judged, grouped by reason."""
        kinds = {k: [c.column for c in columns if c.kind == k] for k in _KINDS}
        said = "; ".join(
            f"{text.format(n=self.min_distinct)}: {_names(names)}"
            for k, text in _KINDS.items()
            if (names := kinds[k])
        )
        n = len(columns)
        message = (
            f"{n} column{'' if n == 1 else 's'} holding strings not judged ({said}). The "
            "table gives each column's reason; a format column has at most "
            f"{self.max_formats} shapes of at least {format_share(self.min_share)} each, "
            f"holding {format_share(self.coverage)} of its values together."
        )
        table = TableDetail(
            name="not_judged",
            title="Columns not judged",
            columns=["column", "reason"],
            rows=[[c.column, c.reason] for c in columns],
        )
        return self.result(
            Status.SKIPPED, message, metrics={"columns_not_judged": n}, details=[table]
        )

    def _formats(self, shapes: ShapeCounts) -> list[str] | None:
        return learned_formats(
            shapes, coverage=self.coverage, max_formats=self.max_formats, min_share=self.min_share
        )

    def _not_format(self, col: ColumnSummary, shapes: ShapeCounts | None) -> _NotJudged | None:
        """Why the column is not judged (no shapes, no values, a category set), or None."""
        name = col.name
        if shapes is None:
            reason = f"the profile of {name} has no format shapes (saved by an earlier mlaudit)"
            return _NotJudged(name, _NO_SHAPES, reason)
        if shapes.total == 0:
            return _NotJudged(name, _EMPTY, f"{name} has no non-blank values")
        if col.distinct < self.min_distinct:  # NaN (unknown) compares false: judged
            return _NotJudged(
                name,
                _CATEGORIES,
                f"{name} has {col.distinct:,.0f} distinct "
                f"value{'' if col.distinct == 1 else 's'}, fewer than {self.min_distinct}: "
                "a category set, not a format column (a contract's allowed list checks it)",
            )
        return None

    def _mixed(self, name: str, shapes: ShapeCounts) -> str:
        top = sorted(shapes.counts.values(), reverse=True)[: self.max_formats]
        share = sum(top) / shapes.total
        kept = f"{len(shapes.counts):,}{'+' if shapes.other else ''}"
        return (
            f"{name} is not a format column: its {len(top)} commonest of {kept} shapes hold "
            f"{format_share(share)} of "
            f"its values (free text or mixed layouts; a format column has at most "
            f"{self.max_formats} shapes of at least {format_share(self.min_share)} each, "
            f"holding {format_share(self.coverage)} together)"
        )

    def _alone(self, col: ColumnSummary, shapes: ShapeCounts, formats: list[str]) -> CheckResult:
        rare = [_Rare(s, n) for s, n in _ranked(shapes) if s not in set(formats)]
        return self._judged(col, shapes, formats, rare)

    def _against(
        self,
        col: ColumnSummary,
        shapes: ShapeCounts,
        ref: ShapeCounts,
        formats: list[str] | None,
        ref_formats: list[str],
    ) -> CheckResult:
        n, m = shapes.total, ref.total
        tested = [(s, k) for s, k in _ranked(shapes) if s not in set(ref_formats)]
        out = []
        for s, k in tested:
            x = _reference_count(ref, s)
            p = all_in_current_p(k, m, n) if x == 0 else increase_p(k, n, x, m)
            out.append(_Rare(s, k, x, p))
        level = self.alpha / max(len(out), 1)
        found = [r for r in out if r.p_value is not None and r.p_value < level]
        note = ""
        if not found and out:
            note = (
                f" {format_count(sum(r.values for r in out))} values in {len(out)} shapes "
                "outside the reference's formats: none is significantly more frequent than in "
                f"the reference (one-sided tests at {self.alpha:g} over the {len(out)} shapes)."
            )
        return self._judged(
            col,
            shapes,
            formats or ref_formats,
            found,
            tested=out,
            note=note,
        )

    def _judged(
        self,
        col: ColumnSummary,
        shapes: ShapeCounts,
        formats: list[str],
        rare: list[_Rare],
        *,
        tested: list[_Rare] | None = None,
        note: str = "",
    ) -> CheckResult:
        """The result for the ``rare`` shapes found (``tested``: the shapes compared with the
        reference, None without one)."""
        reference = tested is not None
        n = shapes.total
        bad = sum(r.values for r in rare)
        share = bad / n
        threshold = Threshold(
            metric="rare_format_share", direction="max", warn=self.warn, fail=self.fail
        )
        metrics: dict[str, float | int | None] = {
            "values": n,
            "rare_format_values": bad,
            "rare_format_share": share,
            "formats": len(formats),
            "format_share": sum(shapes.counts.get(s, 0) for s in formats) / n,
        }
        status = threshold.status_for(share) if bad else Status.PASS
        details: list[Detail] = [_formats_note(col, shapes, formats)]
        if tested:
            metrics["shapes_tested"] = len(tested)
            details.append(_table(col, tested, reference=True))
        elif rare:
            details.append(_table(col, rare, reference=False))
        return self.result(
            status,
            _message(col.name, n, rare, shapes, formats, reference=reference) + note,
            column=col.name,
            metrics=metrics,
            threshold=threshold,
            details=details,
        )


def _left_to_others(ctx: CheckContext, name: str) -> _NotJudged | None:
    """Why another check judges the column's format, or None."""
    plan = ctx.current.plan
    if PATTERN_NAME in plan.patterns.get(name, {}):
        reason = f"{name} has a declared pattern: quality.pattern checks its values"
        return _NotJudged(name, _PATTERN, reason)
    if name in plan.formats:
        kind = FORMATS.get(plan.formats[name], plan.formats[name])
        reason = f"{name} holds {kind}: quality.format_validity checks its values"
        return _NotJudged(name, _KNOWN, reason)
    return None


def _names(names: list[str]) -> str:
    """Column names for a message, the first ten and how many more."""
    more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
    return ", ".join(names[:_NAMED]) + more


def _reference_shapes(ctx: CheckContext, name: str) -> ShapeCounts | None:
    if ctx.reference is None:
        return None
    r = ctx.reference.columns.get(name)
    if r is None or r.text is None or r.text.shapes is None or r.text.shapes.total == 0:
        return None
    return r.text.shapes


def _ranked(shapes: ShapeCounts) -> list[tuple[str, int]]:
    """Shapes by count (ties by shape), the uncounted ``other`` last."""
    out = sorted(shapes.counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return out + ([(OTHER, shapes.other)] if shapes.other else [])


def _reference_count(ref: ShapeCounts, shape: str) -> int:
    """The reference's values of ``shape``; a shape it did not keep may hide in its ``other``,
    so it is given as many as the least frequent kept shape (at most ``other``): an upper
    bound, which keeps the test conservative."""
    if shape == OTHER:
        return ref.other
    if shape in ref.counts or not ref.other:
        return ref.counts.get(shape, 0)
    return min(ref.other, min(ref.counts.values(), default=ref.other))


def _message(
    name: str,
    n: int,
    rare: list[_Rare],
    shapes: ShapeCounts,
    formats: list[str],
    *,
    reference: bool,
) -> str:
    fmts = ", ".join(f"{s!r}" for s in formats)
    if not rare and reference:
        return f"{name}: no format is new or more frequent than in the reference ({fmts})."
    if not rare:
        return f"{name}: all {format_count(n)} values counted have its formats ({fmts})."
    bad = sum(r.values for r in rare)
    kind = "new or more frequent than in the reference" if reference else "rare in the column"
    shown = ", ".join(_shape_text(r, shapes) for r in rare[:3])
    more = f" and {len(rare) - 3} more" if len(rare) > 3 else ""
    return (
        f"{name}: {format_count(bad)} of {format_count(n)} values ({format_share(bad / n)}) "
        f"have a format {kind}: {shown}{more}; its formats are {fmts}. Correct these "
        "values at the source, or, if the format is valid, declare the column's pattern "
        "(quality.pattern, or a contract's pattern)."
    )


def _shape_text(r: _Rare, shapes: ShapeCounts) -> str:
    ex = [v for _, v in shapes.examples.get(r.shape, [])[:1]]
    eg = f", e.g. {ex[0]!r}" if ex else ""
    return f"{r.shape if r.shape == OTHER else repr(r.shape)} ({format_count(r.values)}{eg})"


def _formats_note(col: ColumnSummary, shapes: ShapeCounts, formats: list[str]) -> NoteDetail:
    n = shapes.total
    each = ", ".join(f"{s!r} ({format_share(shapes.counts.get(s, 0) / n)})" for s in formats)
    text = (
        f"Formats of {col.name}: {each}. Shapes write upper-case letters as A, lower-case "
        "letters as a and digits as 9; other characters are kept. As a regular expression: "
        f"{shape_regex(formats, personal=col.personal)}."
    )
    if shapes.error:
        text += f" Shape counts are lower bounds (by up to {shapes.error:,}): many shapes."
    return NoteDetail(name="formats", text=text)


def _table(col: ColumnSummary, rare: list[_Rare], *, reference: bool) -> TableDetail:
    shapes = col.text.shapes if col.text is not None else None
    columns = ["shape", "values", "examples"]
    if reference:
        columns[2:2] = ["reference values", "p-value"]
    rows: list[list[Cell]] = []
    for r in rare[:_SHOWN]:
        examples = [v for _, v in shapes.examples.get(r.shape, [])] if shapes else []
        row: list[Cell] = [r.shape, r.values, ", ".join(map(repr, examples))]
        if reference:
            row[2:2] = [r.reference, r.p_value]
        rows.append(row)
    note = "personal column: shapes only, no values" if col.personal else ""
    if len(rare) > _SHOWN:
        note = "; ".join(p for p in (note, f"the {_SHOWN} commonest of {len(rare)}") if p)
    title = "Shapes tested against the reference" if reference else "Rare formats"
    return TableDetail(name="rare_formats", title=title, columns=columns, rows=rows, note=note)
