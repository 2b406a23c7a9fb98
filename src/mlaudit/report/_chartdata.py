"""What the report's charts show and how they look: the one source of chart data.

:func:`distribution_rows` gives the shares a distribution chart draws, whichever renderer
draws it (:mod:`mlaudit.report._svg` for the reports; a dashboard can draw the same rows); the
sizes, palette and fonts are shared by the charts drawn directly and those drawn through
Vega-Lite (:mod:`mlaudit.report._charts`).  Kept apart from :mod:`mlaudit.report._charts` so that a
report drawn without Vega-Lite (a drift report) does not import altair (0.3 s).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mlaudit._numbers import finite_or_none
from mlaudit.results import DistributionDetail

__all__ = [
    "FONT",
    "HEIGHT",
    "MAX_CATEGORIES",
    "MAX_CHART_COLUMNS",
    "PALETTE",
    "TITLE_CHARS",
    "VEGA_CONFIG",
    "WIDTH",
    "DistributionRows",
    "distribution_rows",
    "most_missing",
    "sample_order",
    "shares",
]

WIDTH = 520
HEIGHT = 220
MAX_CATEGORIES = 30
MAX_CHART_COLUMNS = 100
"""A chart that lists columns draws at most this many; the others are summarised in its title."""
TITLE_CHARS = 90
PALETTE = ["#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#a5a5a5"]
FONT = "Segoe UI, Helvetica Neue, Arial, sans-serif"

VEGA_CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": "#ffffff",
    "view": {"stroke": "#d0d7de"},
    "axis": {"labelColor": "#333", "titleColor": "#333", "gridColor": "#eceff3",
             "labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": 600},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "top"},
    "range": {"category": PALETTE},
}  # fmt: skip


def shares(counts: Sequence[float]) -> list[float | None]:
    """Each count's share of the finite total (None for every count when the total is 0)."""
    total = sum(c for c in counts if finite_or_none(c) is not None)
    return [(finite_or_none(c) or 0.0) / total if total > 0 else None for c in counts]


def sample_order(names: Iterable[str]) -> list[str]:
    """Reference first, current second, then the others as given: fixed colours in every chart
    (``report.json`` stores the samples with sorted keys, so their given order is lost)."""
    rank = {"reference": 0, "current": 1}
    return sorted(names, key=lambda s: rank.get(s, 2))


@dataclass(frozen=True)
class DistributionRows:
    """What a distribution chart shows, whichever renderer draws it.

    ``bins``: (sample, low edge, high edge, share of the sample's rows) for numeric columns;
    ``bars``: (sample, category, share) for categorical ones, over ``categories`` (the
    ``MAX_CATEGORIES`` most frequent over all samples, most frequent first).  A share is None
    when the sample has no counted row.
    """

    title: str
    samples: list[str]
    bins: list[tuple[str, float, float, float | None]]
    categories: list[str]
    bars: list[tuple[str, str, float | None]]


def distribution_rows(d: DistributionDetail) -> DistributionRows:
    """The shares a distribution chart of ``d`` draws (see :class:`DistributionRows`)."""
    title = d.title or f"Distribution of {d.column}"
    samples = sample_order(d.counts)
    if d.edges:
        bins = [
            (s, float(d.edges[i]), float(d.edges[i + 1]), sh)
            for s in samples
            for i, sh in enumerate(shares(d.counts[s])[: len(d.edges) - 1])
            if finite_or_none(d.edges[i]) is not None and finite_or_none(d.edges[i + 1]) is not None
        ]
        return DistributionRows(title, samples, bins, [], [])
    totals = dict.fromkeys(d.categories, 0.0)
    for counts in d.counts.values():
        for c, n in zip(d.categories, counts, strict=False):
            totals[c] += finite_or_none(n) or 0.0
    keep = sorted(d.categories, key=lambda c: (-totals[c], c))[:MAX_CATEGORIES]
    kept = set(keep)
    bars = [
        (s, c, sh)
        for s in samples
        for c, sh in zip(d.categories, shares(d.counts[s]), strict=False)
        if c in kept
    ]
    if len(keep) < len(d.categories):
        title += f" (top {len(keep)} of {len(d.categories)} categories)"
    return DistributionRows(title, samples, [], keep, bars)


def most_missing(
    shares: Sequence[tuple[str, float]], limit: int = MAX_CHART_COLUMNS
) -> tuple[list[tuple[str, float]], str]:
    """The columns the missing-values chart draws, and its title.

    Up to ``limit`` columns all are drawn, in the order given (the report's).  Beyond that the
    ``limit`` columns with the largest share of missing values are drawn, largest first (ties
    in the order given), and the title says how many columns there are and the largest share
    among those left out, so a wide table (thousands of columns) gives a chart of fixed size
    whose reader still knows what is not drawn.  The report's table lists every column.
    """
    title = "Missing values per column"
    if len(shares) <= limit:
        return list(shares), title
    ranked = sorted(range(len(shares)), key=lambda i: (-shares[i][1], i))
    kept = [shares[i] for i in ranked[:limit]]
    rest = max(shares[i][1] for i in ranked[limit:])
    title = (
        f"Missing values: the {limit} most incomplete of {len(shares):,} columns; "
        f"the other {len(shares) - limit:,} have at most {rest:.1%} missing"
    )
    return kept, title
