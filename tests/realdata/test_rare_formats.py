"""quality.rare_formats and learned patterns on real tables.

COMPAS holds case numbers (``13011352CF10A``) and dates written as text, which are format
columns; one recidivism case number is written in lower case (``14007544tc40a``), a real rare
format, counted here with pandas' ``str.replace`` shapes.  Adult and German credit hold only
category sets, not judged.  Clean random halves give no failure and warnings at most at the test's
level (1 % per column).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlaudit import Audit
from mlaudit.cli import app
from mlaudit.results import Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

CHECK = {"quality.rare_formats": {}}
SEEDS = range(10)
ALPHA = 0.01


def pandas_shapes(s: pd.Series) -> pd.Series:
    """Shapes of ASCII text: letters by case, digits, the rest kept."""
    return (
        s.dropna()
        .str.replace(r"[A-Z]", "A", regex=True)
        .str.replace(r"[a-z]", "a", regex=True)
        .str.replace(r"[0-9]", "9", regex=True)
    )


def test_compas_lower_case_case_number_is_found() -> None:
    df = t.compas()
    results = Audit(df, suite="none", checks=CHECK).run().checks
    by = {r.column: r for r in results}
    shapes = pandas_shapes(df["r_case_number"].to_pandas()).value_counts()
    rare = int(shapes[shapes < 0.01 * shapes.sum()].sum())
    assert rare == 1  # the oracle: one value outside the dominant shape
    r = by["r_case_number"]
    assert r.status is Status.WARN
    assert r.metrics["rare_format_values"] == rare
    assert r.metrics["values"] == int(shapes.sum())
    assert "'99999999aa99a'" in r.message
    assert by["c_case_number"].status is Status.PASS
    # the columns not judged, in one skipped result with each one's reason
    assert by[None].status is Status.SKIPPED
    table = next(d for d in by[None].details if d.name == "not_judged")
    reasons = {row[0]: str(row[1]) for row in table.rows}  # type: ignore[union-attr]
    assert "not a format column" in reasons["name"]  # free text
    assert "category set" in reasons["sex"]
    assert sum(r.column is None for r in results) == 1


@pytest.mark.parametrize("name", sorted(t.HALVES_TABLES))
def test_random_halves_give_no_failure_and_few_warnings(name: str) -> None:
    halves = t.audit_halves(t.HALVES_TABLES[name](), SEEDS, CHECK)  # no fail, no error
    judged = sum(r.status is not Status.SKIPPED for r in halves.all)  # inconclusive counted
    warned = halves.warned
    # at most the nominal rate, with room for chance (3 + 2 x the expected count)
    assert warned <= 3 + 2 * ALPHA * judged, (warned, judged)


def test_suggested_contract_on_compas_has_patterns_and_passes(tmp_path: Path) -> None:
    path = tmp_path / "compas.csv"
    t.compas().write_csv(path)  # duplicated column names suffixed
    runner = CliRunner()
    r = runner.invoke(app, ["contract", "suggest", str(path)])
    assert r.exit_code == 0, r.output
    columns = yaml.safe_load(r.stdout)["columns"]
    assert columns["c_case_number"]["pattern"] == r"^\d{8}\p{Lu}{2}\d{2}\p{Lu}$"
    assert columns["r_case_number"]["max_nonmatching"] > 0  # the lower-case one
    assert "pattern" not in columns["sex"]  # an allowed list instead
    contract = tmp_path / "contract.yaml"
    contract.write_text(r.stdout, encoding="utf-8")
    out = tmp_path / "validation"
    r = runner.invoke(
        app, ["-q", "validate", str(path), "--contract", str(contract), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output  # the contract passes on the data it was learned from
    report = json.loads((out / "report.json").read_text())
    patterns = [c for c in report["checks"] if c["id"] == "quality.pattern"]
    # the three case-number columns (the dates are read as dates from the file)
    assert {c["column"] for c in patterns} == {"c_case_number", "r_case_number", "vr_case_number"}
    assert all(c["status"] == "pass" for c in patterns)
