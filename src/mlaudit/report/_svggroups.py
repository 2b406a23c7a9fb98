"""The fairness checks' groups detail: a table of the groups and a chart of their rates.

The chart draws one row a group (at most :data:`MAX_ROWS`, the largest first): the rate as a
dot and its 95 % interval as a line, on a 0–100 % axis; the reference group's dot is filled
dark, groups with too few rows are drawn grey, and a dashed line marks four-fifths of the
reference group's rate (the rate below which the four-fifths rule reads adverse impact).  The
rate drawn is the selection rate, or the scoring rate of a Local Law 144 table.  The table
lists every group with its size and the rates, gaps and ratios the detail holds, each with its
interval.
"""

from __future__ import annotations

from mlaudit.report._chartdata import FONT, PALETTE
from mlaudit.report._format import fmt_cell
from mlaudit.report._svgparts import AXIS, GRID, LEFT, TEXT, esc, px, title_lines
from mlaudit.results import GroupsDetail, GroupValue

__all__ = ["MAX_ROWS", "groups_svg", "groups_table"]

MAX_ROWS = 30
_NAME_W, _PLOT_W, _ROW_H = 170, 360, 20
_COLUMNS = (
    ("n", "rows"),
    ("selection_rate", "selection rate"),
    ("scoring_rate", "scoring rate"),
    ("tpr", "TPR"),
    ("fpr", "FPR"),
    ("ppv", "PPV"),
    ("accuracy", "accuracy"),
    ("auc", "AUC"),
    ("mean_score", "mean score"),
    ("selection_rate_diff", "gap to reference"),
    ("selection_rate_p_value", "p (gap)"),
    ("impact_ratio", "impact ratio"),
)


def _rate_key(d: GroupsDetail) -> str:
    return "scoring_rate" if any("scoring_rate" in g for g in d.groups) else "selection_rate"


def _with_ci(g: dict[str, GroupValue], key: str) -> str:
    value = g.get(key)
    if value is None or isinstance(value, list | bool | str):
        return "" if value is None else str(value)
    text = fmt_cell(value)
    ci = g.get(f"{key}_ci")
    if isinstance(ci, list) and len(ci) == 2:
        text += f" [{fmt_cell(ci[0])}, {fmt_cell(ci[1])}]"
    return text


def groups_table(d: GroupsDetail) -> tuple[list[str], list[list[str]]]:
    """The groups as table columns and rows (figures with their intervals in brackets)."""
    keys = [(k, t) for k, t in _COLUMNS if any(g.get(k) is not None for g in d.groups)]
    columns = [d.attribute, *(t for _, t in keys), "note"]
    rows = []
    for g in d.groups:
        note = []
        if g.get("reference"):
            note.append("reference")
        if g.get("sufficient") is False:
            note.append("insufficient evidence")
        if g.get("excluded"):
            note.append("excluded from the ratios")
        rows.append([str(g.get("group", "")), *(_with_ci(g, k) for k, _ in keys), ", ".join(note)])
    return columns, rows


def _x(v: float) -> float:
    return LEFT + _NAME_W + _PLOT_W * min(max(v, 0.0), 1.0)


def groups_svg(d: GroupsDetail, *, label: str) -> str | None:
    """The rate chart of ``d`` as inline SVG; None when no group has a rate."""
    key = _rate_key(d)
    shown = [g for g in d.groups if isinstance(g.get(key), float | int)][:MAX_ROWS]
    if not shown:
        return None
    kind = "Scoring" if key == "scoring_rate" else "Selection"
    title = title_lines(f"{kind} rate (outcome {d.favourable}) by {d.attribute}, 95% intervals")
    top = 18 * len(title) + 22
    height = top + _ROW_H * len(shown) + 40
    width = LEFT + _NAME_W + _PLOT_W + 30
    out = [
        f'<svg role="img" aria-label="{esc(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{esc(FONT)}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for i, line in enumerate(title):
        out.append(f'<text x="{LEFT}" y="{16 + 18 * i}" font-size="13" font-weight="600" '
                   f'fill="#000">{esc(line)}</text>')  # fmt: skip
    bottom = top + _ROW_H * len(shown)
    for t in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        x = _x(t)
        out.append(f'<line x1="{px(x)}" x2="{px(x)}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>')
        out.append(f'<text x="{px(x)}" y="{bottom + 16}" text-anchor="middle" font-size="11" '
                   f'fill="{TEXT}">{t:.0%}</text>')  # fmt: skip
    ref = next((g for g in shown if g.get("reference")), None)
    ref_rate = ref.get(key) if ref is not None else None
    if isinstance(ref_rate, float | int) and ref_rate > 0:
        x = _x(0.8 * float(ref_rate))
        out.append(f'<line class="four-fifths" x1="{px(x)}" x2="{px(x)}" y1="{top - 4}" '
                   f'y2="{bottom}" stroke="#c00000" stroke-dasharray="4 3"/>')  # fmt: skip
        out.append(f'<text x="{px(x + 3)}" y="{top - 6}" font-size="10" fill="#c00000">'
                   "4/5 of reference</text>")  # fmt: skip
    for i, g in enumerate(shown):
        y = top + _ROW_H * i + _ROW_H / 2
        name = str(g.get("group", ""))
        name = name if len(name) <= 26 else name[:25] + "…"
        n = g.get("n")
        out.append(f'<text x="{LEFT + _NAME_W - 8}" y="{px(y + 4)}" text-anchor="end" '
                   f'font-size="11" fill="{TEXT}">{esc(name)} ({fmt_cell(n)})</text>')  # fmt: skip
        small = g.get("sufficient") is False
        colour = "#a5a5a5" if small else PALETTE[0]
        ci = g.get(f"{key}_ci")
        if isinstance(ci, list) and len(ci) == 2:
            x1, x2 = px(_x(ci[0])), px(_x(ci[1]))
            out.append(f'<line class="ci" x1="{x1}" x2="{x2}" y1="{px(y)}" y2="{px(y)}" '
                       f'stroke="{colour}" stroke-width="2"/>')  # fmt: skip
        rate = float(g[key])  # type: ignore[arg-type]
        fill = colour if g.get("reference") else "#ffffff"
        out.append(f'<circle class="rate" cx="{px(_x(rate))}" cy="{px(y)}" r="4.5" '
                   f'fill="{fill}" stroke="{colour}" stroke-width="2">'
                   f"<title>{esc(name)}: {rate:.1%}</title></circle>")  # fmt: skip
    out.append(f'<line x1="{LEFT + _NAME_W}" x2="{LEFT + _NAME_W + _PLOT_W}" y1="{bottom}" '
               f'y2="{bottom}" stroke="{AXIS}"/>')  # fmt: skip
    if len(d.groups) > len(shown):
        out.append(f'<text x="{LEFT}" y="{bottom + 32}" font-size="11" fill="{TEXT}">'
                   f"{len(d.groups) - len(shown)} more groups in the table</text>")  # fmt: skip
    out.append("</svg>")
    return "\n".join(out)
