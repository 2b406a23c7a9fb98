from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from mlaudit.report._html import missing_shares, render_html, render_notebook
from mlaudit.results import AuditResult

from .conftest import EVIL, MISSING, make_result


class _Tags(HTMLParser):
    """Collects start tags with their attributes (an independent HTML parser)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(html)
    return p.tags


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(make_result())


def test_everything_is_escaped(page: str) -> None:
    assert EVIL not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>not bold</b>" not in page
    assert page.count("<script") == 1  # our own inline script only
    assert "&lt;c&gt;" in page  # category name inside the SVG chart is escaped too


def test_self_contained_no_external_urls(page: str) -> None:
    assert not re.search(r"https?:|//[a-z]|@import|<link|<img|<iframe", page)
    for tag, attrs in _tags(page):
        assert "src" not in attrs, tag
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href


def test_summary_first_then_families_quality_first(page: str) -> None:
    pos = [page.index(f'id="{s}"') for s in ("summary", "inputs", "data-overview")]
    fam = [page.index(f'id="family-{f}"') for f in ("quality", "drift", "performance", "custom")]
    assert pos == sorted(pos)
    assert pos[-1] < fam[0]
    assert fam == sorted(fam)
    assert ">Custom <span" in page  # unknown family gets a generic section


def test_findings_link_to_cards_and_cards_start_closed(page: str) -> None:
    tags = _tags(page)
    ids = {a["id"] for _, a in tags if a.get("id")}
    links = [a["href"] for t, a in tags if t == "a" and (a.get("href") or "").startswith("#check")]
    # hand count: 1 error + 4 fail + 2 warn results in the fixture
    assert len(links) == 7
    assert all(h[1:] in ids for h in links)
    cards = {a["id"]: a for t, a in tags if t == "details" and "card" in (a.get("class") or "")}
    assert len(cards) == 13
    # every card opens on demand; the passes and skips sit in one closed <details> per family
    assert not any("open" in card for card in cards.values())
    quality = page[page.index('<section id="family-quality"') :]
    quality = quality[: quality.index("</section>")]
    quiet = quality[quality.index('id="family-quality-quiet"') :]
    # hand count from the fixture: 3 quality results pass, none is skipped
    assert re.findall(r'class="card status-(\w+)', quiet) == ["pass", "pass", "pass"]


def test_metrics_bounds_and_approx(page: str) -> None:
    assert "0.3 ± 0.02 (approx.)" in page  # [0.28, 0.32] around 0.3, sketch bound
    assert "0.31 ± 0.06 (95% CI)" in page  # [0.25, 0.37] around 0.31
    assert "psi: warn above 0.1, fail above 0.25" in page
    assert "roc_auc_score: warn below 0.75, fail below 0.7" in page
    assert ">NaN<" in page
    assert "∞ (approx.)" in page


def test_examples_note_masked_columns(page: str) -> None:
    assert "masked columns: <code>email</code>" in page
    assert page.count('class="masked"') == 1 + 2  # the email header and its two cells


def test_data_overview(page: str) -> None:
    assert page.count('class="pill personal"') == 2  # email, in both inputs
    assert missing_shares(make_result()) == list(MISSING.items())
    assert "25.00%" in page  # income's missing share in the table


def test_charts_present_and_optional(page: str) -> None:
    # 2 distributions, 1 series, 1 curve, the missing-values chart
    assert page.count("<svg") == 5
    plain = render_html(make_result(), charts=False)
    assert "<svg" not in plain
    assert len(plain) < len(page)


def test_deterministic(page: str) -> None:
    assert render_html(make_result()) == page


def test_notebook_fragment(result: AuditResult) -> None:
    frag = render_notebook(result)
    assert frag.startswith('<div class="mlaudit-nb">')
    assert "<script" not in frag
    assert EVIL not in frag
    assert "ERROR" in frag
    assert frag.count("<tr>") == 1 + 7  # header + the 7 findings


def test_hundred_columns_under_5_mb(wide_result: AuditResult) -> None:
    start = time.perf_counter()
    page = render_html(wide_result)
    elapsed = time.perf_counter() - start
    assert len(page.encode("utf-8")) < 5 * 1024 * 1024
    assert page.count("<svg") == 100 + 2 + 1 + 1 + 1  # 100 histograms + fixture charts
    assert elapsed < 60


def test_within_a_family_problems_come_first(result: AuditResult) -> None:
    html = render_html(result, charts=False)
    quality = html[html.index('<section id="family-quality"') :]
    quality = quality[: quality.index("</section>")]
    order = {"error": 0, "fail": 1, "warn": 2, "pass": 3, "skipped": 4}
    statuses = re.findall(r'class="card status-(\w+)', quality)
    assert statuses, "no cards found"
    # what needs attention before the passes and skips; within a check, worst first
    loud = [s for s in statuses if order[s] < 3]
    assert statuses[: len(loud)] == loud
    for group in quality.split('<div class="group"')[1:]:
        found = re.findall(r'class="card status-(\w+)', group)
        assert found == sorted(found, key=order.__getitem__)
