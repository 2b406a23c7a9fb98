"""The happy paths of every command: what a user types and what they get back."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from mlaudit.summary._baseline import load_baseline
from tests.cli.conftest import Run

CLI = Callable[..., Run]


def test_version_and_help(cli: CLI) -> None:
    r = cli("--version")
    assert r.code == 0 and r.text.startswith("mlaudit ")
    h = cli("--help")
    assert h.code == 0
    for command in ("audit", "demo", "profile", "validate", "contract", "checks"):
        assert command in h.text


def test_audit_writes_every_format_and_exit_code_follows_fail_on(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame
) -> None:
    data = tmp_path / "d.csv"
    small_frame.with_columns(
        pl.when(pl.col("age") > 50).then(None).otherwise(pl.col("income")).alias("income")
    ).write_csv(data)
    missing = small_frame.filter(pl.col("age") > 50).height
    out = tmp_path / "out"
    r = cli("audit", "--current", data, "--out", out, "--format", "html,json,md,junit")
    assert r.code == 1  # income is missing in more than 20% of rows: a failure
    assert sorted(p.name for p in out.iterdir()) == [
        ".mlaudit.lock",
        "report.html",
        "report.json",
        "report.junit.xml",
        "report.md",
        "report.sha256",
    ]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    income = next(
        c for c in report["checks"] if c["id"] == "quality.completeness" and c["column"] == "income"
    )
    assert income["metrics"]["missing"] == missing and income["status"] == "fail"
    suite = ET.parse(out / "report.junit.xml").getroot()
    failures = sum(int(s.get("failures", 0)) for s in suite.iter("testsuite"))
    assert failures == sum(c["status"] == "fail" for c in report["checks"])
    assert "| quality.completeness | income |" in (out / "report.md").read_text(encoding="utf-8")
    assert "income" in r.text and "fail" in r.text  # the summary names the finding
    assert cli("audit", "--current", data, "--out", out, "--fail-on", "never").code == 0


def test_audit_passes_clean_data_and_warn_gate(cli: CLI, tmp_path: Path) -> None:
    n = 500
    clean = pl.DataFrame(
        {
            "x": [float(i) * 1.5 for i in range(n)],
            # a shuffled sequence: w in step with x would be a redundant pair
            "w": [(i * 37 % n) * 0.5 + 0.25 for i in range(n)],
            "y": [f"g{i % 4}" for i in range(n)],
        }
    )
    # 10% of x missing: above completeness's 5% warning limit, under its 20% failure limit.
    gappy = clean.with_columns(x=pl.when(pl.int_range(n) % 10 == 0).then(None).otherwise("x"))
    statuses = {}
    for name, frame in (("clean", clean), ("gappy", gappy)):
        data = tmp_path / f"{name}.parquet"
        frame.write_parquet(data)
        r = cli("audit", "--current", data, "--out", tmp_path / name, "--format", "json")
        assert r.code == 0, r.text  # --fail-on fail by default: a warning passes
        report = json.loads((tmp_path / name / "report.json").read_text(encoding="utf-8"))
        statuses[name] = {(c["id"], c["column"]): c["status"] for c in report["checks"]}
        w = cli("audit", "--current", data, "--out", tmp_path / f"{name}-w", "--fail-on", "warn")
        assert w.code == (1 if name == "gappy" else 0), w.text
    assert set(statuses["clean"].values()) == {"pass", "skipped"}
    found = {k: v for k, v in statuses["gappy"].items() if v not in ("pass", "skipped")}
    assert found == {("quality.completeness", "x"): "warn"}


def test_profile_prints_and_saves_a_mergeable_summary(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame
) -> None:
    data = tmp_path / "d.parquet"
    small_frame.write_parquet(data)
    saved = tmp_path / "ref.profile"
    r = cli("profile", data, "--out", saved)
    assert r.code == 0, r.text
    assert "200 rows × 5 columns" in r.text
    for col in small_frame.columns:
        assert col in r.text
    base = load_baseline(saved)
    prof = base.profile
    assert prof.n_rows == 200
    assert prof.columns["income"].numeric is not None
    assert prof.columns["income"].numeric.max == small_frame["income"].max()
    assert base.schema.names == small_frame.columns
    assert base.fingerprint == "sha256:" + hashlib.sha256(data.read_bytes()).hexdigest()


def test_saved_baseline_replaces_the_reference_data(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame
) -> None:
    ref = tmp_path / "ref.parquet"
    small_frame.write_parquet(ref)
    current = small_frame.with_columns(
        pl.when(pl.col("segment") == "sme")
        .then(pl.lit("micro"))
        .otherwise(pl.col("segment"))
        .alias("segment")
    )
    cur = tmp_path / "cur.parquet"
    current.write_parquet(cur)
    assert cli("profile", ref, "--out", tmp_path / "ref.profile").code == 0
    ref.unlink()  # the raw reference is gone: only the baseline remains
    out = tmp_path / "out"
    r = cli(
        "audit",
        "--current",
        cur,
        "--reference",
        tmp_path / "ref.profile",
        "--out",
        out,
        "--format",
        "json",
        "--fail-on",
        "never",
    )
    assert r.code == 0, r.text
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    inputs = {i["name"]: i for i in report["inputs"]}
    assert inputs["reference"]["rows"] == 200 and inputs["reference"]["format"].startswith(
        "baseline"
    )
    new = next(
        c
        for c in report["checks"]
        if c["id"] == "quality.allowed_values" and c["column"] == "segment"
    )
    micro = int((current["segment"] == "micro").sum())
    assert new["status"] == "warn" and "micro" in new["message"]
    assert new["metrics"]["unseen"] == micro


def test_a_file_that_is_not_a_baseline(cli: CLI, tmp_path: Path) -> None:
    fake = tmp_path / "ref.profile"
    fake.write_bytes(b"MLABASE\0garbage")
    cur = tmp_path / "cur.csv"
    cur.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    r = cli("audit", "--current", cur, "--reference", fake, "--out", tmp_path / "o")
    assert r.code == 3 and "baseline" in r.text and "Traceback" not in r.raw


def test_checks_lists_ids_and_shows_options(cli: CLI) -> None:
    r = cli("checks")
    assert r.code == 0 and "quality.completeness" in r.text and "quality.row_anomalies" in r.text
    one = cli("checks", "quality.completeness")
    assert one.code == 0 and "max_missing" in one.text and "warn" in one.text
    assert cli("checks", "quality.nope").code == 2


def test_drift_command_against_data_and_against_a_baseline(cli: CLI, tmp_path: Path) -> None:
    from scipy import stats

    rng = np.random.default_rng(5)
    n = 3000
    ref = pl.DataFrame({"x": rng.normal(0, 1, n), "y": rng.normal(0, 1, n)})
    cur = pl.DataFrame({"x": rng.normal(0.5, 1, n), "y": rng.normal(0, 1, n)})
    ref_path, cur_path = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    ref.write_parquet(ref_path)
    cur.write_parquet(cur_path)
    oracle = stats.ks_2samp(ref["x"].to_numpy(), cur["x"].to_numpy())
    assert cli("profile", ref_path, "--out", tmp_path / "ref.profile").code == 0
    for i, reference in enumerate((ref_path, tmp_path / "ref.profile")):
        out = tmp_path / f"out{i}"
        r = cli("drift", reference, cur_path, "--out", out, "--format", "json")
        assert r.code == 1, r.text  # x drifted by half a standard deviation: a failure
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        x = next(
            c for c in report["checks"] if c["id"] == "drift.univariate" and c["column"] == "x"
        )
        y = next(
            c for c in report["checks"] if c["id"] == "drift.univariate" and c["column"] == "y"
        )
        assert x["status"] == "fail" and y["status"] == "pass"
        assert abs(x["metrics"]["statistic"] - oracle.statistic) < 1e-9
        assert {c["family"] for c in report["checks"]} <= {"drift", "quality", "performance"}


def test_drift_over_time_and_performance_from_the_command_line(cli: CLI, tmp_path: Path) -> None:
    from tests.unit.checks._monitoring import make_period, reference

    ref_path, cur_path = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    reference().write_parquet(ref_path)
    make_period(shift_from=5, concept_from=6, seed=3).write_parquet(cur_path)
    out = tmp_path / "out"
    r = cli(
        "drift", ref_path, cur_path, "--out", out, "--format", "json,html",
        "--window", "week", "--timestamp", "ts", "--target", "y", "--score", "score",
        "--prediction", "pred",
    )  # fmt: skip
    assert r.code == 1, r.text
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    by = {(c["id"], c["column"]): c for c in report["checks"]}
    x1 = by[("drift.over_time", "x1")]
    assert x1["status"] == "fail" and "first in 2025-06-09" in x1["message"]
    assert by[("performance.over_time", None)]["status"] == "fail"
    assert by[("performance.change_points", None)]["status"] in ("warn", "fail")
    assert by[("performance.estimate_vs_actual", None)]["status"] == "fail"
    assert report["config"]["windows"] == {"every": "week", "min_rows": 100}
    assert report["config"]["schema"]["timestamp"] == "ts"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "drift effect size per window" in html


def test_baseline_with_windows_gives_the_same_over_time_results(cli: CLI, tmp_path: Path) -> None:
    from tests.unit.checks._monitoring import make_period, reference

    ref_path, cur_path = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    reference().write_parquet(ref_path)
    make_period(shift_from=5, concept_from=6, seed=4).write_parquet(cur_path)
    roles = ["--timestamp", "ts", "--target", "y", "--score", "score", "--prediction", "pred"]
    saved = tmp_path / "ref.profile"
    assert cli("profile", ref_path, "--out", saved, "--window", "week", *roles).code == 0
    reports = []
    for i, ref in enumerate((ref_path, saved)):
        out = tmp_path / f"out{i}"
        r = cli("drift", ref, cur_path, "--out", out, "--format", "json", "--window", "week",
                *roles)  # fmt: skip
        assert r.code == 1, r.text
        rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
        reports.append({(c["id"], c["column"]): c for c in rep["checks"]})
    raw, base = reports
    keys = [k for k in raw if k[0].endswith("over_time") or k[0].startswith("performance.")]
    assert len(keys) >= 10
    for key in keys:  # the raw reference is the oracle: same statuses, same numbers
        assert base[key]["status"] == raw[key]["status"], key
        assert base[key]["metrics"] == raw[key]["metrics"], key
    assert base[("drift.over_time", "x1")]["metrics"]["reference_windows"] == 12
    assert cli("profile", ref_path, "--window", "week").code == 2  # nothing to save it in


def test_baseline_cut_differently_falls_back_and_still_calibrates(cli: CLI, tmp_path: Path) -> None:
    from tests.unit.checks._monitoring import make_period, reference

    ref_path, cur_path = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    reference().write_parquet(ref_path)
    make_period(seed=5).write_parquet(cur_path)
    roles = ["--timestamp", "ts", "--target", "y", "--score", "score", "--prediction", "pred"]
    monthly = tmp_path / "monthly.profile"
    assert cli("profile", ref_path, "--out", monthly, "--window", "month", *roles).code == 0
    out = tmp_path / "out"
    r = cli("drift", monthly, cur_path, "--out", out, "--format", "json", "--window", "week",
            "--fail-on", "never", *roles)  # fmt: skip
    assert r.code == 0, r.text
    rep = {
        (c["id"], c["column"]): c for c in json.loads((out / "report.json").read_text())["checks"]
    }
    assert "No reference windows" in rep[("drift.over_time", None)]["message"]
    assert rep[("drift.over_time", "x1")]["metrics"]["reference_windows"] == 0
    assert rep[("performance.estimated", None)]["status"] == "pass"  # rows still calibrate


def test_check_options_read_as_people_write_them(cli: CLI) -> None:
    from mlaudit.checks import check_class

    r = cli("checks", "quality.value_range")
    assert r.code == 0
    assert "PydanticUndefined" not in r.text and "<class" not in r.text
    bounds = check_class("quality.value_range").model_fields["bounds"]
    assert bounds.default_factory is not None  # a factory's default is shown as its value
    assert "dict[str, tuple[float" in r.text  # brackets are text, not markup
    assert "``[low, high]``" in r.text
    assert "warn │ float in [0, 1] │ 0.0" in r.text  # the allowed range is shown


def test_profile_prints_dates_as_dates_and_says_which_columns_are_personal(
    cli: CLI, tmp_path: Path
) -> None:
    from datetime import date, datetime, timedelta

    days = [date(1950, 1, 1) + timedelta(days=400 * i) for i in range(60)]
    stamps = [datetime(2024, 3, 1, 8, 30) + timedelta(hours=7 * i) for i in range(60)]
    path = tmp_path / "p.csv"
    pl.DataFrame(
        {
            "dob": [d.isoformat() for d in days],
            "seen_at": [s.isoformat() for s in stamps],
            "email": [f"person{i}@example.org" for i in range(60)],
        }
    ).write_csv(path)
    r = cli("profile", path)
    assert r.code == 0
    # dob is personal: its summary keeps no date of birth, so none is printed
    assert not any(d.isoformat() in r.text for d in days)
    assert min(stamps).strftime("%Y-%m-%d %H:%M:%S") in r.raw
    assert max(stamps).strftime("%Y-%m-%d %H:%M:%S") in r.raw
    assert "e+15" not in r.text and "e+14" not in r.text  # no microseconds since 1970
    assert "personal" in r.text
