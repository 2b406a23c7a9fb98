"""Leading and trailing whitespace stays visible in the rendered HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from tests.browser._chromium import ARGS, chromium

from mlaudit import Audit
from mlaudit.report._html import render_html

pytestmark = pytest.mark.browser


def _rendered_cells(out: Path) -> tuple[list[str], list[str]]:
    from playwright import sync_api

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(out.as_uri())
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        cells = page.locator(".detail-table td")
        texts = [cells.nth(i).inner_text() for i in range(cells.count())]
        messages = page.locator("p.message")
        said = [messages.nth(i).inner_text() for i in range(messages.count())]
        browser.close()
    return texts, said


def test_padded_values_show_their_spaces(tmp_path: Path) -> None:
    df = pl.DataFrame(
        {
            "sex": ["Male"] * 40 + ["  Male"] * 3 + ["Female\t"] * 2 + ["Female"] * 35,
            "years": ["1", "2"] * 39 + [" ?"] * 2,
        }
    )
    checks: dict[str, dict[str, Any]] = {"quality.padding": {}, "quality.mixed_types": {}}
    result = Audit(df, suite="none", checks=checks).run()
    out = tmp_path / "report.html"
    out.write_text(render_html(result), encoding="utf-8")
    cells, messages = _rendered_cells(out)
    # Two spaces, quoted: neither trimmed nor collapsed into one.
    assert "'  Male'" in cells
    assert "'Female\\t'" in cells
    # A raw value of another check's table (mixed_types keeps the value as read) is quoted too.
    assert "' ?'" in cells
    assert any("'  Male' and 'Male'" in m for m in messages)
