"""The drift section in headless Chromium: the summary on top, drifted columns' charts shown,
the quiet columns' charts folded away until asked for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.browser._chromium import ARGS, chromium, report_fixtures

from mlaudit.report._html import render_html

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def drift_page(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from playwright import sync_api

    fixtures = report_fixtures()
    out = tmp_path_factory.mktemp("html") / "report.html"
    out.write_text(render_html(fixtures.make_drift_result()), encoding="utf-8")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[Any] = []
        page.on("pageerror", lambda e: errors.append(e))
        page.on("console", lambda m: errors.append(m) if m.type == "error" else None)
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        yield page, errors, fixtures.DRIFT_PASSING
        browser.close()


def _card(page: Any, column: str, check_id: str = "drift.univariate") -> Any:
    col = page.locator("code.col", has_text=re.compile(f"^{re.escape(column)}$"))
    group = page.locator("div.group").filter(
        has=page.locator("code.card-id", has_text=re.compile(f"^{re.escape(check_id)}$"))
    )
    return group.locator("details.card").filter(has=col)


def test_summary_appears_first_in_the_drift_section(drift_page: Any) -> None:
    page, errors, _ = drift_page
    box = page.locator("#family-drift .what-changed")
    assert box.is_visible()
    assert box.locator("h3").inner_text() == "What changed"
    lines = box.locator("li")
    assert lines.count() == 3
    assert lines.nth(0).inner_text().startswith("2 of 6 compared columns drifted")
    first_card = page.locator("#family-drift details.card").first
    assert box.bounding_box()["y"] < first_card.bounding_box()["y"]
    assert errors == []


def test_drifted_columns_charts_open_on_demand(drift_page: Any) -> None:
    page = drift_page[0]
    for column in ("income", "channel", "balance"):
        card = _card(page, column)
        assert card.count() == 1
        assert card.evaluate("d => d.open") is False
        svg = card.locator("figure.chart svg")
        assert svg.count() == 1
        assert not svg.is_visible(), column
        card.locator("summary").first.click()
        assert card.locator("p.message").is_visible()
        assert svg.is_visible(), column
        box = svg.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50


def test_passing_columns_sit_in_a_closed_fold(drift_page: Any) -> None:
    page, _, passing = drift_page
    fold = page.locator("#family-drift-quiet")
    assert fold.evaluate("d => d.open") is False
    for column in passing:
        card = _card(page, column)
        assert card.count() == 1
        assert card.evaluate("d => d.closest('details.quiet') !== null") is True
        assert not card.locator("svg").is_visible()
    fold.locator("summary").first.click()
    card = _card(page, passing[0])
    assert card.locator("summary").first.is_visible()
    assert not card.locator("svg").is_visible()
    card.locator("summary").first.click()
    assert card.locator("svg").is_visible()
    assert card.locator("svg").bounding_box()["width"] > 100


def test_over_time_results_folded_without_alerts(drift_page: Any) -> None:
    page = drift_page[0]
    alerting = _card(page, "income", "drift.over_time")
    quiet = _card(page, "age", "drift.over_time")
    assert alerting.evaluate("d => d.closest('details.quiet')") is None
    assert quiet.evaluate("d => d.closest('details.quiet') !== null") is True
