"""Text formatting shared by the HTML, Markdown and JUnit renderers."""

from __future__ import annotations

import math

from mlaudit.results import (
    AuditResult,
    Bound,
    CheckResult,
    InputInfo,
    Severity,
    Status,
    Threshold,
    show_padding,
)

__all__ = [
    "FAMILY_ORDER",
    "FAMILY_TITLES",
    "STATUS_ORDER",
    "check_label",
    "effect_of",
    "family_title",
    "fmt_bound",
    "fmt_cell",
    "fmt_metric",
    "fmt_number",
    "fmt_threshold",
    "in_report_order",
    "input_format",
    "ordered_families",
    "problems",
    "severity_rank",
    "short_message",
    "split_method",
]

FAMILY_ORDER = [
    "quality", "drift", "performance", "fairness", "explain", "robustness", "operations",
    "leakage", "privacy", "compliance",
]  # fmt: skip
FAMILY_TITLES = {
    "quality": "Data quality",
    "drift": "Drift",
    "performance": "Model performance",
    "fairness": "Fairness",
    "explain": "Explainability",
    "robustness": "Robustness",
    "operations": "Operational performance",
    "leakage": "Leakage",
    "privacy": "Privacy and data protection",
    "compliance": "Compliance",
}
STATUS_ORDER = [
    Status.ERROR, Status.FAIL, Status.WARN, Status.INCONCLUSIVE, Status.PASS, Status.SKIPPED,
]  # fmt: skip
"""Report order: what needs attention first; an undecided result before the passes."""
_PROBLEM_RANK = {Status.ERROR: 0, Status.FAIL: 1, Status.WARN: 2, Status.INCONCLUSIVE: 3}
_SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3,
                  Severity.INFO: 4}  # fmt: skip
_METHOD_MARK = " Why this method: "
SHORT_CHARS = 200
"""Longest one-line finding in the findings tables; the full message is in the result's card."""


def severity_rank(severity: str) -> int:
    """Sort key of a severity, worst first (critical 0 ... info 4): sortable tables sort by it."""
    return _SEVERITY_RANK[Severity(severity)]


def family_title(family: str) -> str:
    """Human title of a family; unknown families get their name capitalised."""
    return FAMILY_TITLES.get(family, family.replace("_", " ").capitalize())


def ordered_families(result: AuditResult) -> list[tuple[str, list[CheckResult]]]:
    """Families in report order (known ones first, quality first), then the others by name."""
    groups = result.by_family()
    rank = {f: i for i, f in enumerate(FAMILY_ORDER)}
    names = sorted(groups, key=lambda f: (rank.get(f, len(rank)), f))
    return [(f, groups[f]) for f in names]


def problems(result: AuditResult) -> list[tuple[int, CheckResult]]:
    """(index, result) of error, fail, warn and inconclusive results, worst first.

    Ordered by status, then severity (critical first), then check id; the results of one check
    and severity (its columns) keep their order in the audit result.
    """
    found = [(i, c) for i, c in enumerate(result.checks) if c.status in _PROBLEM_RANK]

    def key(ic: tuple[int, CheckResult]) -> tuple[int, int, str, int]:
        i, c = ic
        return _PROBLEM_RANK[c.status], _SEVERITY_RANK[Severity(c.severity)], c.id, i

    return sorted(found, key=key)


def split_method(message: str) -> tuple[str, str]:
    """Split a message into (the message without its "Why this method" note, the method).

    Drift messages end with their notes joined by ``"; "``, the first of them
    ``"Why this method: ..."`` (the same text for every column tested the same way).  The
    report states it once per check, so the cards leave it out; the other notes stay.  A
    message without that note comes back whole, with an empty method.
    """
    head, mark, tail = message.partition(_METHOD_MARK)
    if not mark:
        return message, ""
    method, sep, rest = tail.partition("; ")
    method = method.removesuffix(".") if not sep else method
    return (f"{head} {rest}" if sep else head).rstrip(), method


def short_message(message: str, limit: int = SHORT_CHARS) -> str:
    """The finding in one line: the message without its method note, within ``limit`` characters.

    A longer message is cut at its last clause (``"; "``) that ends past half the limit, else
    at a space, never inside a number, and ends with an ellipsis.
    """
    text = split_method(message)[0]
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    clause = room.rfind("; ")
    cut = room[:clause] if clause > limit // 2 else room.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(") + " …"


def effect_of(c: CheckResult) -> float | None:
    """The result's effect size (``effect_size``, else ``max_effect_size``) when finite."""
    for name in ("effect_size", "max_effect_size"):
        v = c.metrics.get(name)
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            return float(v)
    return None


def in_report_order(checks: list[CheckResult]) -> list[CheckResult]:
    """The results of one family in the order the report shows them.

    By status (:data:`STATUS_ORDER`: error, fail, warn, inconclusive, pass, skipped); within a
    status the results of one check stay together, in the order the checks first appear, and
    the larger effect size comes first (drifted columns by severity); ties keep their order.
    This is the ordering ``drift.dataset`` uses for its table, applied to results alone.
    """
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    first: dict[str, int] = {}
    for i, c in enumerate(checks):
        first.setdefault(c.id, i)

    def key(ic: tuple[int, CheckResult]) -> tuple[int, int, float, int]:
        i, c = ic
        effect = effect_of(c)
        return rank[Status(c.status)], first[c.id], -effect if effect is not None else 1.0, i

    return [c for _, c in sorted(enumerate(checks), key=key)]


def check_label(c: CheckResult) -> str:
    """``id[column]`` or ``id`` for a data-set-level result."""
    return f"{c.id}[{c.column}]" if c.column is not None else c.id


def fmt_number(v: float | int | None) -> str:
    """A number for people: 4 significant digits, NaN and infinities spelled out."""
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return str(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    if 1e-4 <= abs(v) < 1e6:
        return f"{v:.4g}"
    return f"{v:.3e}"


def fmt_cell(v: object) -> str:
    """A table cell: numbers via :func:`fmt_number`, None as empty, the rest as text.

    Text with leading or trailing whitespace is quoted (:func:`mlaudit.results.show_padding`),
    so the padding stays visible where HTML and Markdown would drop it.
    """
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int | float):
        return fmt_number(v)
    return show_padding(str(v))


def fmt_bound(value: float | int | None, bound: Bound) -> str:
    """``± h`` when the bound is symmetric around ``value``, else ``[low, high]``, with level."""
    lo, hi = bound.low, bound.high
    level = f"{bound.level:.0%} CI " if bound.level is not None else ""
    if (
        value is not None
        and lo is not None
        and hi is not None
        and all(math.isfinite(x) for x in (value, lo, hi))
    ):
        half = (hi - lo) / 2
        if half >= 0 and math.isclose(value - lo, hi - value, rel_tol=1e-6, abs_tol=1e-12):
            return f"± {fmt_number(half)}" + (f" ({level.strip()})" if level else "")
    return f"{level}[{fmt_number(lo)}, {fmt_number(hi)}]"


def fmt_metric(c: CheckResult, name: str) -> str:
    """Value of metric ``name`` with its bound and an 'approx.' mark when it is not exact."""
    value = c.metrics.get(name)
    text = fmt_number(value)
    bound = c.bounds.get(name)
    if bound is not None:
        text += " " + fmt_bound(value, bound)
    defined = value is not None and not (isinstance(value, float) and math.isnan(value))
    if defined and (not c.exact or (bound is not None and bound.kind == "error_bound")):
        text += " (approx.)"
    return text


def fmt_threshold(t: Threshold) -> str:
    """The rule in words, e.g. ``psi: warn above 0.1, fail above 0.25``."""
    word = "above" if t.direction == "max" else "below"
    parts = [
        f"{label} {word} {fmt_number(limit)}"
        for label, limit in (("warn", t.warn), ("fail", t.fail))
        if limit is not None
    ]
    return f"{t.metric}: " + (", ".join(parts) if parts else "no limits")


_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}


def input_format(info: InputInfo) -> str:
    """The input's format, with how a CSV was read (e.g. ``csv; separator semicolon (detected),
    decimal comma (detected), header``)."""
    text = _dialect_text(info)
    return text + _markers_text(info) + _placeholder_text(info)


def _placeholder_text(info: InputInfo) -> str:
    """``; columns without a name called unnamed_1 (was '')``."""
    if not info.placeholder_columns:
        return ""
    shown = ", ".join(f"{k} (was {v!r})" for k, v in info.placeholder_columns.items())
    return f"; columns without a name called {shown}"


def _markers_text(info: InputInfo) -> str:
    """``; missing markers '?' (1,836 in workclass, ...)``: the declared markers and what
    they replaced."""
    m = info.missing_markers
    if m is None:
        return ""
    declared = [*m.every_column, *(v for vs in m.columns.values() for v in vs)]
    shown = ", ".join(repr(v) for v in dict.fromkeys(declared))
    found = [f"{n:,} in {c}" for c, per in m.counts.items() for n in [sum(per.values())]]
    replaced = "; ".join(found) if found else "none found"
    return f"; missing markers {shown} read as missing ({replaced})"


def _dialect_text(info: InputInfo) -> str:
    d = info.dialect
    if d is None:
        return info.format

    def how(key: str) -> str:
        return "detected" if key in d.detected else "given"

    sep = _SEPARATOR_NAMES.get(d.separator, repr(d.separator))
    parts = [
        f"separator {sep} ({how('separator')})",
        f"decimal {'comma' if d.decimal == ',' else 'point'} ({how('decimal')})",
        f"{'header line' if d.header else 'no header line'} ({how('header')})",
    ]
    if d.quote != '"':
        parts.append(f"quote {d.quote} ({how('quote')})")
    if d.padded:
        parts.append(
            "a space after each separator "
            + ("stripped" if d.skip_initial_space else "kept in the values")
        )
    if d.renamed_columns:
        parts.append("repeated names suffixed _2: " + ", ".join(d.renamed_columns))
    return f"{info.format}; " + ", ".join(parts)
