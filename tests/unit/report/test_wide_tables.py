"""Wide tables (issue 10, item 3): with 2,000 or more columns the missing-values chart overflowed
the JavaScript stack inside vl-convert and no report was written.  A chart that lists columns
now draws at most MAX_CHART_COLUMNS of them, the most incomplete, and says what it leaves out.
"""

from __future__ import annotations

import re
import time

import pytest
from tests.unit.report.conftest import make_result

from mlaudit.report import render
from mlaudit.report._chartdata import MAX_CHART_COLUMNS, most_missing


def test_most_missing_keeps_order_when_narrow_and_ranks_when_wide() -> None:
    shares = [("a", 0.1), ("b", 0.0), ("c", 0.3)]
    assert most_missing(shares, limit=3) == (shares, "Missing values per column")
    drawn, title = most_missing([("a", 0.1), ("b", 0.0), ("c", 0.3), ("d", 0.3)], limit=2)
    assert drawn == [("c", 0.3), ("d", 0.3)]  # largest first, ties in the given order
    assert title == (
        "Missing values: the 2 most incomplete of 4 columns; the other 2 have at most 10.0% missing"
    )


@pytest.mark.parametrize("width", [2_500, 10_000])
def test_wide_table_renders_a_bounded_missing_chart(width: int) -> None:
    names = [f"c{i}" for i in range(width)]
    column = {"dtype": "double", "type": "numeric", "role": "feature", "personal": False,
              "inferred": True, "reason": "floats"}  # fmt: skip
    result = make_result(dict.fromkeys(names, column))  # share of c_i missing: (i % 7) / 20
    start = time.perf_counter()
    page = render(result, "html")
    seconds = time.perf_counter() - start
    chart = page[page.index('aria-label="Missing values') : page.index("</svg>", page.index(
        'aria-label="Missing values'))]  # fmt: skip
    # by hand: the largest share is 6/20 = 30%, held by c6, c13, c20, ... (i % 7 == 6)
    expected = [f"c{i}" for i in range(6, width, 7)][:MAX_CHART_COLUMNS]
    labels = re.findall(r">(c\d+)</text>", chart)
    assert labels == expected
    assert f"of {width:,} columns" in page
    assert f"the other {width - MAX_CHART_COLUMNS:,} have at most 30.0% missing" in page
    rows = re.findall(r"<tr><td><code>c\d+</code></td><td class=\"num\" data-sort=", page)
    assert len(rows) == width  # the missing-values table still lists every column
    assert seconds < 60, seconds
    print(f"{width} columns: HTML rendered in {seconds:.1f} s, {len(page) / 1e6:.1f} MB")
