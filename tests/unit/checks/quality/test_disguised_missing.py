"""quality.disguised_missing on hand-made frames whose counts are known by construction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats

from mlaudit import Audit
from mlaudit.config import DataConfig
from mlaudit.data import Dataset, MissingMarkers, is_sentinel_like
from mlaudit.results import CheckResult, Status

_CHECK = {"quality.disguised_missing": {}}


def _results(cur: pl.DataFrame, ref: pl.DataFrame | None = None, **kw: object) -> dict:  # type: ignore[type-arg]
    result = Audit(cur, reference=ref, suite="none", checks=_CHECK, **kw).run()  # type: ignore[arg-type]
    return {c.column: c for c in result.checks}


def _one(results: dict[str | None, CheckResult], column: str) -> CheckResult:
    return results[column]


def _normal(n: int, seed: int = 0) -> np.ndarray:
    return np.round(np.random.default_rng(seed).normal(50_000, 8_000, n), 2)


def test_1800_question_marks_are_counted_and_shown_with_their_spaces() -> None:
    values = [" ?"] * 1_500 + ["?"] * 300 + ["retail"] * 4_000 + ["sme"] * 4_200
    df = pl.DataFrame({"segment": values})
    r = _one(_results(df), "segment")
    assert r.status is Status.WARN
    assert r.metrics["disguised"] == 1_800
    assert r.metrics["disguised_share"] == pytest.approx(1_800 / 10_000)
    assert "' ?' (1,500)" in r.message and "'?' (300)" in r.message
    (table,) = r.details
    assert [row[:3] for row in table.rows] == [
        ["' ?'", "text marker", 1_500],
        ["'?'", "text marker", 300],
    ]


def test_every_listed_spelling_is_a_marker_case_and_spaces_aside() -> None:
    spellings = ["", "  ", "N/A", "n.a.", "NULL", "None", "Unknown", " - ", "#N/A", "(blank)"]
    df = pl.DataFrame({"note": spellings + ["ok"] * 90})
    r = _one(_results(df), "note")
    assert r.metrics["disguised"] == len(spellings)


def test_counts_do_not_depend_on_the_category_cap() -> None:
    # 30,000 distinct values: far beyond the 10,000 category cap; 250 are '?'.
    values = [f"v{i}" for i in range(30_000)] + ["?"] * 250
    r = _one(_results(pl.DataFrame({"code": values})), "code")
    assert r.metrics["disguised"] == 250


def test_personal_column_reports_the_normalised_marker_only() -> None:
    values = [" Unknown "] * 40 + ["unknown"] * 10 + [f"name{i}" for i in range(950)]
    df = pl.DataFrame({"full_name": values})
    r = _one(_results(df, schema={"personal": ["full_name"]}), "full_name")
    assert r.metrics["disguised"] == 50
    (table,) = r.details
    assert table.rows[0][:3] == ["'unknown'", "text marker", 50]
    assert "' Unknown '" not in r.message


def test_numeric_sentinel_at_three_percent_is_found() -> None:
    x = _normal(10_000)
    x[:300] = 99_999
    r = _one(_results(pl.DataFrame({"income": x})), "income")
    assert r.status is Status.WARN
    assert r.metrics["disguised"] == 300
    assert "99999 (300)" in r.message


def test_numeric_sentinel_at_one_in_ten_thousand_is_not() -> None:
    x = _normal(10_000)
    x[:1] = 99_999  # 0.01 % of rows: an outlier, not a code
    r = _one(_results(pl.DataFrame({"income": x})), "income")
    assert r.status is Status.PASS
    assert r.metrics["disguised"] == 0


def test_minus_one_in_an_age_column_is_found() -> None:
    ages = np.random.default_rng(1).integers(18, 90, 5_000)
    ages[:100] = -1
    r = _one(_results(pl.DataFrame({"age": ages})), "age")
    assert r.metrics["disguised"] == 100
    assert "-1 (100)" in r.message


def test_values_that_run_up_to_99_are_not_a_sentinel() -> None:
    # hours worked 1..99 with a mass at 99 but 97 and 98 right below: no gap, no code.
    hours = np.concatenate([np.arange(1, 100).repeat(20), np.full(200, 99)])
    r = _one(_results(pl.DataFrame({"hours": hours})), "hours")
    assert r.status is Status.PASS
    assert r.metrics["disguised"] == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(99, True), (999, True), (99999, True), (99.99, True), (-1, True), (-999, True)],
        *[(9, False), (100, False), (1, False), (0, False), (-5, False), (98, False)],
    ],
)
def test_sentinel_like_numbers(value: float, expected: bool) -> None:
    assert is_sentinel_like(value) is expected


def test_same_share_as_reference_passes_and_keeps_the_evidence() -> None:
    rng = np.random.default_rng(3)
    pool = np.where(rng.random(20_000) < 0.05, "?", "A")
    ref, cur = pl.DataFrame({"c": pool[:10_000]}), pl.DataFrame({"c": pool[10_000:]})
    r = _one(_results(cur, ref), "c")
    assert r.status is Status.PASS
    assert r.details and "missing_markers" in r.message
    # The p-value is the one-sided pooled two-proportion z test's.
    x1, x0 = int((pool[10_000:] == "?").sum()), int((pool[:10_000] == "?").sum())
    p = (x1 + x0) / 20_000
    z = (x1 / 10_000 - x0 / 10_000) / np.sqrt(p * (1 - p) * 2 / 10_000)
    assert r.metrics["p_value"] == pytest.approx(stats.norm.sf(z), rel=1e-9)


def test_a_significant_rise_fails() -> None:
    ref = pl.DataFrame({"c": ["?"] * 100 + ["A"] * 9_900})
    cur = pl.DataFrame({"c": ["?"] * 1_000 + ["A"] * 9_000})
    r = _one(_results(cur, ref), "c")
    assert r.status is Status.FAIL
    assert r.metrics["disguised_share_increase"] == pytest.approx(0.09)


def test_declared_markers_become_missing_with_exact_counts() -> None:
    df = pl.DataFrame({"c": [" ?"] * 1_800 + ["A"] * 8_200, "n": [1] * 9_000 + [99_999] * 1_000})
    markers = MissingMarkers(("?",), {"n": (99_999,)})
    result = Audit(
        Dataset(df, missing_markers=markers),
        suite="none",
        checks={"quality.completeness": {}, "quality.disguised_missing": {}},
    ).run()
    by = {(c.id, c.column): c for c in result.checks}
    assert by["quality.completeness", "c"].metrics["missing"] == 1_800
    assert by["quality.completeness", "n"].metrics["missing"] == 1_000
    assert by["quality.disguised_missing", "c"].metrics["disguised"] == 0
    info = result.inputs[0].missing_markers
    assert info is not None
    assert info.counts == {"c": {"?": 1_800}, "n": {"99999": 1_000}}


def test_declared_markers_from_config_per_input_and_per_column(tmp_path: Path) -> None:
    df = pl.DataFrame({"c": [" N/A"] * 30 + ["x"] * 70, "n": [-999.0] * 5 + [1.0] * 95})
    path = tmp_path / "data.parquet"
    df.write_parquet(path)
    result = Audit(
        DataConfig(path=str(path), missing_markers=["N/A"]),
        schema={"columns": {"n": {"missing_markers": [-999]}}},
        suite="none",
        checks={"quality.completeness": {}},
    ).run()
    by = {c.column: c for c in result.checks}
    assert by["n"].metrics["missing"] == 5
    assert by["c"].metrics["missing"] == 30
    info = result.inputs[0].missing_markers
    assert info is not None
    assert info.every_column == ["N/A"] and info.columns == {"n": ["-999"]}
    assert info.counts == {"c": {"N/A": 30}, "n": {"-999": 5}}
