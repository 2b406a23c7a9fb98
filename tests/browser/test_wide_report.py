"""A report of a 2,500-column table in headless Chromium (issue 10, item 3): it loads without a
script error, and its missing-values chart draws the 100 most incomplete columns."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.browser._chromium import ARGS, chromium, report_fixtures

from mlaudit.report._chartdata import MAX_CHART_COLUMNS
from mlaudit.report._html import render_html

pytestmark = pytest.mark.browser

COLUMN = {"dtype": "double", "type": "numeric", "role": "feature", "personal": False,
          "inferred": True, "reason": "floats"}  # fmt: skip


def test_wide_report_loads_and_draws_a_bounded_chart(tmp_path: Path) -> None:
    from playwright import sync_api

    names = [f"c{i}" for i in range(2_500)]
    result = report_fixtures().make_result(dict.fromkeys(names, COLUMN))
    out = tmp_path / "report.html"
    out.write_text(render_html(result), encoding="utf-8")
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        start = time.perf_counter()
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        seconds = time.perf_counter() - start
        labels = page.eval_on_selector_all(
            "svg[aria-label^='Missing values'] text",
            "els => els.map(e => e.textContent).filter(t => /^c\\d+$/.test(t))",
        )
        browser.close()
    assert errors == []
    # by hand: shares (i % 7) / 20, largest (30%) at c6, c13, c20, ...
    assert labels == [f"c{i}" for i in range(6, 2_500, 7)][:MAX_CHART_COLUMNS]
    assert seconds < 30, seconds
