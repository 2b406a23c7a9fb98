"""The Markdown report (GitHub-flavoured): a summary table, then one section per family.

The drift section opens with the same "What changed" sentences as the HTML report
(:func:`mlaudit.report._drift_summary.what_changed`); within a family, results are listed in the
HTML report's order (what needs attention first, larger effects first).
"""

from __future__ import annotations

from mlaudit._printable import printable
from mlaudit.report._drift_summary import what_changed
from mlaudit.report._format import (
    STATUS_ORDER,
    family_title,
    fmt_metric,
    fmt_threshold,
    in_report_order,
    input_format,
    ordered_families,
    problems,
    short_message,
)
from mlaudit.results import AuditResult, CheckResult, Status

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
        (the drift section opens with "What changed").
    """
    lines = _header(result) + _findings(result)
    changed = what_changed(result)
    for family, checks in ordered_families(result):
        lines += _family(family, checks, changed)
    return "\n".join(lines).rstrip("\n") + "\n"
