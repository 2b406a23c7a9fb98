"""`mlaudit demo` end to end through the installed entry point: every planted quality defect
is found with the exact count an independent polars computation gives, and the HTML report
works in a real headless Chromium (no console errors, no network requests, charts drawn)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo")
    proc = subprocess.run(
        [sys.executable, "-m", "mlaudit", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    truth = json.loads((out / "data" / "ground_truth.json").read_text(encoding="utf-8"))
    current = pl.read_parquet(out / "data" / "current.parquet")
    return {"out": out, "report": report, "truth": truth, "current": current, "stdout": proc.stdout}


def result(report: dict[str, Any], check_id: str, column: str | None) -> dict[str, Any]:
    found = [c for c in report["checks"] if c["id"] == check_id and c["column"] == column]
    assert len(found) == 1, (
        check_id,
        column,
        [c["column"] for c in report["checks"] if c["id"] == check_id],
    )
    return found[0]


def test_demo_writes_every_report_and_prints_a_summary(demo: dict[str, Any]) -> None:
    folder = demo["out"] / "report"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [
        *(".mlaudit.lock", "report.html", "report.json", "report.junit.xml", "report.md"),
        "report.sha256",
    ]
    digests = subprocess.run(["sha256sum", "-c", "report.sha256"], cwd=folder, capture_output=True)
    assert digests.returncode == 0, digests.stdout
    assert "Audit FAIL" in demo["stdout"]
    assert demo["report"]["summary"]["status"] == "fail"
    assert {i["name"] for i in demo["report"]["inputs"]} == {"reference", "current"}


def test_missing_values_match_polars(demo: dict[str, Any]) -> None:
    cur = demo["current"]
    for col in ("income", "years_employed"):
        r = result(demo["report"], "quality.completeness", col)
        assert r["metrics"]["missing"] == cur[col].null_count()
    assert result(demo["report"], "quality.completeness", "income")["status"] == "warn"


def test_duplicates_match_polars(demo: dict[str, Any]) -> None:
    cur = demo["current"]
    dup_rows = cur.height - cur.unique().height
    r = result(demo["report"], "quality.duplicate_rows", None)
    assert r["metrics"]["duplicate_rows"] == dup_rows == 40
    key = result(demo["report"], "quality.duplicate_keys", "application_id")
    assert key["status"] == "fail"
    ids = cur["application_id"].drop_nulls()
    repeats = ids.len() - ids.n_unique()  # rows whose id an earlier row already has
    truth = next(
        i for i in demo["truth"]["issues"] if i["expected_check"] == "quality.duplicate_keys"
    )
    assert key["metrics"]["duplicate_keys"] == repeats == truth["expected"]["duplicated_ids"]
    assert key["metrics"]["duplicate_key_share"] == pytest.approx(repeats / cur.height)
    assert key["metrics"]["rows"] == cur.height


def test_padded_spellings_match_polars(demo: dict[str, Any]) -> None:
    status = demo["current"]["employment_status"].drop_nulls()
    leading = int(status.str.starts_with(" ").sum())
    trailing = int(status.str.ends_with(" ").sum())
    r = result(demo["report"], "quality.padding", "employment_status")
    assert r["status"] == "warn"
    assert (r["metrics"]["leading"], r["metrics"]["trailing"]) == (leading, trailing) == (50, 50)
    assert "' employed' and 'employed'" in r["message"]
    assert "quality.inconsistent_categories" in r["message"]


def test_ranges_and_rules_match_polars(demo: dict[str, Any]) -> None:
    cur, rep = demo["current"], demo["report"]
    outside = cur.filter((pl.col("age") < 18) | (pl.col("age") > 100)).height
    assert result(rep, "quality.value_range", "age")["metrics"]["outside"] == outside == 10
    rule = next(i for i in demo["truth"]["issues"] if i["expected_check"] == "quality.rules")
    broken = cur.filter(~pl.sql_expr(rule["rule"]).fill_null(True)).height
    rules = [c for c in rep["checks"] if c["id"] == "quality.rules"]
    assert rules[0]["status"] == "fail" and rules[0]["metrics"]["violations"] == broken


def test_spellings_and_mixed_types_match_polars(demo: dict[str, Any]) -> None:
    cur, rep = demo["current"], demo["report"]
    issues = {i["id"]: i for i in demo["truth"]["issues"]}
    emp = result(rep, "quality.inconsistent_categories", "employment_status")
    status = cur["employment_status"].drop_nulls()
    clean = ["employed", "self-employed", "unemployed", "retired", "student"]
    minority = status.filter(~status.is_in(clean)).len()  # the planted respellings
    planted = issues["quality.inconsistent_categories.employment_status"]
    assert emp["status"] == "warn"  # 2% of rows: above 0, under the 5% failure limit
    assert emp["metrics"]["minority_spelling_rows"] == minority == planted["count"]
    assert emp["metrics"]["minority_spelling_share"] == pytest.approx(minority / status.len())
    assert emp["metrics"]["inconsistent_groups"] == 1  # only 'employed' was respelled
    assert emp["metrics"]["categories"] == status.n_unique()
    mixed = result(rep, "quality.mixed_types", "years_at_address")
    values = cur["years_at_address"].drop_nulls()
    values = values.filter(values.str.strip_chars() != "")  # blanks are missing, not text
    not_numeric = values.cast(pl.Float64, strict=False).is_null().sum()
    planted = issues["quality.mixed_types.years_at_address"]
    assert mixed["status"] == "warn"
    assert mixed["metrics"]["non_numeric_values"] == not_numeric == planted["count"]
    assert mixed["metrics"]["values"] == values.len()
    assert mixed["metrics"]["numeric_values"] == values.len() - not_numeric
    assert mixed["metrics"]["non_numeric_share"] == pytest.approx(not_numeric / values.len())
    # The same placeholders are missing values in disguise ('unknown', 'n/a'), new since the
    # reference: counted by polars over the whole column, nulls included in the rows.
    disguised = result(rep, "quality.disguised_missing", "years_at_address")
    markers = values.str.strip_chars().str.to_lowercase().is_in(["unknown", "n/a"]).sum()
    assert disguised["status"] == "warn"
    assert disguised["metrics"]["disguised"] == markers == planted["count"]
    assert disguised["metrics"]["disguised_share"] == pytest.approx(markers / cur.height)


def test_constant_outliers_and_anomalies_point_at_planted_rows(demo: dict[str, Any]) -> None:
    rep, issues = demo["report"], {i["id"]: i for i in demo["truth"]["issues"]}
    assert result(rep, "quality.constant", "currency")["status"] == "warn"
    assert result(rep, "quality.constant", "product_type")["status"] == "warn"
    personal = set(demo["truth"]["personal_columns"])
    assert not [
        c for c in rep["checks"] if c["id"] == "quality.cardinality" and c["column"] in personal
    ]  # personal columns are the privacy family's
    income = result(rep, "quality.outliers", "income")
    extremes = next(d for d in income["details"] if d["kind"] == "examples")
    assert {row[0] for row in extremes["rows"]} <= set(issues["quality.outliers.income"]["rows"])
    anomalies = result(rep, "quality.row_anomalies", None)
    top = next(d for d in anomalies["details"] if d["kind"] == "examples")
    planted = set(issues["quality.row_anomalies.cluster"]["rows"])
    assert sum(row[0] in planted for row in top["rows"]) >= 8
    assert set(top["masked_columns"]) >= {"full_name", "email"}
    names = top["columns"].index("full_name")
    real = set(demo["current"]["full_name"].to_list())
    assert not any(row[names] in real for row in top["rows"])  # personal data masked


def test_planted_drift_is_found(demo: dict[str, Any]) -> None:
    rep = demo["report"]
    drift = {i["id"]: i for i in demo["truth"]["issues"] if i["kind"] == "drift"}
    for issue in drift.values():
        if issue["expected_check"] != "drift.univariate":
            continue
        r = result(rep, "drift.univariate", issue["columns"][0])
        assert r["status"] in ("warn", "fail"), (issue["id"], r["message"])
    # Columns the generator left alone stay quiet (Benjamini-Hochberg and the effect floor).
    for col in ("age", "loan_term_months", "credit_history_months", "home_ownership"):
        assert result(rep, "drift.univariate", col)["status"] == "pass", col
    # A change only in the correlation of two columns: the domain classifier sees drift.
    multi = result(rep, "drift.multivariate", None)
    assert multi["status"] in ("warn", "fail") and multi["metrics"]["auc_low"] > 0.55
    assert result(rep, "drift.dataset", None)["status"] in ("warn", "fail")


def test_changed_correlation_is_listed_by_the_pair_check(demo: dict[str, Any]) -> None:
    issue = next(
        i for i in demo["truth"]["issues"] if i["expected_check"] == "quality.feature_correlation"
    )
    r = result(demo["report"], "quality.feature_correlation", None)
    assert r["status"] == "warn" and r["metrics"]["changed_pairs"] >= 1
    table = next(d for d in r["details"] if d["name"] == "changed_pairs")
    row = next(row for row in table["rows"] if tuple(row[:2]) == tuple(issue["columns"]))
    assert row[2] == pytest.approx(issue["expected"]["pearson_reference"], abs=1e-4)
    assert row[3] == pytest.approx(issue["expected"]["pearson_current"], abs=1e-4)


def test_planted_changes_over_time(demo: dict[str, Any]) -> None:
    """Weekly windows: planted drift shows from the first week; the concept drift is caught."""
    rep = demo["report"]
    for col in ("income", "channel"):  # planted for the whole current period
        r = result(rep, "drift.over_time", col)
        assert r["status"] in ("warn", "fail") and r["metrics"]["windows_alerting"] >= 12, col
    for col in ("age", "loan_term_months", "home_ownership"):
        assert result(rep, "drift.over_time", col)["status"] == "pass", col
    concept = next(
        i for i in demo["truth"]["issues"] if i["id"] == "drift.concept.credit_history_months"
    )
    perf = result(rep, "performance.over_time", None)
    # The reference AUC the ground truth measured with scikit-learn on the same rows.
    assert abs(perf["metrics"]["reference_roc_auc"] - concept["expected"]["auc_reference"]) < 1e-9
    assert perf["status"] == "fail" and perf["metrics"]["worst_roc_auc"] < 0.75
    # The estimate without labels cannot see concept drift; the check against reality does.
    est = result(rep, "performance.estimated", None)
    assert "no concept drift" in est["message"]
    assert result(rep, "performance.estimate_vs_actual", None)["status"] == "fail"


def test_report_json_is_deterministic_apart_from_run_id_and_times(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "again"
    shutil.copytree(demo["out"] / "data", out / "data")
    shutil.copytree(demo["out"] / "history", out / "history")
    shutil.copy(demo["out"] / "audit.yaml", out / "audit.yaml")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlaudit",
            "-q",
            "audit",
            str(out / "audit.yaml"),
            "--out",
            str(out / "r"),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    again = json.loads((out / "r" / "report.json").read_text(encoding="utf-8"))
    first = dict(demo["report"])
    for key in ("run_id", "created_at", "finished_at", "inputs"):
        first.pop(key)
        again.pop(key)
    for report in (first, again):  # the data was copied elsewhere: only its paths differ
        report["config"] = {
            k: v
            for k, v in report["config"].items()
            if k not in ("current", "reference", "history")
        }
        report["config"]["output"].pop("dir")  # resolved beside the config, so elsewhere too
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


@pytest.mark.browser
def test_demo_html_report_in_chromium(demo: dict[str, Any]) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.fail("Debian's chromium is not installed; run 'make browser-deps'")
    from playwright.sync_api import sync_playwright

    html = demo["out"] / "report" / "report.html"
    assert html.stat().st_size < 5_000_000
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all(
            "svg", "els => els.map(e => e.getBoundingClientRect().width)"
        )
        title = page.title()
        browser.close()
    assert errors == []
    assert requests == [html.as_uri()]
    assert len(sizes) >= 10 and sum(s > 50 for s in sizes) >= 10
    assert "Credit scoring" in title


def test_national_ids_in_another_format_are_found(demo: dict[str, Any]) -> None:
    issue = next(
        i for i in demo["truth"]["issues"] if i["id"] == "quality.rare_formats.national_id"
    )
    ids = demo["current"]["national_id"]
    spaced = ids.str.contains(r"^[A-Z]{2} [0-9]{3} [0-9]{4}$")  # the oracle: polars regex
    assert int(spaced.sum()) == issue["count"] == 12
    r = result(demo["report"], "quality.rare_formats", "national_id")
    assert r["status"] == "warn"
    assert r["metrics"]["rare_format_values"] == issue["count"]
    assert "'AA 999 9999'" in r["message"]
    assert not any(v in json.dumps(r) for v in ids.filter(spaced).to_list())  # personal: masked


def test_history_finds_the_partial_quarter_and_nothing_unplanned(demo: dict[str, Any]) -> None:
    """quality.metric_history against the demo's eight saved quarters: the rows' robust z by
    hand (same-quarter median, pooled leave-one-out scale), every warning a planted one."""

    from mlaudit.summary import load_baseline

    rep, issues = demo["report"], {i["id"]: i for i in demo["truth"]["issues"]}
    files = sorted((demo["out"] / "history").glob("*.profile"))
    counts = np.array([load_baseline(f).profile.n_rows for f in files], dtype=float)
    assert [f.stem for f in files][::4] == ["2023-Q3", "2024-Q3"]
    residuals = [
        phase[i] - np.median(np.delete(phase, i))
        for phase in (counts[j::4] for j in range(4))
        for i in range(len(phase))
    ]
    scale = 1.4826 * np.median(np.abs(residuals)) * np.sqrt(1 - 1 / 2**2)
    centre = np.median(counts[0::4])
    assert centre == issues["quality.metric_history.rows"]["expected"]["rows_same_quarter_median"]
    rows = result(rep, "quality.metric_history", None)
    assert rows["status"] == "warn" and rows["metrics"]["rows_season"] == 4
    assert rows["metrics"]["rows_robust_z"] == pytest.approx((10_000 - centre) / scale)
    assert any(d["kind"] == "series" for d in rows["details"])
    effects = issues["quality.metric_history.planted_effects"]
    warned = {
        c["column"] for c in rep["checks"] if c["id"] == "quality.metric_history"
        and c["status"] != "pass"
    }  # fmt: skip
    assert warned == {None, *effects["columns"]}
    for key, value in effects["expected"].items():
        column, figure = key.split(".")
        assert result(rep, "quality.metric_history", column)["metrics"][figure] == (
            pytest.approx(value)
        )


def test_miscalibrated_scores_are_found(demo: dict[str, Any]) -> None:
    """The label shift makes the reference-fitted probabilities too high in the current period."""
    issue = next(i for i in demo["truth"]["issues"] if i["id"] == "performance.calibration.score")
    r = result(demo["report"], "performance.calibration", None)
    assert r["status"] in ("warn", "fail"), r["message"]
    assert r["metrics"]["ece"] == pytest.approx(issue["expected"]["ece"], abs=1e-9)
    assert r["metrics"]["mean_predicted"] == pytest.approx(issue["expected"]["mean_predicted"])
    assert r["metrics"]["positive_rate"] == pytest.approx(issue["expected"]["default_rate_current"])
    assert r["metrics"]["hosmer_lemeshow_p_value"] < 1e-6
    assert {d["name"] for d in r["details"]} >= {"reliability_diagram", "brier_decomposition"}
    # The score's population barely moved (PSI far below 0.1): calibration, not stability.
    assert result(demo["report"], "performance.score_stability", None)["status"] == "pass"
    grades = result(demo["report"], "performance.rating_grades", None)
    assert grades["status"] == "skipped" and "schema.grade" in grades["message"]


def test_planted_weak_segment_and_shared_rows_are_found(demo: dict[str, Any]) -> None:
    truth = {i["id"]: i for i in demo["truth"]["issues"]}
    weak = result(demo["report"], "performance.weak_segments", None)
    segment = truth["performance.weak_segment"]
    rows = weak["details"][0]["rows"]
    assert weak["status"] == "fail"
    # the policy rule's occupations (fairness.disparity.gender) are weak segments too: the
    # planted one is listed among the first rows, with its exact size and error rate
    found = [r for r in rows[:5] if r[0] == 'channel = "broker" and region = "north"']
    assert len(found) == 1, [r[0] for r in rows]
    assert found[0][1] == segment["count"]
    assert found[0][3] == pytest.approx(segment["expected"]["error_rate_segment"])
    others = [r[0] for r in rows if "broker" not in r[0]]
    assert others and all("occupation" in r for r in others[:5])
    shared = result(demo["report"], "leakage.shared_rows", None)
    assert shared["status"] in ("warn", "fail")
    assert shared["metrics"]["shared_rows"] == truth["leakage.shared_rows"]["count"]


# Fairness: the planted policy rule flags applicants of mostly women's occupations at a far
# lower score; the demo declares favourable = 0 (not flagged).


def _favourable_rates(current: pl.DataFrame) -> dict[str, tuple[int, float]]:
    """Each gender's size and share not flagged, by polars (the hand computation)."""
    table = current.group_by("gender").agg(
        pl.len().alias("n"), (pl.col("prediction") == 0).mean().alias("rate")
    )
    return {g: (int(n), float(r)) for g, n, r in table.iter_rows()}


def test_planted_disparity_is_found_by_group_metrics(demo: dict[str, Any]) -> None:
    from fairlearn.metrics import demographic_parity_difference

    issue = next(i for i in demo["truth"]["issues"] if i["id"] == "fairness.disparity.gender")
    r = result(demo["report"], "fairness.group_metrics", "gender")
    assert r["status"] in ("warn", "fail"), r["message"]
    cur = demo["current"]
    favourable = (cur["prediction"] == 0).to_numpy().astype(int)
    dpd = demographic_parity_difference(
        favourable, favourable, sensitive_features=cur["gender"].to_numpy()
    )
    m = r["metrics"]
    assert m["demographic_parity_difference"] == pytest.approx(dpd, abs=1e-9)
    assert m["demographic_parity_difference"] == pytest.approx(
        issue["expected"]["demographic_parity_difference"], abs=1e-9
    )
    assert r["bounds"]["demographic_parity_difference"]["low"] > 0.10  # over the whole interval
    groups = next(d for d in r["details"] if d["kind"] == "groups")
    assert groups["favourable"] == "0"
    for g in groups["groups"]:
        assert g["selection_rate"] == pytest.approx(
            issue["expected"][f"selection_rate.{g['group']}"], abs=1e-9
        )
    declared = next(d for d in r["details"] if d["name"] == "declared")
    assert "Favourable outcome: 0." in declared["text"]


def test_planted_disparity_breaks_the_four_fifths_rule(demo: dict[str, Any]) -> None:
    issue = next(i for i in demo["truth"]["issues"] if i["id"] == "fairness.four_fifths.gender")
    r = result(demo["report"], "fairness.four_fifths", "gender")
    assert r["status"] == "fail", r["message"]
    assert r["metrics"]["min_impact_ratio"] == pytest.approx(
        issue["expected"]["min_impact_ratio"], abs=1e-9
    )
    rates = _favourable_rates(demo["current"])
    best = max(rate for _, rate in rates.values())
    groups = next(d for d in r["details"] if d["kind"] == "groups")["groups"]
    for g in groups:
        assert g["impact_ratio"] == pytest.approx(rates[g["group"]][1] / best, abs=1e-9)
        assert g["impact_ratio"] == pytest.approx(
            issue["expected"][f"impact_ratio.{g['group']}"], abs=1e-9
        )
    assert "female against male" in r["message"]


def test_ll144_table_matches_a_hand_computation(demo: dict[str, Any]) -> None:
    r = result(demo["report"], "fairness.bias_audit", "gender")
    table = next(d for d in r["details"] if d["name"] == "ll144")
    assert table["columns"][:4] == ["category", "applicants", "selection rate", "impact ratio"]
    rates = _favourable_rates(demo["current"])
    best = max(rate for _, rate in rates.values())
    assert {row[0] for row in table["rows"]} == set(rates)
    for category, applicants, rate, ratio, _note in table["rows"]:
        assert applicants == rates[category][0]
        assert rate == pytest.approx(rates[category][1], abs=1e-12)
        assert ratio == pytest.approx(rates[category][1] / best, abs=1e-12)
    assert table["note"] == "Unknown category: 0 people, not included in the calculations."


def test_planted_proxy_is_found(demo: dict[str, Any]) -> None:
    issue = next(i for i in demo["truth"]["issues"] if i["id"] == "fairness.proxy.occupation")
    r = result(demo["report"], "fairness.proxies", "gender")
    assert r["status"] == "warn", r["message"]
    assert r["metrics"]["features_flagged"] == 1  # occupation alone
    top = next(d for d in r["details"] if d["name"] == "proxies")["rows"][0]
    assert top[0] == "occupation" and top[2] >= 0.7  # the interval's lower end
    # out-of-fold and smoothed in the check, in-sample in the ground truth: close, not equal
    assert top[1] == pytest.approx(issue["expected"]["auc_ovr_macro"], abs=0.04)
    assert "occupation predicts it alone" in r["message"]


def test_decisions_drift_with_the_rule(demo: dict[str, Any]) -> None:
    issue = next(i for i in demo["truth"]["issues"] if i["id"] == "drift.decisions.prediction")
    r = result(demo["report"], "drift.univariate", "prediction")
    assert r["status"] in ("warn", "fail")
    assert r["metrics"]["rate_current"] == pytest.approx(issue["expected"]["flag_rate_current"])
    assert result(demo["report"], "drift.univariate", "occupation")["status"] == "pass"


def test_html_report_draws_the_groups_chart(demo: dict[str, Any]) -> None:
    html = (demo["out"] / "report" / "report.html").read_text(encoding="utf-8")
    truth = next(i for i in demo["truth"]["issues"] if i["id"] == "fairness.disparity.gender")
    start = html.index('<svg role="img" aria-label="Groups of gender"')
    chart = html[start : html.index("</svg>", start)]
    assert "Selection rate (outcome 0) by gender" in chart
    assert 'class="four-fifths"' in chart
    for gender in ("female", "male", "non-binary"):
        rate = truth["expected"][f"selection_rate.{gender}"]
        assert f"<title>{gender}: {rate:.1%}</title>" in chart
    fairness = json.dumps([c for c in demo["report"]["checks"] if c["id"].startswith("fairness")])
    names = demo["current"]["full_name"].unique().to_list()
    assert not any(name in fairness for name in names)  # no personal value in the results


# The model audit (audit-model.yaml → report-model/): the sample's model and the challenger,
# run over the data from their skops files, checked against scikit-learn run on the same files.


@pytest.fixture(scope="module")
def model_audit(demo: dict[str, Any]) -> dict[str, Any]:
    import skops.io as sio

    out = demo["out"]
    report = json.loads((out / "report-model" / "report.json").read_text(encoding="utf-8"))
    loaded = {}
    for name in ("model", "challenger"):
        path = out / "data" / f"{name}.skops"
        loaded[name] = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    features = demo["truth"]["feature_columns"]
    x = demo["current"].select(features).to_pandas()
    return {
        "report": report,
        "x": x,
        "y": demo["current"]["default"].to_numpy(),
        "model": loaded["model"],
        "challenger": loaded["challenger"],
        "score": loaded["model"].predict_proba(x)[:, 1],
        "challenger_score": loaded["challenger"].predict_proba(x)[:, 1],
    }


def test_demo_writes_the_model_audit_and_points_to_both_reports(demo: dict[str, Any]) -> None:
    out = demo["out"]
    folder = out / "report-model"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "report.html",
        "report.json",
        "report.md",
        "report.sha256",
    ]
    digests = subprocess.run(["sha256sum", "-c", "report.sha256"], cwd=folder, capture_output=True)
    assert digests.returncode == 0, digests.stdout
    assert (out / "audit-model.yaml").is_file()
    flat = " ".join(demo["stdout"].split())  # the console wraps long lines
    for report in ("report", "report-model"):
        assert flat.count(str(out / report / "report.html")) == 2  # the summary, the last words
    assert flat.count("Audit FAIL") == 2  # both audits' summaries
    assert "Auditing the model itself" in flat


def test_model_audit_records_both_skops_files(
    demo: dict[str, Any], model_audit: dict[str, Any]
) -> None:
    report = model_audit["report"]
    records = {m["role"]: m for m in report["models"]}
    assert sorted(records) == ["challenger", "model"]
    for role, record in records.items():
        path = demo["out"] / "data" / f"{role}.skops"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert record["fingerprint"] == f"sha256:{digest}"
        assert Path(record["source"]).resolve() == path.resolve()
        assert record["format"] == "skops" and record["trusted_format"] is True
        assert record["untrusted_types"] == []
        assert record["features"] == demo["truth"]["feature_columns"]
        assert record["task"] == "binary" and record["positive_class"] == "1"
    # The data's own score and decisions are declared ignored: neither a feature nor audited.
    schema = report["config"]["schema"]
    assert "prediction" not in schema and "score" not in schema
    assert set(schema["ignore"]) == {"prediction", "score"}
    assert not [c for c in report["checks"] if c["column"] in ("prediction", "score")]
    assert {"prediction", "score"}.isdisjoint(records["model"]["ignored_columns"])


def test_model_scores_match_scikit_learn_on_the_skops_file(
    demo: dict[str, Any], model_audit: dict[str, Any]
) -> None:
    """model_score is predict_proba of the loaded file: the metrics equal scikit-learn's."""
    from sklearn.metrics import accuracy_score, roc_auc_score

    y, score = model_audit["y"], model_audit["score"]
    metrics = result(model_audit["report"], "performance.metrics", None)["metrics"]
    assert metrics["rows"] == y.size == demo["current"].height
    assert metrics["roc_auc"] == pytest.approx(roc_auc_score(y, score), abs=1e-9)
    # the model's own decisions are predict (probability above 0.5), not the data's threshold
    predicted = model_audit["model"].predict(model_audit["x"])
    assert metrics["accuracy"] == pytest.approx(accuracy_score(y, predicted), abs=1e-9)
    # the scores the data stores are the model's: the data audit's AUC is the same figure
    stored = result(demo["report"], "performance.metrics", None)["metrics"]["roc_auc"]
    assert stored == pytest.approx(metrics["roc_auc"], abs=1e-9)
    np.testing.assert_allclose(score, demo["current"]["score"].to_numpy(), rtol=1e-9)


def test_challenger_and_benchmark_compare_on_the_current_rows(
    demo: dict[str, Any], model_audit: dict[str, Any]
) -> None:
    from sklearn.metrics import roc_auc_score

    y = model_audit["y"]
    assert demo["current"]["default"].null_count() == 0  # every current row is labelled
    rep = model_audit["report"]
    chall = result(rep, "performance.challenger", None)
    assert chall["status"] in ("pass", "warn"), chall["message"]
    m = chall["metrics"]
    assert m["rows_compared"] == y.size  # the seeded sample holds all 10,000 rows
    assert m["audited_roc_auc"] == pytest.approx(roc_auc_score(y, model_audit["score"]), abs=1e-9)
    expected = roc_auc_score(y, model_audit["challenger_score"])
    assert m["challenger_roc_auc"] == pytest.approx(expected, abs=1e-9)
    decisions = (model_audit["model"].predict(model_audit["x"]),
                 model_audit["challenger"].predict(model_audit["x"]))  # fmt: skip
    assert m["disagreement_rate"] == pytest.approx(np.mean(decisions[0] != decisions[1]))
    assert 0 < m["p_value"] <= 1
    bench = result(rep, "performance.benchmark", None)
    assert bench["status"] in ("pass", "warn"), bench["message"]
    b = bench["metrics"]
    assert b["audited_roc_auc"] == pytest.approx(m["audited_roc_auc"], abs=1e-12)
    assert b["dummy_roc_auc"] == 0.5 and b["rows_compared"] == y.size
    assert 1 <= b["boosted_trials"] <= 4 and 1 <= b["refit_trials"] <= 4  # max_trials: 4
    assert 0.6 < b["linear_roc_auc"] < 0.8 and 0.6 < b["boosted_roc_auc"] < 0.8


def test_model_checks_run_the_model(demo: dict[str, Any], model_audit: dict[str, Any]) -> None:
    from sklearn.metrics import accuracy_score

    rep, x, y = model_audit["report"], model_audit["x"], model_audit["y"]
    head = model_audit["model"].predict(x.head(5000))  # the checks read the first 5,000 rows
    before = accuracy_score(y[:5000], head)
    for check_id in (
        "robustness.numeric_noise", "robustness.category_swap", "robustness.missing_values"
    ):  # fmt: skip
        r = result(rep, check_id, None)
        assert r["status"] == "pass", r["message"]
        assert r["metrics"]["rows"] == 5000
        assert r["metrics"]["accuracy_before"] == pytest.approx(before, abs=1e-12)
        assert r["metrics"]["flip_share"] < 0.05
    # The noise's scale is robust (the planted income outliers would make a standard deviation
    # of about a million) and noisy values stay in each column's range: noise that made an
    # income negative would break the pipeline's log1p, which scikit-learn shows on one row.
    with pytest.raises(ValueError, match="NaN"), np.errstate(invalid="ignore"):
        model_audit["model"].predict(x.head(1).assign(income=-5.0))
    latency = result(rep, "operations.latency", None)
    assert latency["status"] == "pass" and latency["metrics"]["rows_per_second"] > 0
    size = (demo["out"] / "data" / "model.skops").stat().st_size
    assert latency["metrics"]["model_size_mb"] == pytest.approx(size / 2**20)
    pruning = result(rep, "operations.pruning", None)
    assert pruning["status"] == "skipped" and "not a tree ensemble" in pruning["message"]
    onnx = result(rep, "operations.onnx_conversion", None)
    assert onnx["status"] == "skipped" and "skl2onnx cannot convert" in onnx["message"]
    import skl2onnx  # the converter itself refuses the pipeline (int64 inputs, log1p step)

    with pytest.raises(Exception, match="same type|FunctionTransformer"):
        skl2onnx.to_onnx(model_audit["model"], x.head(1), options={"zipmap": False})
    assert not [c for c in rep["checks"] if c["status"] == "error"]


def test_benchmark_refit_gains_only_from_the_planted_copies(
    demo: dict[str, Any], model_audit: dict[str, Any]
) -> None:
    """The tuned refit of the audited model is fitted on the reference as written, which holds
    120 copies of current rows (leakage.shared_rows): scikit-learn, refitting with the reported
    parameters, gets the reported AUC with the copies and less than the audited model without."""
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score

    bench = result(model_audit["report"], "performance.benchmark", None)
    row = next(r for r in bench["details"][0]["rows"] if r[1] == "tuned audited model")
    params = json.loads(row[10])
    reference = pl.read_parquet(demo["out"] / "data" / "reference.parquet")
    copies = next(i for i in demo["truth"]["issues"] if i["id"] == "leakage.shared_rows")
    clean = reference.with_row_index("i").filter(~pl.col("i").is_in(copies["related_rows"]))
    features, y = demo["truth"]["feature_columns"], model_audit["y"]
    auc = {}
    for name, frame in (("written", reference), ("clean", clean)):
        refit = clone(model_audit["model"]).set_params(**params)
        refit.fit(frame.select(features).to_pandas(), frame["default"].to_numpy())
        auc[name] = roc_auc_score(y, refit.predict_proba(model_audit["x"])[:, 1])
    assert bench["metrics"]["refit_roc_auc"] == pytest.approx(auc["written"], abs=1e-4)
    assert auc["clean"] < bench["metrics"]["audited_roc_auc"] < auc["written"]


def test_model_audit_gives_reason_codes_for_the_models_declines(
    demo: dict[str, Any], model_audit: dict[str, Any]
) -> None:
    """The declines are scikit-learn's predict == 1 (favourable: no default) among the first
    5,000 rows; the sample's rows are the first of them, with the data's values in the
    sentences; gender, the declared sensitive attribute, is not a feature and never cited."""
    rep, x = model_audit["report"], model_audit["x"]
    codes = result(rep, "explain.reason_codes", None)
    assert codes["status"] == "pass", codes["message"]
    declined = np.flatnonzero(model_audit["model"].predict(x.head(5000)) == 1)
    m = codes["metrics"]
    assert m["rows"] == 5000 and m["unfavourable"] == declined.size
    assert m["explained"] == min(200, declined.size) and m["sensitive_cited"] == 0
    sample = next(d for d in codes["details"] if d["name"] == "Sample of reason codes")
    assert [r[0] for r in sample["rows"]] == declined[:10].tolist()
    current = demo["current"]
    for row in sample["rows"]:
        assert row[1] == "1" and row[2] is not None  # every decline has a first reason
        for sentence in filter(None, row[2:]):
            feature, value = sentence.split(" raised ")[0].split(" = ")
            assert feature in demo["truth"]["feature_columns"] and feature != "gender"
            cell = current[feature][row[0]]
            expected = "missing" if cell is None else (
                f"{cell:.4g}" if isinstance(cell, float) else str(cell)
            )  # fmt: skip
            assert value == expected, (row[0], sentence)
    shap_result = result(rep, "explain.shap", None)
    assert shap_result["status"] == "pass" and shap_result["metrics"]["rows"] == 2000
    assert shap_result["metrics"]["additivity_error"] < 1e-9
    assert "LinearExplainer" in shap_result["message"] and "log-odds" in shap_result["message"]
    # The expected value is the model's mean log-odds over its 100 background rows, drawn from
    # the reference: within sampling error of scikit-learn's mean over the whole reference.
    reference = pl.read_parquet(demo["out"] / "data" / "reference.parquet")
    margin = model_audit["model"].decision_function(
        reference.select(demo["truth"]["feature_columns"]).to_pandas()
    )
    assert abs(shap_result["metrics"]["expected_value"] - margin.mean()) < 4 * margin.std() / 10


def test_model_report_shows_the_reason_codes(demo: dict[str, Any]) -> None:
    raw = (demo["out"] / "report-model" / "report.html").read_text(encoding="utf-8")
    html = unescape(raw)  # the page's text, its apostrophes written as entities
    titles = ("The first 10 unfavourable decisions and their reasons",
              "How often each feature is among an unfavourable decision's 4 reasons",
              "Features ranked by mean |SHAP| (log-odds)")  # fmt: skip
    markdown = (demo["out"] / "report-model" / "report.md").read_text(encoding="utf-8")
    for title in titles:
        assert title in html and title.replace("|", "\\|") in markdown  # escaped in Markdown
    assert html.count("raised the log-odds of the unfavourable outcome") >= 10
    for column in ("full_name", "email", "national_id"):
        assert not any(v in html for v in demo["current"][column].drop_nulls().to_list()[:500])
