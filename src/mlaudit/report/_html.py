"""The HTML report: one self-contained file (inline CSS, JS and SVG) that opens offline.

Everything is escaped by jinja2's autoescape; the only markup inserted as is are the SVG charts
from :func:`mlaudit.report._svg.detail_svg` (distributions, series and curves, drawn directly)
and the missing-values overview from :mod:`mlaudit.report._charts` (through vl-convert).  No
external URL appears in the page: no fonts, no CDNs, no images by address.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from mlaudit._numbers import finite_or_none
from mlaudit._printable import printable
from mlaudit.errors import ReportError
from mlaudit.report import _charts as ch
from mlaudit.report._chartdata import most_missing
from mlaudit.report._drift_summary import what_changed
from mlaudit.report._format import (
    STATUS_ORDER,
    check_label,
    family_title,
    fmt_cell,
    fmt_metric,
    fmt_number,
    fmt_threshold,
    in_report_order,
    input_format,
    ordered_families,
    problems,
    severity_rank,
    short_message,
    split_method,
)
from mlaudit.report._svg import detail_svg
from mlaudit.report._svggroups import groups_svg, groups_table
from mlaudit.results import (
    AuditResult,
    CheckResult,
    Detail,
    ExamplesDetail,
    GroupsDetail,
    NoteDetail,
    Status,
    TableDetail,
)

__all__ = ["missing_shares", "render_html", "render_notebook"]

_MISSING_METRICS = ("missing_share", "missing_fraction", "missing_rate", "null_share", "null_rate")


@cache
def _env() -> jinja2.Environment:
    # Cached: the environment holds only the package's templates, never results.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mlaudit.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = fmt_number
    env.filters["cell"] = fmt_cell
    env.filters["input_format"] = input_format
    env.filters["severity_rank"] = severity_rank
    return env


def _static(name: str) -> str:
    return resources.files("mlaudit.report").joinpath("static", name).read_text(encoding="utf-8")


@dataclass
class _Block:
    """A detail block ready for the template."""

    kind: str
    title: str
    svg: Markup | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, str]]] = field(default_factory=list)  # (text, sort key)
    masked: list[str] = field(default_factory=list)
    text: str = ""
    corner: tuple[str, str] = ("", "")  # a cross-table's rows and columns ("true", "predicted")
    matrix: list[tuple[str, list[_Cell]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Cell:
    """A cross-table's cell: its count, its share of the row, the shade, on the diagonal."""

    text: str
    share: str
    alpha: str
    diagonal: bool


@dataclass
class _Card:
    """One result: a closed ``<details>`` whose summary is the one-line finding.

    The browser does not lay out a closed ``<details>``: the demo's 198 results (76 charts)
    cost one line each until opened.  ``message`` is the full message without the "Why this
    method" note, which the check's group states once (:class:`_Group`).
    """

    anchor: str
    check: CheckResult
    label: str
    short: str
    message: str
    method: str
    metrics: list[tuple[str, str]]
    threshold: str
    blocks: list[_Block]
    params: list[tuple[str, str]]


@dataclass
class _Group:
    """The results of one check within a family part: why it matters and its methods, once."""

    check_id: str
    title: str
    why: str
    methods: list[tuple[str, list[str]]]  # (method, the columns it was used on)
    cards: list[_Card]


_QUIET = (Status.PASS, Status.SKIPPED)


def _sort_key(v: object) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool):
        f = float(v)
        return repr(f) if math.isfinite(f) else ("Infinity" if f > 0 else "-Infinity")
    return ""


def _table_rows(rows: list[list[Any]]) -> list[list[tuple[str, str]]]:
    return [[(fmt_cell(v), _sort_key(v)) for v in row] for row in rows]


_CROSS = re.compile(r"^(.+?) \\ (.+)$")
"""The first column's name of a cross-table: what the rows are, a backslash, what the columns
are (``true \\ predicted``, ``audited \\ challenger``)."""


def _count(v: object) -> float | None:
    f = finite_or_none(v)
    return f if f is not None and f >= 0 else None


def _cross_table(d: TableDetail) -> _Block | None:
    """``d`` drawn as a matrix when it is a cross-table of counts, else None.

    A cross-table: its first column is named ``rows \\ columns`` and every other cell is a count
    (a number at least 0) or empty.  Each cell shows its count and its share of the row (for a
    confusion matrix with the true class in rows, the recall of that class on the diagonal),
    shaded by that share; a cell whose row and column have the same name (the diagonal) is bold.
    """
    match = _CROSS.match(d.columns[0]) if d.columns else None
    if match is None or len(d.columns) < 2 or not d.rows:
        return None
    if any(
        len(row) != len(d.columns) or any(v is not None and _count(v) is None for v in row[1:])
        for row in d.rows
    ):
        return None
    matrix = []
    for row in d.rows:
        total = sum(_count(v) or 0.0 for v in row[1:])
        head = fmt_cell(row[0])
        cells = []
        for col, v in zip(d.columns[1:], row[1:], strict=True):
            c = _count(v)
            share = c / total if c is not None and total > 0 else None
            cells.append(
                _Cell(
                    text=fmt_cell(v),
                    share="" if share is None else f"{share:.1%}",
                    alpha=f"{0.55 * (share or 0.0):.3f}",
                    diagonal=head == col,
                )
            )
        matrix.append((head, cells))
    return _Block(
        "matrix",
        d.title or d.name,
        columns=d.columns[1:],
        text=d.note,
        corner=(match.group(1), match.group(2)),
        matrix=matrix,
    )


def _blocks(detail: Detail, *, charts: bool, prefix: str) -> list[_Block]:
    """A detail's blocks: one, or for a groups detail its chart and its table."""
    if not isinstance(detail, GroupsDetail):
        return [_block(detail, charts=charts, prefix=prefix)]
    columns, rows = groups_table(detail)
    table = _Block("table", detail.title or detail.name, columns=columns,
                   rows=[[(v, "") for v in row] for row in rows])  # fmt: skip
    svg = groups_svg(detail, label=detail.title or detail.name) if charts else None
    return ([_Block("chart", detail.title, svg=Markup(svg))] if svg else []) + [table]


def _block(detail: Detail, *, charts: bool, prefix: str) -> _Block:
    title = getattr(detail, "title", "") or detail.name
    if isinstance(detail, TableDetail) and (matrix := _cross_table(detail)) is not None:
        return matrix
    if isinstance(detail, TableDetail):
        return _Block("table", title, columns=detail.columns, rows=_table_rows(detail.rows),
                      text=detail.note)  # fmt: skip
    if isinstance(detail, ExamplesDetail):
        return _Block("examples", title, columns=detail.columns,
                      rows=_table_rows(detail.rows), masked=detail.masked_columns)  # fmt: skip
    if isinstance(detail, NoteDetail):
        return _Block("note", detail.name, text=detail.text)
    try:
        svg = detail_svg(detail, label=title, prefix=prefix) if charts else None
    except ReportError as exc:  # one chart that cannot be drawn costs only itself
        return _Block("chart-off", title, text=f"{detail.kind} chart not drawn: {exc.message}")
    if svg is None:
        return _Block("chart-off", title, text=f"{detail.kind} chart not drawn")
    return _Block("chart", title, svg=Markup(svg))


def _card(index: int, c: CheckResult, *, charts: bool) -> _Card:
    names = list(c.metrics) + [b for b in c.bounds if b not in c.metrics]
    message, method = split_method(c.message)
    method = method[:1].upper() + method[1:]
    return _Card(
        anchor=f"check-{index}",
        check=c,
        label=check_label(c),
        short=short_message(c.message),
        message=message,
        method=method,
        metrics=[(n, fmt_metric(c, n)) for n in names],
        threshold=fmt_threshold(c.threshold) if c.threshold else "",
        blocks=[
            b
            for j, d in enumerate(c.details)
            for b in _blocks(d, charts=charts, prefix=f"c{index}-{j}")
        ],
        params=[(k, str(v)) for k, v in sorted(c.params.items())],
    )


def _groups(cards: list[_Card]) -> list[_Group]:
    """Cards (in report order) grouped by check, groups in the order of their first card."""
    by_id: dict[str, _Group] = {}
    for card in cards:
        c = card.check
        group = by_id.setdefault(c.id, _Group(c.id, c.title, c.why, [], []))
        group.cards.append(card)
        if card.method:
            columns = next((cols for m, cols in group.methods if m == card.method), None)
            if columns is None:
                columns = []
                group.methods.append((card.method, columns))
            if c.column is not None:
                columns.append(c.column)
    return list(by_id.values())


def _family(fam: str, cards: list[_Card]) -> dict[str, Any]:
    """A family's results: those needing attention, then the passes and skips (folded)."""
    quiet = [card for card in cards if Status(card.check.status) in _QUIET]
    loud = [card for card in cards if Status(card.check.status) not in _QUIET]
    return {
        "id": fam,
        "title": family_title(fam),
        "n": len(cards),
        "loud": _groups(loud),
        "quiet": _groups(quiet),
        "n_quiet": len(quiet),
    }


def missing_shares(result: AuditResult) -> list[tuple[str, float]]:
    """Share of missing values per column from the ``quality.completeness`` results.

    Read from per-column results' metric ``missing_share`` (or a synonym), in report order;
    columns without such a result are left out.
    """
    out: dict[str, float] = {}
    for c in result.checks:
        if c.id != "quality.completeness" or c.column is None or c.column in out:
            continue
        for name in _MISSING_METRICS:
            v = c.metrics.get(name)
            if isinstance(v, int | float) and math.isfinite(v):
                out[c.column] = float(v)
                break
    return list(out.items())


def _overview(result: AuditResult, *, charts: bool) -> dict[str, Any]:
    shares = missing_shares(result)
    chart, note = None, ""
    if charts and shares:
        drawn, title = most_missing(shares)
        try:
            spec = ch.missing_values_chart(drawn, title=title)
            svg = ch.to_svg(spec, label=title, prefix="missing")
        except ReportError as exc:  # the table below still lists every column
            note = f"chart not drawn: {exc.message}"
        else:
            chart = Markup(ch.name_titles(svg, [name for name, _ in drawn]))
    return {"missing": shares, "missing_svg": chart, "missing_note": note}


def _context(result: AuditResult, *, charts: bool) -> dict[str, Any]:
    # Every card's charts are drawn directly (well under a millisecond each): one thread.
    cards = [_card(i, c, charts=charts) for i, c in enumerate(result.checks)]
    index = {id(c): i for i, c in enumerate(result.checks)}
    # Within a family, what needs attention comes first, larger effects first within a status.
    families = [
        _family(fam, [cards[index[id(c)]] for c in in_report_order(checks)])
        for fam, checks in ordered_families(result)
    ]
    return {
        "r": result,
        "status": Status(result.summary.status).value,
        "counts": [(s.value, result.summary.counts.get(s.value, 0)) for s in STATUS_ORDER],
        "problems": [(f"check-{i}", c, short_message(c.message)) for i, c in problems(result)],
        "families": families,
        "overview": _overview(result, charts=charts),
        "what_changed": what_changed(result),
        "css": Markup(_static("report.css")),
        "js": Markup(_static("report.js")),
    }


def render_html(result: AuditResult, *, charts: bool = True) -> str:
    """Render ``result`` as a single self-contained HTML page.

    Parameters
    ----------
    result
        The audit result.
    charts
        Draw SVG charts (distributions, series, curves, missing values); ``False`` is faster
        and gives a smaller file.

    Returns
    -------
    str
        The HTML document; the same result gives the same text.
    """
    page = _env().get_template("report.html.j2").render(**_context(result, charts=charts))
    # Names and values are data: a control character in one is shown as a visible escape
    # (``bad\\x01name``), anywhere on the page, as in every renderer but report.json.
    return printable(page, lines=True)


def render_notebook(result: AuditResult) -> str:
    """A compact HTML fragment for Jupyter: status, counts and the problems found."""
    return printable(
        _env()
        .get_template("notebook.html.j2")
        .render(
            r=result,
            status=Status(result.summary.status).value,
            counts=[(s.value, result.summary.counts.get(s.value, 0)) for s in STATUS_ORDER],
            problems=[(c, check_label(c)) for _, c in problems(result)][:50],
            css=Markup(_static("notebook.css")),
        )
    )
