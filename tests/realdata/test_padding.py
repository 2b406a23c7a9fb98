"""quality.padding and suggested contracts on real tables.

Adult as UCI ships it (``, `` between fields, read with a plain comma) has a leading space in
every text value; German credit and COMPAS have none.  The counts are compared with pandas'
``str.startswith(' ')`` on the same frame.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

from mlaudit import Audit
from mlaudit.audit import profile_data
from mlaudit.cli import app
from mlaudit.results import Severity, Status
from mlaudit.suites import dump_contract, suggest_contract
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

CHECK = {"quality.padding": {}}
SEEDS = range(10)
ALPHA = 0.01


def adult_as_shipped() -> pl.DataFrame:
    """Adult read with a plain comma separator, as a first try would: values keep the space."""
    return pl.read_csv(io.BytesIO(t.adult_csv()), infer_schema_length=None)


TABLES: dict[str, Callable[[], pl.DataFrame]] = {
    "adult_as_shipped": adult_as_shipped,
    "german": t.german,
    "compas": t.compas,
}


def test_adult_every_text_column_is_systematically_padded() -> None:
    df = adult_as_shipped()
    pdf = df.to_pandas()
    report = Audit(df, suite="none", checks=CHECK).run()
    by_column = {r.column: r for r in report.checks}
    text_columns = [c for c in df.columns if df[c].dtype == pl.String]
    assert set(by_column) == set(text_columns)
    for c in text_columns:
        r = by_column[c]
        starts = int(pdf[c].str.startswith(" ").sum())  # the oracle: pandas
        assert starts == len(pdf)  # every Adult value has the space, '?' too
        assert r.status is Status.WARN and r.severity is Severity.LOW, r.message
        assert r.metrics["leading"] == starts
        assert r.metrics["padded_values"] == starts
        assert r.metrics["space_values"] == starts
        assert r.metrics["trailing"] == 0
        assert "systematic padding" in r.message
    table = by_column["workclass"].details[0]
    assert ["' Private'", int((pdf["workclass"] == " Private").sum())] == table.rows[0][:2]


@pytest.mark.parametrize("name", ["german", "compas"])
def test_tables_without_padding_pass(name: str) -> None:
    report = Audit(TABLES[name](), suite="none", checks=CHECK).run()
    assert report.checks
    assert {r.status for r in report.checks} <= {Status.PASS, Status.SKIPPED}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_random_halves_never_fail_and_warn_at_most_at_alpha(name: str) -> None:
    halves = t.audit_halves(TABLES[name](), SEEDS, CHECK)  # no fail, no error
    judged, warned = halves.judged, halves.warned
    assert judged >= len(SEEDS)
    assert warned <= ALPHA * judged, f"{warned} warnings in {judged} results"


def test_halves_of_padded_adult_pass_with_the_padding_in_evidence() -> None:
    ref, cur = t.random_halves(adult_as_shipped(), 0)
    report = Audit(cur, reference=ref, suite="none", checks=CHECK).run()
    r = next(r for r in report.checks if r.column == "sex")
    assert r.status is Status.PASS
    assert "The reference has the same padding" in r.message
    assert r.metrics["padded_share"] == 1.0 and r.metrics["reference_padded_share"] == 1.0


def test_suggested_contract_on_adult_keeps_padded_values_says_so_and_passes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "adult.csv"
    path.write_bytes(t.adult_csv())
    _, schema, profile = profile_data(str(path))
    text = dump_contract(suggest_contract(profile, schema))
    data = yaml.safe_load(text)
    pdf = adult_as_shipped().to_pandas()
    assert data["columns"]["sex"]["allowed"] == sorted(pdf["sex"].unique())  # [' Female', ' Male']
    # ' ?' is a missing marker: left out of the allowed set, declared as missing instead
    work = pdf["workclass"]
    assert data["columns"]["workclass"]["allowed"] == sorted(set(work.unique()) - {" ?"})
    assert data["columns"]["workclass"]["missing_markers"] == ["?"]
    assert data["columns"]["workclass"]["max_missing"] > (work == " ?").mean()
    assert "every value has leading or trailing whitespace as read" in text
    assert "skip_initial_space" in text
    contract = tmp_path / "contract.yaml"
    contract.write_text(text)
    out = tmp_path / "validation"
    r = CliRunner().invoke(
        app, ["-q", "validate", str(path), "--contract", str(contract), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output  # the contract passes on the data it was learned from
    report = json.loads((out / "report.json").read_text())
    allowed = [c for c in report["checks"] if c["id"] == "quality.allowed_values"]
    assert allowed and all(c["status"] == "pass" for c in allowed)
