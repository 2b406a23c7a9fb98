"""Every bad input named in the foundation issue: one clear message, the right exit code, and
no report (not even a partial one) left behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from mlaudit.errors import MLAuditWarning
from tests.cli.conftest import Run

CLI = Callable[..., Run]


def assert_no_report(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def test_missing_file(cli: CLI, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = cli("audit", "--current", tmp_path / "nope.csv", "--out", out)
    assert r.code == 3
    assert "nope.csv" in r.text and "does not exist" in r.text
    assert "Traceback" not in r.raw
    assert_no_report(out)


def test_malformed_csv(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("a,b\n1,2\n3,4,5,6\n7,8\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli("audit", "--current", p, "--out", out)
    assert r.code == 3 and "bad.csv" in r.text and "Traceback" not in r.raw
    assert_no_report(out)


def test_wrong_format_extension(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "data.parquet"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    r = cli("audit", "--current", p, "--out", tmp_path / "out")
    assert r.code == 3 and "data.parquet" in r.text and "Traceback" not in r.raw


def test_unknown_extension(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "data.xlsx"
    p.write_bytes(b"PK\x03\x04")
    r = cli("audit", "--current", p, "--out", tmp_path / "out")
    assert r.code == 3 and "xlsx" in r.text


def test_empty_data_header_only(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "empty.csv"
    p.write_text("a,b,c\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli("audit", "--current", p, "--out", out)
    assert r.code == 3 and "no rows" in r.text
    assert_no_report(out)


def test_zero_columns_empty_file(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "nothing.csv"
    p.write_text("", encoding="utf-8")
    r = cli("audit", "--current", p, "--out", tmp_path / "out")
    assert r.code == 3 and "nothing.csv" in r.text and "Traceback" not in r.raw


def test_config_names_missing_column(cli: CLI, tmp_path: Path, small_frame: pl.DataFrame) -> None:
    data = tmp_path / "d.parquet"
    small_frame.write_parquet(data)
    cfg = tmp_path / "audit.yaml"
    cfg.write_text(
        f"current: {data}\nchecks:\n  quality.value_range: {{bounds: {{agee: [0, 100]}}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = cli("audit", cfg, "--out", out)
    assert r.code == 2 and "'agee'" in r.text and "'age'" in r.text
    assert_no_report(out)


def test_declared_role_column_missing(cli: CLI, tmp_path: Path, small_frame: pl.DataFrame) -> None:
    data = tmp_path / "d.parquet"
    small_frame.write_parquet(data)
    r = cli("audit", "--current", data, "--target", "defualt", "--out", tmp_path / "o")
    assert r.code in (2, 3) and "defualt" in r.text and "Traceback" not in r.raw


def test_disjoint_schemas(cli: CLI, tmp_path: Path, small_frame: pl.DataFrame) -> None:
    ref, cur = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    small_frame.write_parquet(ref)
    pl.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "c"]}).write_parquet(cur)
    out = tmp_path / "out"
    r = cli("audit", "--current", cur, "--reference", ref, "--out", out)
    assert r.code == 3 and "share no column" in r.text
    assert_no_report(out)


def test_all_null_column_is_reported_not_crashed(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame
) -> None:
    data = tmp_path / "d.parquet"
    small_frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("empty")).write_parquet(data)
    out = tmp_path / "out"
    r = cli("audit", "--current", data, "--out", out, "--format", "json")
    assert r.code == 1  # completeness fails on the all-null column
    report = (out / "report.json").read_text(encoding="utf-8")
    assert '"column": "empty"' in report


def test_mixed_types_column(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "mixed.csv"
    values = [str(i % 40) for i in range(300)] + ["unknown", "n/a"] * 10
    p.write_text("id,years\n" + "\n".join(f"{i},{v}" for i, v in enumerate(values)), "utf-8")
    out = tmp_path / "out"
    r = cli("audit", "--current", p, "--out", out, "--format", "json", "--fail-on", "never")
    assert r.code == 0
    report = (out / "report.json").read_text(encoding="utf-8")
    assert "quality.mixed_types" in report


def test_non_utf8_bytes(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "latin.csv"
    p.write_bytes("name,city\nJos\u00e9,M\u00fcnchen\nAna,K\u00f6ln\n".encode("latin-1"))
    r = cli("audit", "--current", p, "--out", tmp_path / "out")
    assert r.code == 3 and "utf-8" in r.text.lower() and "latin-1" in r.text
    r2 = cli(
        "audit",
        "--current",
        p,
        "--encoding",
        "latin-1",
        "--out",
        tmp_path / "out2",
        "--fail-on",
        "never",
    )
    assert r2.code == 0, r2.text


def test_duplicate_column_names(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "dup.csv"
    p.write_text("a,b,a\n1,2,3\n4,5,6\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli("audit", "--current", p, "--out", out)
    assert r.code == 3 and "'a'" in r.text and "Traceback" not in r.raw
    assert_no_report(out)


def test_huge_strings(cli: CLI, tmp_path: Path) -> None:
    p = tmp_path / "huge.csv"
    big = "x" * 3_000_000
    p.write_text(f"id,blob\n1,{big}\n2,short\n3,{big}y\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli("audit", "--current", p, "--out", out, "--format", "json", "--fail-on", "never")
    assert r.code == 0, r.text
    report = (out / "report.json").read_text(encoding="utf-8")
    assert big not in report  # raw huge values are not copied into the report


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("current: d.parquet\nsuite: everything\n", "suite"),
        ("current: d.parquet\nsed: 1\n", "unknown key 'sed'"),
        ("current: d.parquet\nseed: [1]\n", "'seed'"),
        ("current: d.parquet\nchecks:\n  quality.completeness: {warn: high}\n", "warn"),
        ("current: d.parquet\nchecks:\n  quality.nonsense: {}\n", "quality.nonsense"),
    ],
)
def test_bad_config(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame, text: str, expected: str
) -> None:
    small_frame.write_parquet(tmp_path / "d.parquet")
    cfg = tmp_path / "audit.yaml"
    cfg.write_text(text, encoding="utf-8")
    r = cli("audit", cfg, "--out", tmp_path / "out")
    assert r.code == 2 and expected in r.text and "Traceback" not in r.raw


def test_usage_errors(cli: CLI, tmp_path: Path) -> None:
    assert cli("audit").code == 2
    for command in (("audit", "--current", "x.csv"), ("drift", "a.csv", "b.csv")):
        r = cli(*command, "--format", "json,pdfx")
        assert r.code == 2 and "'pdfx'" in r.text and "html, json, md, junit" in r.text
    assert cli("audit", "--current", "x.csv", "--fail-on", "sometimes").code == 2
    assert cli("frobnicate").code == 2


def test_window_mistakes_are_usage_errors(cli: CLI, tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    pl.DataFrame({"x": [1.0, 2.0, 3.0], "when": ["2025-01-01", "soon", "2025-01-03"]}).write_csv(
        data
    )
    bad = cli("drift", data, data, "--window", "fortnight")
    assert bad.code == 2 and "neither a period nor a row count" in bad.text
    no_time = tmp_path / "n.csv"
    pl.DataFrame({"x": [1.0, 2.0, 3.0]}).write_csv(no_time)
    r = cli("drift", no_time, no_time, "--window", "week")
    assert r.code == 2 and "need a timestamp column" in r.text and "rows" in r.text
    wrong = cli("drift", data, data, "--window", "day", "--timestamp", "x")
    assert wrong.code in (2, 3) and "not a date or time" in wrong.text
    assert "Traceback" not in bad.text + r.text + wrong.text


def test_timestamps_that_do_not_parse_are_counted(cli: CLI, tmp_path: Path) -> None:
    import json

    rows = 400
    when = [f"2025-01-{1 + i % 20:02d}" if i % 10 else "not a date" for i in range(rows)]
    df = pl.DataFrame({"x": [float(i % 7) for i in range(rows)], "when": when})
    data = tmp_path / "d.csv"
    df.write_csv(data)
    out = tmp_path / "out"
    r = cli("drift", data, data, "--window", "month", "--timestamp", "when", "--out", out,
            "--format", "json", "--fail-on", "never")  # fmt: skip
    assert r.code == 0, r.text
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    summary = next(c for c in report["checks"] if c["id"] == "drift.over_time" and not c["column"])
    assert summary["metrics"]["rows_without_window"] == rows // 10
    assert "no valid timestamp" in summary["message"]


def test_the_drift_suite_without_a_reference_is_a_usage_error(cli: CLI, tmp_path: Path) -> None:
    data = tmp_path / "cur.csv"
    pl.DataFrame({"x": [1.0, 2.0, 3.0]}).write_csv(data)
    r = cli("audit", "--current", data, "--suite", "drift", "--out", tmp_path / "o")
    assert r.code == 2
    assert "reference" in r.text and "--suite data_quality" in r.text
    assert not (tmp_path / "o").exists()  # stopped before reading data or writing a report


@pytest.mark.parametrize("option", ["--target", "--sensitive", "--timestamp"])
def test_an_unknown_declared_column_is_a_usage_error(cli: CLI, tmp_path: Path, option: str) -> None:
    data = tmp_path / "cur.csv"
    pl.DataFrame({"label": [0, 1] * 20, "x": [float(i) for i in range(40)]}).write_csv(data)
    r = cli("audit", "--current", data, option, "lable", "--out", tmp_path / "o")
    assert r.code == 2, r.text
    assert "'lable'" in r.text and "Traceback" not in r.raw


def test_one_column_named_with_a_separator_exits_3_with_the_fix(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("status;duration\nA11;6\nA12;48\n")
    run = cli("profile", path, "--separator", ",")
    assert run.code == 3
    assert "one column" in run.text
    assert "--separator" in run.text


def test_csv_options_reach_the_reader(cli: CLI, tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a|b\n1|x\n2|y\n")
    run = cli("profile", path, "--separator", "pipe")
    assert run.code == 0
    assert "2 rows × 2 columns" in run.text
    dup = tmp_path / "dup.csv"
    dup.write_text("a,a\n1,2\n3,4\n")
    assert cli("profile", dup).code == 3
    with pytest.warns(MLAuditWarning, match="renamed"):
        assert cli("profile", dup, "--rename-duplicates").code == 0
    assert cli("profile", path, "--decimal", ";").code == 2


def test_profile_out_names_a_folder_or_a_missing_parent(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame
) -> None:
    data = tmp_path / "d.parquet"
    small_frame.write_parquet(data)
    folder = tmp_path / "profiles"
    folder.mkdir()
    r = cli("profile", data, "--out", folder)
    assert r.code == 3 and "it is a folder" in r.text and "Traceback" not in r.raw
    assert list(folder.iterdir()) == []
    r = cli("profile", data, "--out", tmp_path / "missing" / "p.profile")
    assert r.code == 3 and "does not exist" in r.text and "internal error" not in r.text
    r = cli("profile", data, "--out", folder / "p.profile")
    assert r.code == 0
    assert sorted(p.name for p in folder.iterdir()) == [".mlaudit.lock", "p.profile"]


def test_relative_output_dir_is_beside_the_config_and_empty_format_is_refused(
    cli: CLI, tmp_path: Path, small_frame: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    small_frame.write_parquet(project / "d.parquet")
    (project / "audit.yaml").write_text("current: d.parquet\noutput: {dir: reports}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    r = cli("audit", project / "audit.yaml", "--format", "json")
    assert r.code in (0, 1), r.text
    assert (project / "reports" / "report.json").exists()
    assert list(elsewhere.iterdir()) == []
    r = cli("audit", project / "audit.yaml", "--format", "", "--out", tmp_path / "out2")
    assert r.code == 2 and "report format" in r.text
    assert_no_report(tmp_path / "out2")
