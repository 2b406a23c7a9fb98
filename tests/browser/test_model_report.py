"""A model audit's report in headless Chromium: curves, matrices and tables hold the right data.

One binary audit with a fitted scikit-learn model, a LightGBM challenger and a planted weak
segment; the figures on the page are read back and compared with scikit-learn's on the same
rows (ROC AUC, the confusion matrix), and each chart's drawn points with its detail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl
import pytest
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import confusion_matrix, roc_auc_score
from tests.browser._chromium import ARGS, chromium

from mlaudit import Audit
from mlaudit.report import write_reports
from mlaudit.results import AuditResult, CheckResult, CurveDetail, TableDetail

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FEATURES = ["x1", "x2", "x3", "region"]


def _frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=(3, n))
    region = rng.integers(0, 5, n).astype(float)
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * x1 - x2 + 0.5 * x3)))).astype(int)
    y = np.where((region == 3) & (rng.random(n) < 0.45), 1 - y, y)  # the weak segment
    ids = np.arange(seed * 100_000, seed * 100_000 + n)
    return pl.DataFrame({"id": ids, "email": [f"person{i}@example.org" for i in ids],
                         "x1": x1, "x2": x2, "x3": x3, "region": region, "y": y})  # fmt: skip


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path, pl.DataFrame, Any]:
    from playwright import sync_api

    train, ref, cur = _frame(3000, 1), _frame(2000, 2), _frame(2000, 3)
    x, y = train.select(FEATURES).to_pandas(), train["y"].to_numpy()
    model = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(x, y)
    challenger = lgb.LGBMClassifier(n_estimators=30, verbose=-1, random_state=0).fit(x, y)
    result = Audit(
        cur, reference=ref, schema={"target": "y", "id": ["id"], "personal": ["email"]},
        model=model, challenger=challenger,
        checks={"performance.benchmark": {"time_budget": 3, "max_trials": 3},
                "operations.latency": {"time_budget": 0.5, "batch_sizes": [1, 100, 1000]},
                "explain.reason_codes": {"shown": 5}},
    ).run()  # fmt: skip
    out = tmp_path_factory.mktemp("model-report")
    write_reports(result, out, ["html", "md"])
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "report.html").as_uri())
        page.wait_for_load_state("load")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert requests == [(out / "report.html").as_uri()]  # nothing fetched: offline
        yield page, out, cur, (result, model)
        browser.close()


def _check(result: AuditResult, check_id: str) -> tuple[str, CheckResult]:
    (i, found), *_ = [(i, c) for i, c in enumerate(result.checks) if c.id == check_id]
    return f"#check-{i}", found


def _detail(check: CheckResult, name: str) -> Any:
    return next(d for d in check.details if d.name == name)


def test_metric_table_shows_sklearn_auc_with_interval_and_change(audit: Any) -> None:
    page, _, cur, (result, model) = audit
    anchor, check = _check(result, "performance.metrics")
    x = cur.select(FEATURES).to_pandas()
    auc = roc_auc_score(cur["y"].to_numpy(), model.predict_proba(x)[:, 1])
    table = page.locator(f"{anchor} div.detail-table", has_text="Metrics with confidence").first
    heads = table.locator("thead th").all_inner_texts()
    assert [h.rstrip(" ↕") for h in heads] == [
        "metric", "current", "low", "high", "reference", "reference_low", "reference_high",
        "change", "interval",
    ]  # fmt: skip
    row = table.locator("tbody tr", has=page.locator("td", has_text="roc_auc")).first
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "roc_auc"
    assert cells[1] == f"{auc:.4g}"
    low, high = float(cells[2]), float(cells[3])
    assert low < auc < high
    reference = check.metrics["reference_roc_auc"]
    assert isinstance(reference, float)
    assert float(cells[7]) == pytest.approx(auc - reference, rel=1e-3)
    assert cells[8] == "DeLong"


def test_roc_chart_draws_every_point_of_both_curves_and_the_diagonal(audit: Any) -> None:
    page, _, _, (result, _) = audit
    anchor, check = _check(result, "performance.metrics")
    roc: CurveDetail = _detail(check, "roc_curve")
    svg = page.locator(f'{anchor} figure.chart svg[aria-label="ROC curve"]')
    for name in ("reference", "current"):
        points = svg.locator(f'polyline[data-curve="{name}"]').get_attribute("points")
        assert points is not None
        assert len(points.split()) == len(roc.curves[name]["x"])
    assert svg.locator("line.diagonal").count() == 1
    box = svg.bounding_box()
    assert box is not None and box["width"] > 250 and box["height"] > 250


def test_confusion_matrix_equals_sklearn(audit: Any) -> None:
    page, _, cur, (result, model) = audit
    anchor, _ = _check(result, "performance.metrics")
    predicted = model.predict(cur.select(FEATURES).to_pandas())
    expected = confusion_matrix(cur["y"].to_numpy(), predicted)
    matrix = page.locator(f"{anchor} table.matrix").first
    assert matrix.locator("tbody th").all_inner_texts() == ["negative", "positive"]
    counts = [
        [int(c) for c in row.locator("span.count").all_inner_texts()]
        for row in matrix.locator("tbody tr").all()
    ]
    assert counts == expected.tolist()
    shares = matrix.locator("tbody tr").first.locator("span.share").all_inner_texts()
    assert shares[0] == f"({expected[0, 0] / expected[0].sum():.1%})"


def test_reliability_latency_and_pruning_charts(audit: Any) -> None:
    page, _, _, (result, _) = audit
    anchor, check = _check(result, "performance.calibration")
    svg = page.locator(f"{anchor} figure.chart svg").first
    assert svg.locator("line.diagonal").count() == 1
    model = _detail(check, "reliability_diagram").curves["model"]
    assert svg.locator("circle:has(title)").count() == len(model["x"])  # not the legend's
    anchor, check = _check(result, "operations.latency")
    svg = page.locator(f"{anchor} figure.chart svg").first
    assert svg.locator("polyline").count() == 2  # p50 and p99
    ticks = svg.locator("text").all_text_contents()
    assert {"1", "10", "100", "1,000"} <= set(ticks)  # a log axis over the batch sizes
    anchor, check = _check(result, "operations.pruning")
    table: TableDetail = _detail(check, "Quality and speed by trees kept")
    points = page.locator(f"{anchor} figure.chart svg polyline").get_attribute("points")
    assert points is not None and len(points.split()) == len(table.rows)


def test_tables_of_challenger_benchmark_and_weak_segments(audit: Any) -> None:
    page, out, _, (result, _) = audit
    anchor, _ = _check(result, "performance.challenger")
    assert page.locator(f"{anchor} table.matrix").count() == 1  # audited \ challenger
    assert page.locator(f"{anchor} table.sortable td", has_text="challenger").count() >= 1
    anchor, _ = _check(result, "performance.benchmark")
    models = page.locator(f"{anchor} table.sortable tbody tr td:first-child").all_inner_texts()
    assert "dummy (class prior)" in models and "audited model" in models
    anchor, check = _check(result, "performance.weak_segments")
    rule = page.locator(f"{anchor} table.sortable tbody tr td:first-child").first
    assert rule.inner_text() == _detail(check, "weak_segments").rows[0][0]
    assert "region = 3" in rule.inner_text()
    box = rule.bounding_box()
    assert box is not None and box["height"] < 30  # one line
    # no personal value anywhere: not in the page, not in the Markdown
    html = page.content() + (out / "report.md").read_text(encoding="utf-8")
    assert "@example.org" not in html
    assert "person3" not in html


def test_reason_codes_table_lists_the_models_declines_and_the_bars_are_drawn(audit: Any) -> None:
    """The sample's rows are the first rows scikit-learn's predict declines (0; 1 favourable),
    each reason names a feature with the row's value; the bars count the reasons cited."""
    page, _, cur, (result, model) = audit
    anchor, check = _check(result, "explain.reason_codes")
    declined = np.flatnonzero(model.predict(cur.select(FEATURES).to_pandas()) == 0)
    assert check.metrics["unfavourable"] == declined.size
    table = page.locator(f"{anchor} div.detail-table", has_text="unfavourable decisions").first
    rows = table.locator("tbody tr").all()
    assert [int(r.locator("td").first.inner_text()) for r in rows] == declined[:5].tolist()
    first = rows[0].locator("td").all_inner_texts()
    feature, value = first[2].split(" raised ")[0].split(" = ")
    assert feature in FEATURES
    assert value == f"{cur[feature][int(declined[0])]:.4g}"
    cited: TableDetail = _detail(check, "Reasons by feature")
    bars = page.locator(
        f'{anchor} figure.chart svg[aria-label="{_detail(check, "Reasons cited").title}"]'
    )
    assert bars.count() == 1
    box = bars.bounding_box()
    assert box is not None and box["width"] > 250
    assert len(cited.rows) >= 1 and all(r[1] <= declined.size for r in cited.rows)


def test_importance_bars_have_a_bar_and_a_whisker_per_feature(audit: Any) -> None:
    page, _, _, (result, _) = audit
    anchor, check = _check(result, "explain.permutation_importance")
    bars = _detail(check, "Importance chart")
    svg = page.locator(f'{anchor} figure.chart svg[aria-label="{bars.title}"]')
    assert svg.locator("rect.bar").count() == len(bars.labels)
    tips = svg.locator("rect.bar title").all_text_contents()
    assert tips[0] == f"{bars.labels[0]}, importance: {bars.series['importance'][0]:.4g}"
    whiskers = sum(lo is not None for lo in bars.lower["importance"])
    assert svg.locator("line.interval").count() == whiskers > 0
    box = svg.bounding_box()
    assert box is not None and box["height"] > 20 * len(bars.labels)
