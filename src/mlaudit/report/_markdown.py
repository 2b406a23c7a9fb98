"""The Markdown report (GitHub-flavoured): a summary table, then one section per family.

The drift section opens with the same "What changed" sentences as the HTML report
(:func:`mlaudit.report._drift_summary.what_changed`); within a family, results are listed in the
HTML report's order (what needs attention first, larger effects first).
"""

from __future__ import annotations

from collections.abc import Sequence

from mlaudit._numbers import finite_or_none
from mlaudit._printable import printable
from mlaudit.report._drift_summary import what_changed
from mlaudit.report._format import (
    STATUS_ORDER,
    family_title,
    fmt_cell,
    fmt_metric,
    fmt_number,
    fmt_threshold,
    in_report_order,
    input_format,
    ordered_families,
    problems,
    short_message,
)
from mlaudit.report._svggroups import groups_table
from mlaudit.results import (
    AuditResult,
    BarsDetail,
    CheckResult,
    CurveDetail,
    Detail,
    DistributionDetail,
    ExamplesDetail,
    GroupsDetail,
    NoteDetail,
    SeriesDetail,
    Status,
    TableDetail,
)

__all__ = ["md_escape", "render_markdown"]

_ICON = {
    "pass": "✅", "inconclusive": "❔", "warn": "⚠️", "fail": "❌", "error": "💥", "skipped": "⏭️",
}  # fmt: skip


def md_escape(text: str) -> str:
    """Escape ``text`` for a Markdown table cell: control characters (shown as ``\\x01``),
    pipes, HTML brackets, markup, newlines."""
    out = printable(text, lines=True).replace("\\", "\\\\").replace("|", "\\|")
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "`*_[]":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.splitlines())


def _status(c: CheckResult | Status | str) -> str:
    value = Status(c.status if isinstance(c, CheckResult) else c).value
    return f"{_ICON[value]} {value}"


def _header(result: AuditResult) -> list[str]:
    s = result.summary
    lines = [
        f"# {md_escape(str(result.config.get('title') or 'Audit report'))}",
        "",
        f"**Overall: {_status(s.status)}** · {s.total} check results · run `{result.run_id}` · "
        f"{md_escape(result.created_at)} · mlaudit {md_escape(result.mlaudit_version)}",
        "",
        "| " + " | ".join(st.value for st in STATUS_ORDER) + " |",
        "|" + "---:|" * len(STATUS_ORDER),
        "| " + " | ".join(str(s.counts.get(st.value, 0)) for st in STATUS_ORDER) + " |",
        "",
        "## Inputs",
        "",
        "| input | source | format | rows | columns | fingerprint |",
        "|---|---|---|---:|---:|---|",
    ]
    lines += [
        f"| {md_escape(i.name)} | {md_escape(i.source)} | {md_escape(input_format(i))} | {i.rows} "
        f"| {i.columns} | {md_escape(i.fingerprint)} |"
        for i in result.inputs
    ]
    if result.models:
        lines += ["", "## Model", "", "| model | source | format | type | task | fingerprint |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        lines += [
            f"| {m.role}{'' if m.trusted_format else ' (loaded on trust)'} | {md_escape(m.source)} "
            f"| {m.format} | {md_escape(m.model_type)} | {m.task} | {m.fingerprint} |"
            for m in result.models
        ]
    return [*lines, ""]


def _findings(result: AuditResult) -> list[str]:
    found = problems(result)
    if not found:
        return ["## Findings", "", "No check failed, warned, errored or was inconclusive.", ""]
    lines = ["## Findings", "", "| status | severity | check | column | finding |",
             "|---|---|---|---|---|"]  # fmt: skip
    for _, c in found:
        col = md_escape(c.column) if c.column is not None else "—"
        lines.append(
            f"| {_status(c)} | {c.severity.value} | {md_escape(c.id)} | {col} "
            f"| {md_escape(short_message(c.message))} |"
        )
    return [*lines, ""]


def _family(family: str, checks: list[CheckResult], changed: list[str]) -> list[str]:
    lines = [f"## {md_escape(family_title(family))}", ""]
    if family == "drift" and changed:
        lines += ["**What changed**", "", *(f"- {md_escape(line)}" for line in changed), ""]
    lines += ["| status | check | column | result | metrics |", "|---|---|---|---|---|"]
    for c in in_report_order(checks):
        metrics = "; ".join(f"{md_escape(n)} = {md_escape(fmt_metric(c, n))}" for n in c.metrics)
        if c.threshold is not None:
            metrics += ("; " if metrics else "") + "limit " + md_escape(fmt_threshold(c.threshold))
        col = md_escape(c.column) if c.column is not None else "—"
        lines.append(
            f"| {_status(c)} | {md_escape(c.title)} ({md_escape(c.id)}) "
            f"| {col} | {md_escape(c.message)} | {metrics} |"
        )
    return [*lines, ""]


MAX_ROWS = 30
"""Rows of a detail table written out; the others are counted in a line below it."""

_QUIET = (Status.PASS, Status.SKIPPED)


def _table(columns: list[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(md_escape(c) or " " for c in columns) + " |"]
    align = ["---:|" if _numeric(rows, i) else "---|" for i in range(len(columns))]
    lines.append("|" + "".join(align))
    for row in rows[:MAX_ROWS]:
        cells = [md_escape(fmt_cell(v)) for v in row[: len(columns)]]
        cells += [""] * (len(columns) - len(cells))
        lines.append("| " + " | ".join(cells) + " |")
    if len(rows) > MAX_ROWS:
        lines += ["", f"… {len(rows) - MAX_ROWS:,} more rows (report.json holds them all)."]
    return lines


def _numeric(rows: Sequence[Sequence[object]], i: int) -> bool:
    """A column of numbers (and empty cells) is right-aligned."""
    values = [r[i] for r in rows if i < len(r) and r[i] is not None]
    return bool(values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


def _span(values: list[float]) -> str:
    finite = [f for v in values if (f := finite_or_none(v)) is not None]
    return f"{fmt_number(min(finite))} to {fmt_number(max(finite))}" if finite else "no values"


def _points(n: int) -> str:
    return f"{n:,} point" + ("" if n == 1 else "s")


def _chart_summary(d: Detail) -> str:
    """One line that says what a chart shows (Markdown draws no chart; report.html does)."""
    title = md_escape(getattr(d, "title", "") or d.name)
    if isinstance(d, CurveDetail):
        curves = ", ".join(
            f"{md_escape(n)} ({_points(len(xy.get('x', [])))})" for n, xy in d.curves.items()
        )
        xs = [x for xy in d.curves.values() for x in xy.get("x", [])]
        ys = [y for xy in d.curves.values() for y in xy.get("y", [])]
        scale = {"log": " (log scale)", "linear": ""}
        text = (
            f"Chart *{title}*: {curves}; {md_escape(d.x_label or 'x')} {_span(xs)}"
            f"{scale[d.x_scale]}, {md_escape(d.y_label or 'y')} {_span(ys)}{scale[d.y_scale]}"
        )
        return text + ("; dashed diagonal y = x." if d.diagonal else ".")
    if isinstance(d, SeriesDetail):
        names = ", ".join(md_escape(n) or "value" for n in d.series)
        ends = f" from {md_escape(str(d.x[0]))} to {md_escape(str(d.x[-1]))}" if d.x else ""
        limits = "".join(f"; {md_escape(k)} at {fmt_number(v)}" for k, v in d.limits.items())
        return f"Chart *{title}*: {names} over {_points(len(d.x))}{ends}{limits}."
    if isinstance(d, BarsDetail):
        first = next(iter(d.series.values()), [])
        shown = [
            f"{md_escape(n)} {fmt_number(v) if not d.share or v is None else f'{v:.1%}'}"
            for n, v in list(zip(d.labels, first, strict=False))[:3]
        ]
        more = f" and {len(d.labels) - 3:,} more" if len(d.labels) > 3 else ""
        names = ", ".join(md_escape(n) for n in d.series)
        return f"Chart *{title}*: bars of {names}; first {', '.join(shown)}{more}."
    if isinstance(d, DistributionDetail):
        samples = ", ".join(md_escape(k) for k in d.counts)
        if d.edges:
            return f"Chart *{title}*: {samples}, {len(d.edges) - 1:,} bins, {_span(d.edges)}."
        return f"Chart *{title}*: {samples} over {len(d.categories):,} categories."
    return f"Chart *{title}*."


def _detail(d: Detail) -> list[str]:
    if isinstance(d, GroupsDetail):
        columns, rows = groups_table(d)
        return [f"**{md_escape(d.title or d.name)}**", "", *_table(columns, rows), ""]
    if isinstance(d, NoteDetail):
        return [f"> {md_escape(d.text)}", ""]
    if isinstance(d, TableDetail | ExamplesDetail):
        head = [f"**{md_escape(d.title or d.name)}**", ""]
        if isinstance(d, ExamplesDetail) and d.masked_columns:
            masked = ", ".join(md_escape(c) for c in d.masked_columns)
            head += [f"Masked columns (personal data, values hidden): {masked}.", ""]
        note = d.note if isinstance(d, TableDetail) else ""
        return [*head, *_table(d.columns, d.rows), "", *([f"*{md_escape(note)}*", ""] * bool(note))]
    return [_chart_summary(d), ""]


def _details(checks: list[CheckResult]) -> list[str]:
    """Each result's tables and chart summaries: every data set result's, and the column
    results' that need attention (a passing column's charts would only repeat the HTML)."""
    lines: list[str] = []
    for c in in_report_order(checks):
        if not c.details or (c.column is not None and Status(c.status) in _QUIET):
            continue
        col = f" · {md_escape(c.column)}" if c.column is not None else ""
        lines += [f"### {md_escape(c.title)} ({md_escape(c.id)}){col}", ""]
        for d in c.details:
            lines += _detail(d)
    return lines


def render_markdown(result: AuditResult) -> str:
    """Render ``result`` as GitHub-flavoured Markdown.

    Parameters
    ----------
    result
        The audit result.

    Returns
    -------
    str
        The Markdown text: header, counts by status, inputs, findings, one section per family
        (the drift section opens with "What changed"), then the family's detail tables (at most
        :data:`MAX_ROWS` rows each) and one line per chart saying what it shows.
    """
    lines = _header(result) + _findings(result)
    changed = what_changed(result)
    for family, checks in ordered_families(result):
        lines += _family(family, checks, changed) + _details(checks)
    return "\n".join(lines).rstrip("\n") + "\n"
