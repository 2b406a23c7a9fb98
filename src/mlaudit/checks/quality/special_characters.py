"""``quality.special_characters``: values holding characters that do not belong in the data.

The scan counts, for every column holding strings (categorical columns too), the non-null
values holding characters of four kinds, each a strong sign of corruption in a category or a
text (``mlaudit.summary.SPECIAL_KINDS``):

* **control** characters (Unicode category Cc) other than tab, line feed and carriage return;
* invisible **format** characters (Cf): zero-width space U+200B, byte order mark U+FEFF,
  bidirectional marks, soft hyphen; the zero-width joiners U+200C and U+200D are not counted,
  since Persian and Indic words and emoji sequences need them;
* the **replacement** character U+FFFD, which a decoder writes for bytes it could not read;
* **private-use** characters (Co), which no standard assigns a meaning.

Letters of any script (``é``, ``ñ``, ``中文``) are not special.  The scan also counts the
values made only of punctuation and symbols (``'###'``, ``'*'``, ``'@@'``): **stray
symbols**, a weaker sign (a placeholder typed into a field).  Known missing markers (``'?'``,
``'-'``, ``'N/A'``) are left out: ``quality.disguised_missing`` reports them.  Counts are exact
and made on the distinct values weighted by their counts; a few examples per kind are kept
(the values' shapes for personal columns, their letters and digits replaced).

Without a reference, any value with a control, format, replacement or private-use character
warns (medium severity), and stray symbols warn with low severity unless they make up at least
half of the values (then the symbols are the column's vocabulary, as in a column of ``'+'``
and ``'++'`` ratings).  With a reference that has values of the same sort, the share is
compared with the reference's: the column passes with the evidence unless the share rose
(one-sided pooled two-proportion z test at ``alpha``, as ``quality.padding`` judges padding);
a reference without them leaves the finding as it is without one.  Examples are shown with the
unusual characters escaped (``'Male\\u200b'``) so that invisible ones can be seen.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import ClassVar

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import Alpha
from mlaudit.checks.quality._chance import increase_p
from mlaudit.checks.quality.completeness import text_columns
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail
from mlaudit.summary import SPECIAL_KINDS, SYMBOLS, ColumnSummary, SpecialTally

__all__ = ["SpecialCharacters", "show_special"]

_WORDS = {
    "control": "control characters",
    "format": "invisible format characters",
    "replacement": "replacement characters (U+FFFD, a decoding error)",
    "private_use": "private-use characters",
    SYMBOLS: "only punctuation or symbols",
}
_PARTS = {
    "flagged": "values with control, invisible or undecodable characters",
    "symbols": "values made only of symbols",
}
_VOCABULARY = 0.5  # symbols in at least this share of the values: the column's vocabulary


def show_special(value: str) -> str:
    """``value`` quoted, its unusual characters and whitespace other than a space escaped.

    ``'Male\\u200b'``, ``'\\x01A'``, ``'caf\\ufffd'``: an invisible character cannot vanish in
    a report.  Values without such characters are returned unchanged.
    """
    out, changed = [], False
    for ch in value:
        if (
            unicodedata.category(ch) in ("Cc", "Cf", "Co", "Zl", "Zp")
            or ch == "\ufffd"
            or (ch.isspace() and ch != " ")
        ):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
            changed = True
        else:
            out.append(ch)
    return "'" + "".join(out) + "'" if changed else value


@dataclass(frozen=True)
class _Counts:
    values: int
    flagged: int
    symbols: int

    @classmethod
    def of(cls, col: ColumnSummary, tally: SpecialTally) -> _Counts:
        return cls(col.non_null, tally.flagged, tally.counts.get(SYMBOLS, 0))


@register
class SpecialCharacters(Check):
    """Warn when categories or text hold control, invisible or undecodable characters."""

    id: ClassVar[str] = "quality.special_characters"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values hold no control, invisible or undecodable characters"
    why: ClassVar[str] = (
        "A zero-width space or a control character makes 'Male' and 'Male\u200b' two "
        "categories that look the same; a replacement character (U+FFFD) means bytes were "
        "lost when the file was decoded; a value such as '###' is a placeholder, not data. "
        "Filters, joins and mappings miss such values silently."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()

    alpha: Alpha = 0.01
    """With a reference: significance level of the test that the share of such values rose."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per column holding strings (role not ignored)."""
        return [self._column(ctx, n) for n in text_columns(self, ctx)]

    def _column(self, ctx: CheckContext, name: str) -> CheckResult:
        col = ctx.current.columns[name]
        tally = col.text.special if col.text is not None else None
        if tally is None:
            return self.skipped(
                f"the profile of {name} was saved before unusual characters were counted",
                column=name,
            )
        cur = _Counts.of(col, tally)
        metrics = _metrics(cur, tally)
        if cur.flagged == 0 and cur.symbols == 0:
            return self.result(
                Status.PASS,
                f"none of the {cur.values:,} values of {name} holds a control, invisible or "
                "undecodable character, or only symbols",
                column=name,
                metrics=metrics,
            )
        ref = _reference(ctx, name)
        bad, notes = self._judge(cur, ref, metrics)
        said = _finding(name, cur, tally)
        details = [_table(col, tally)]
        if not bad:
            message = " ".join([f"{said}.", *notes])
            return self.result(Status.PASS, message, column=name, metrics=metrics, details=details)
        severity = self.severity if "flagged" in bad else Severity.LOW
        return self.result(
            Status.WARN,
            " ".join([f"{said}.", *notes, _fix(bad)]),
            column=name,
            metrics=metrics,
            details=details,
            severity=severity,
        )

    def _judge(
        self, cur: _Counts, ref: _Counts | None, metrics: dict[str, float | int | None]
    ) -> tuple[set[str], list[str]]:
        """Which findings stand (``flagged``, ``symbols``) and the notes on the others."""
        bad: set[str] = set()
        notes: list[str] = []
        for part in ("flagged", "symbols"):
            x = getattr(cur, part)
            if x == 0:
                continue
            if part == "symbols" and x >= _VOCABULARY * cur.values:
                notes.append(
                    "Most values are symbols: they are the column's vocabulary, not strays."
                )
                continue
            x_ref = getattr(ref, part) if ref is not None else 0
            if ref is None or x_ref == 0:
                bad.add(part)
                continue
            p = increase_p(x, cur.values, x_ref, ref.values)
            metrics[f"reference_{part}_share"] = x_ref / ref.values
            metrics[f"{part}_p_value"] = p
            if p < self.alpha:
                bad.add(part)
                notes.append(
                    f"The reference has {format_share(x_ref / ref.values)} {_PARTS[part]}; "
                    f"the rise is significant (one-sided p = {p:.3g})."
                )
            else:
                notes.append(
                    f"The reference has as many {_PARTS[part]} "
                    f"({format_share(x_ref / ref.values)} of its values): a property of the "
                    f"source, not of this period (the rise is not significant, p = {p:.3g})."
                )
        return bad, notes


def _reference(ctx: CheckContext, name: str) -> _Counts | None:
    ref = ctx.reference.columns.get(name) if ctx.reference is not None else None
    if ref is None or ref.text is None or ref.text.special is None or ref.non_null == 0:
        return None
    return _Counts.of(ref, ref.text.special)


def _metrics(cur: _Counts, tally: SpecialTally) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {
        "values": cur.values,
        "flagged_values": cur.flagged,
        "flagged_share": cur.flagged / cur.values if cur.values else None,
        "symbol_values": cur.symbols,
        "symbol_share": cur.symbols / cur.values if cur.values else None,
    }
    out.update({f"{k}_values": tally.counts.get(k, 0) for k in SPECIAL_KINDS})
    return out


def _finding(name: str, cur: _Counts, tally: SpecialTally) -> str:
    kinds = [
        f"{tally.counts[k]:,} with {_WORDS[k]}"
        for k in (*SPECIAL_KINDS, SYMBOLS)
        if k in tally.counts
    ]
    n = cur.flagged + cur.symbols
    return (
        f"{n:,} of the {cur.values:,} values of {name} ({format_share(n / cur.values)}) hold "
        f"unusual characters: {'; '.join(kinds)}"
    )


def _fix(bad: set[str]) -> str:
    parts = []
    if "flagged" in bad:
        parts.append(
            "remove the invisible and control characters at the source, and read the file with "
            "its true encoding so no character is replaced"
        )
    if "symbols" in bad:
        parts.append("replace placeholder symbols with a missing value or the true value")
    return "Fix: " + "; ".join(parts) + "."


def _table(col: ColumnSummary, tally: SpecialTally) -> TableDetail:
    rows: list[list[Cell]] = []
    for kind in (*SPECIAL_KINDS, SYMBOLS):
        for _, value, n in tally.examples.get(kind, []):
            rows.append([_WORDS[kind], show_special(value), n])
    note = "a few values of each kind, chosen by a seeded hash; unusual characters escaped"
    if col.personal:
        note += "; personal column: values shown by their shape (letters as A/a, digits as 9)"
    return TableDetail(
        name="special_values",
        title="Values with unusual characters",
        columns=["kind", "value", "rows"],
        rows=rows,
        note=note,
    )
