"""The drift section of the HTML report and the inconclusive status in every renderer."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from mlaudit.report._html import render_html, render_notebook
from mlaudit.report._junit import render_junit
from mlaudit.results import AuditResult, Status

from .conftest import DRIFT_PASSING, make_drift_result


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(make_drift_result())


def _section(page: str, family: str) -> str:
    start = page.index(f'<section id="family-{family}"')
    return page[start : page.index("</section>", start)]


def _cards(section: str) -> list[tuple[str, str, str]]:
    """(status, column, card html) per card, in page order; the html starts with the check id."""
    out = []
    for group in re.split(r'(?=<div class="group")', section)[1:]:
        check = re.search(r'<code class="card-id">([^<]*)</code>', group)
        assert check is not None
        for part in re.split(r'(?=<details class="card )', group)[1:]:
            status = re.match(r'<details class="card status-(\w+)', part)
            column = re.search(r'<code class="col">([^<]*)</code>', part)
            assert status is not None
            out.append((status.group(1), column.group(1) if column else "", check.group(1) + part))
    return out


def test_what_changed_opens_the_drift_section(page: str) -> None:
    drift = _section(page, "drift")
    box = drift.index('<div class="what-changed"')
    assert box < drift.index('<details class="card ')
    items = re.findall(r"<li>(.*?)</li>", drift[box : drift.index("</div>", box)])
    # hand: 6 columns compared; income (fail, effect 2.0) and channel (warn, 0.2) drifted
    assert items[0] == (
        "2 of 6 compared columns drifted, most severe first: income: distribution shifted by "
        "2 standard deviations; channel: distribution shifted by 0.2 standard deviations."
    )
    assert items[1].startswith("1 column is inconclusive") and items[1].endswith("balance.")
    assert items[2] == (
        "Over time, 1 of 2 columns drifted in at least one window, first: income in 2025-W28."
    )


def test_drift_cards_by_severity_then_effect(page: str) -> None:
    uni = [
        (s, c)
        for s, c, html in _cards(_section(page, "drift"))
        if html.startswith("drift.univariate")
    ]
    assert uni == [
        ("fail", "income"), ("warn", "channel"), ("inconclusive", "balance"),
        ("pass", "tenure"), ("pass", "age"), ("pass", "region"),  # effects 0.05, 0.02, 0.01
    ]  # fmt: skip


def test_charts_inside_closed_cards_passes_folded(page: str) -> None:
    drift = _section(page, "drift")
    cards = _cards(drift)
    for _, column, html in cards:
        if column:
            assert html.count("<svg ") >= 1, column  # the chart is in the card, shown on opening
            assert " open" not in html.split("\n", 1)[0], column
    quiet = drift[drift.index('id="family-drift-quiet"') :]
    assert all(s in ("pass", "skipped") for s, _, _ in _cards(quiet))
    quiet = {c for s, c, _ in cards if s == "pass" and c}
    assert set(DRIFT_PASSING) <= quiet


def test_inconclusive_is_shown_as_its_own_status(page: str) -> None:
    assert '<div class="tile status-inconclusive"><span class="tile-n">1</span>' in page
    assert '<span class="badge status-inconclusive">inconclusive</span>' in page
    summary = page[page.index('id="summary"') : page.index('id="inputs"')]
    assert "balance" in summary  # listed among the findings that need attention
    css = page[page.index("<style>") : page.index("</style>")]
    assert ".status-inconclusive.badge" in css


def _with_inconclusive() -> AuditResult:
    r = make_drift_result()
    checks = [c for c in r.checks if c.column == "balance" and c.id == "drift.univariate"]
    return r.model_copy(update={"checks": checks, "summary": AuditResult.summarise(checks)})


def test_junit_inconclusive_passes_with_a_note() -> None:
    root = ET.fromstring(render_junit(_with_inconclusive()).encode("utf-8"))
    (case,) = root.findall(".//testcase")
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert root.get("skipped") == "0"
    assert case.find("failure") is None and case.find("skipped") is None
    out = case.find("system-out")
    assert out is not None and (out.text or "").startswith("INCONCLUSIVE: balance: inconclusive")


def test_notebook_lists_inconclusive() -> None:
    r = _with_inconclusive()
    assert r.summary.status is Status.INCONCLUSIVE
    frag = render_notebook(r)
    assert '<span class="mlaudit-nb-badge mlaudit-nb-inconclusive">INCONCLUSIVE</span>' in frag
    assert '<span class="mlaudit-nb-badge mlaudit-nb-inconclusive">inconclusive</span>' in frag
