"""Charts drawn straight to SVG, without a chart engine: distributions, series and curves.

A drift report holds one distribution chart per compared column (reference against current) and
one series per column over time, so these are the charts a report draws most.  Rendering them
as Vega-Lite specifications with vl-convert took about 40 ms per chart here: 0.9 s for a
20-column drift report, a third of the whole ``mlaudit drift`` run, and 8 s for 200 columns.
Writing their few rectangles, lines, axes and labels directly takes well under a millisecond.
The missing-values overview is the only chart still drawn through Vega-Lite
(:mod:`mlaudit.report._charts`); :func:`detail_svg` picks the one renderer of each kind.  What
a distribution chart shows comes from :mod:`mlaudit.report._chartdata`, which the dashboard can
reuse as it is.

* Numeric columns: each sample's share of rows per bin as bars from bin edge to bin edge,
  overlaid (opacity 0.55), x from the first to the last finite edge, y from 0 to a "nice" upper
  bound above the largest share.
* Categorical columns: grouped bars, one group per category (the 30 most frequent over all
  samples, most frequent first), one bar per sample.
* Series (:func:`series_svg`, in :mod:`mlaudit.report._svgseries`): lines with points over
  ``x``, shaded bands and dashed limit rules.
* Curves (:func:`curve_svg`, in :mod:`mlaudit.report._svgcurve`): ROC, precision–recall,
  reliability, latency, pruning; a diagonal on equal axes and logarithmic axes on request.

The output is deterministic (the same detail gives the same bytes), has ``role="img"`` and an
``aria-label``, a ``<title>`` per bar or point giving its exact value, and no element ids (so any
number of charts can share a page).
"""

from __future__ import annotations

from collections.abc import Callable

from mlaudit.report._chartdata import (
    HEIGHT,
    PALETTE,
    WIDTH,
    DistributionRows,
    distribution_rows,
)
from mlaudit.report._svgbars import bars_svg
from mlaudit.report._svgcurve import curve_svg
from mlaudit.report._svgparts import (
    BOTTOM,
    LEFT,
    RIGHT,
    clean,
    esc,
    fraction,
    frame,
    legend,
    nice_ticks,
    number,
    opening,
    percent,
    px,
    spread,
    title_lines,
    x_label,
    x_ticks,
    x_title,
    y_grid,
    y_title,
)
from mlaudit.report._svgseries import series_svg
from mlaudit.results import BarsDetail, CurveDetail, Detail, DistributionDetail, SeriesDetail

__all__ = ["curve_svg", "detail_svg", "distribution_svg", "nice_ticks", "series_svg"]


def detail_svg(detail: Detail, *, label: str, prefix: str = "c") -> str | None:
    """The chart of a detail block as inline SVG, drawn by the one renderer of its kind.

    Distributions, series and curves are drawn directly (:func:`distribution_svg`,
    :func:`series_svg`, :func:`curve_svg`); ``prefix`` is kept for renderers whose element ids
    must be made unique (none today).  None for a block that is not a chart, or a curve block
    without curves.
    """
    if isinstance(detail, DistributionDetail):
        return distribution_svg(detail, label=label)
    if isinstance(detail, SeriesDetail):
        return series_svg(detail, label=label)
    if isinstance(detail, BarsDetail):
        return bars_svg(detail, label=label)
    if not isinstance(detail, CurveDetail) or not detail.curves:
        return None
    return curve_svg(detail, label=label)


def distribution_svg(d: DistributionDetail, *, label: str) -> str:
    """The distribution chart of ``d`` as an inline SVG string (see the module docstring)."""
    rows = distribution_rows(d)
    lines = title_lines(rows.title)
    y0 = 18 * len(lines) + 30  # title lines, then the legend
    slanted = bool(rows.categories) and (
        len(rows.categories) > 8 or max(len(c) for c in rows.categories) > 10
    )
    total_w, total_h = LEFT + WIDTH + RIGHT, y0 + HEIGHT + BOTTOM + (40 if slanted else 0)
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(rows.samples)}
    out = opening(label, total_w, total_h, lines)
    legend(out, rows.samples, colour, LEFT, 18 * len(lines) + 12)
    yticks = _share_ticks(rows)
    step, ymax = yticks[1] - yticks[0], yticks[-1]

    def ypos(v: float) -> float:
        return y0 + HEIGHT - HEIGHT * v / ymax

    y_grid(out, yticks, ypos, lambda t: percent(t, step))
    if rows.categories:
        _category_bars(out, rows, colour, ypos, slanted=slanted)
    else:
        _numeric_bars(out, rows, colour, ypos)
    frame(out, y0)
    x_title(out, d.column, y0 + HEIGHT + (74 if slanted else 34))
    y_title(out, "share of rows", y0)
    out.append("</svg>")
    return "".join(out)


def _share_ticks(rows: DistributionRows) -> list[float]:
    """Round y ticks from 0 to at least the tallest bar (at least two ticks)."""
    shares = [sh for *_, sh in rows.bins] + [sh for *_, sh in rows.bars]
    tallest = max((v for v in shares if v is not None), default=0.0)
    yticks = nice_ticks(0.0, tallest if tallest > 0 else 1.0)
    if yticks[-1] < tallest:  # one more step covers the tallest bar
        yticks.append(clean(yticks[-1] + yticks[1] - yticks[0]))
    return yticks


def _numeric_bars(
    out: list[str], rows: DistributionRows, colour: dict[str, str], ypos: Callable[[float], float]
) -> None:
    ends = [lo for _, lo, _, _ in rows.bins] + [hi for _, _, hi, _ in rows.bins]
    lo, hi = spread(*((min(ends), max(ends)) if ends else (0.0, 1.0)))

    def xpos(v: float) -> float:
        return LEFT + WIDTH * fraction(v, lo, hi)

    base = ypos(0.0)
    for sample, a, b, share in rows.bins:
        if share is None:
            continue
        top = ypos(share)
        out.append(
            f'<rect x="{px(xpos(a))}" y="{px(top)}" width="{px(max(xpos(b) - xpos(a), 0.5))}" '
            f'height="{px(base - top)}" fill="{colour[sample]}" fill-opacity="0.55" '
            f'stroke="#ffffff" stroke-width="0.3"><title>{esc(sample)}: {esc(number(a))} to '
            f"{esc(number(b))}: {share:.2%}</title></rect>"
        )
    x_ticks(out, lo, hi, base)


def _category_bars(
    out: list[str],
    rows: DistributionRows,
    colour: dict[str, str],
    ypos: Callable[[float], float],
    *,
    slanted: bool,
) -> None:
    group = WIDTH / len(rows.categories)
    inner = group * 0.8 / max(len(rows.samples), 1)
    where = {c: i for i, c in enumerate(rows.categories)}
    slot = {s: j for j, s in enumerate(rows.samples)}
    base = ypos(0.0)
    for sample, category, share in rows.bars:
        if share is None:
            continue
        x = LEFT + group * where[category] + group * 0.1 + inner * slot[sample]
        top = ypos(share)
        out.append(
            f'<rect x="{px(x)}" y="{px(top)}" width="{px(max(inner, 0.5))}" '
            f'height="{px(base - top)}" fill="{colour[sample]}"><title>{esc(sample)}: '
            f"{esc(category)}: {share:.2%}</title></rect>"
        )
    for c, i in where.items():
        text = c if len(c) <= 20 else c[:19] + "…"
        x_label(out, LEFT + group * (i + 0.5), base, text, slanted=slanted)
