"""A demo-sized report in headless Chromium: short to read, details and charts on demand."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser._chromium import ARGS, chromium, report_fixtures

from mlaudit.report._html import render_html
from mlaudit.results import AuditResult, Status

pytestmark = pytest.mark.browser

EVEN = tuple("02468")


def _demo_sized() -> AuditResult:
    """Larger than the demo: 207 results, 139 needing attention, 100 drift charts."""
    wide = report_fixtures().wide_result.__wrapped__()  # the fixture function itself
    checks = [
        c.model_copy(update={"status": Status.WARN, "message": f"{c.column} drifted; " * 20})
        if c.id == "drift.univariate" and c.column is not None and c.column.endswith(EVEN)
        else c
        for c in wide.checks
    ]
    return wide.model_copy(update={"checks": checks, "summary": AuditResult.summarise(checks)})


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from playwright import sync_api

    out = tmp_path_factory.mktemp("layout") / "report.html"
    out.write_text(render_html(_demo_sized()), encoding="utf-8")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        yield page
        browser.close()


def test_demo_sized_report_is_short(demo_page: Any) -> None:
    """Below 6,000 px fixed + 120 px per result needing attention, nothing per passing result.

    Fixed: the masthead, tiles and inputs (about 700 px), the first input's column table open
    (104 rows of about 30 px: 3,100 px), the missing-values chart (1,500 px for 104 bars): about
    5,300 px.  Each result needing attention takes one findings-table row (at most three lines
    of the one-line finding, 200 characters: about 75 px) and one closed card (two lines: about
    45 px).  Passing results sit in one closed <details> per family.  With open cards, the 51
    drifted columns' charts alone (330 px each) would take 16,800 px.
    """
    height = demo_page.evaluate("document.body.scrollHeight")
    loud = len(demo_page.locator("table.findings tbody tr").all())
    assert loud == 139  # 1 error + 30 fail + 108 warn
    assert height < 6_000 + 120 * loud
    assert demo_page.locator("details.card[open]").count() == 0


def test_opening_a_card_shows_its_chart(demo_page: Any) -> None:
    card = demo_page.locator("details.card.status-warn").filter(has=demo_page.locator("svg")).first
    svg = card.locator("figure.chart svg").first
    assert not svg.is_visible()  # not laid out while the card is closed
    closed = svg.bounding_box()
    assert closed is None or closed["width"] == 0
    card.locator("summary").click()
    box = svg.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100


def test_finding_link_opens_its_card(demo_page: Any) -> None:
    link = demo_page.locator("table.findings a").first
    target = link.get_attribute("href")
    link.click()
    assert demo_page.locator(f"details{target}").get_attribute("open") is not None


def test_severity_header_sorts_by_rank_not_alphabetically(demo_page: Any) -> None:
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}  # worst first
    table = demo_page.locator("table.findings")
    header = table.locator("thead th", has_text="Severity")

    def severities() -> list[str]:
        cells = table.locator("tbody tr td:nth-child(2)")
        return [cells.nth(k).inner_text().strip().lower() for k in range(cells.count())]

    assert len(set(severities())) >= 2  # the order can only be seen with two severities
    header.click()
    asc = severities()
    assert asc == sorted(asc, key=rank.__getitem__)
    assert asc != sorted(asc)  # alphabetical would put 'high' before 'medium' and 'low' ...
    header.click()
    assert severities() == sorted(asc, key=rank.__getitem__, reverse=True)
