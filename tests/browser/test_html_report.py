"""Open the HTML report in headless Chromium: offline, no console errors, charts, sorting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.browser._chromium import ARGS, chromium, report_fixtures

from mlaudit.report._html import render_html

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from playwright import sync_api

    out = tmp_path_factory.mktemp("html") / "report.html"
    out.write_text(render_html(report_fixtures().make_result()), encoding="utf-8")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        console: list[Any] = []
        requests: list[str] = []
        page.on("console", lambda m: console.append(m))
        page.on("pageerror", lambda e: console.append(e))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        yield page, console, requests, out.as_uri()
        browser.close()


def test_offline_and_no_console_errors(report_page: Any) -> None:
    _, console, requests, url = report_page
    errors = [m for m in console if not hasattr(m, "type") or m.type == "error"]
    assert errors == []
    assert requests == [url]


def test_svg_charts_are_drawn(report_page: Any) -> None:
    page = report_page[0]
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    svgs = page.locator("figure.chart svg")
    # fixture: 2 distributions + 1 series + 1 curve + the missing-values chart
    assert svgs.count() == 5
    for i in range(svgs.count()):
        box = svgs.nth(i).bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 50


def test_click_header_sorts_rows(report_page: Any) -> None:
    page = report_page[0]
    # Results open on demand: a closed card's table is not laid out (no text to read).
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    card = page.locator("#check-6")  # quality.required_columns: table with a numeric 'rank'
    table = card.locator("table.sortable").last
    header = table.locator("thead th", has_text="rank")

    def column(i: int) -> list[str]:
        cells = table.locator(f"tbody tr td:nth-child({i})")
        return [cells.nth(k).inner_text() for k in range(cells.count())]

    assert column(2) == ["3", "10", "2"]
    header.click()
    assert column(2) == ["2", "3", "10"]  # numeric, not lexicographic
    assert column(1) == ["mid", "zeta", "alpha"]
    header.click()
    assert column(2) == ["10", "3", "2"]
    table.locator("thead th", has_text="column").click()
    assert column(1) == ["alpha", "mid", "zeta"]


def test_screenshot(report_page: Any) -> None:
    page = report_page[0]
    page.screenshot(path="/tmp/report.png", full_page=True)
    assert Path("/tmp/report.png").stat().st_size > 10_000
