"""The real tables read as published: German credit (space-separated, no header), Adult
(``, `` separated) and COMPAS (two columns named ``decile_score``), compared with polars
reading them with explicit options (tests/realdata/_tables.py)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from mlaudit.data import Dataset
from mlaudit.errors import MLAuditWarning, SchemaError
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata


def test_german_space_separated_without_header(tmp_path: Path) -> None:
    path = tmp_path / "german.data.csv"
    path.write_bytes(t.german_text())
    ds = Dataset(path)
    assert ds.dialect is not None
    assert (ds.dialect.separator, ds.dialect.header) == (" ", False)
    got = ds.to_polars()
    expected = t.german()
    assert got.shape == expected.shape == (1_000, 21)
    assert_frame_equal(got.rename(dict(zip(got.columns, expected.columns, strict=True))), expected)


def test_adult_padding_reported_kept_then_stripped_on_request(tmp_path: Path) -> None:
    path = tmp_path / "adult.csv"
    path.write_bytes(t.adult_csv())
    kept = Dataset(path)
    assert kept.dialect is not None
    assert (kept.dialect.separator, kept.dialect.padded) == (",", True)
    assert kept.head(1)["workclass"][0] == " State-gov"  # the file's value, unchanged
    ds = Dataset(path, csv={"skip_initial_space": True, "null_values": ["?"]})
    got = ds.to_polars()
    expected = t.adult()  # polars on the file with ', ' replaced by ',' and '?' as missing
    assert_frame_equal(got, expected, check_dtypes=False)
    assert got["workclass"].null_count() == 1_836


def test_compas_duplicate_columns_renamed_on_request(tmp_path: Path) -> None:
    path = tmp_path / "compas.csv"
    path.write_bytes(t.compas_csv())
    with pytest.raises(SchemaError, match="decile_score"):
        Dataset(path)
    with pytest.warns(MLAuditWarning, match="decile_score"):
        ds = Dataset(path, csv={"rename_duplicates": True})
    got = ds.to_polars()
    expected = t.compas()  # polars, second occurrence suffixed _1
    assert got.height == expected.height == 7_214
    assert got["decile_score_2"].to_list() == expected["decile_score_1"].to_list()
    assert got["priors_count_2"].to_list() == expected["priors_count_1"].to_list()
    assert ds.renamed_columns == ["decile_score", "priors_count"]


def test_german_as_semicolon_with_decimal_commas(tmp_path: Path) -> None:
    """German credit re-exported the European way: ';' and a decimal-comma amount column."""
    frame = t.german().with_columns((pl.col("credit_amount") / 100).alias("amount_hundreds"))
    text = frame.with_columns(
        pl.col("amount_hundreds").cast(pl.String).str.replace(".", ",", literal=True)
    ).write_csv(separator=";")
    path = tmp_path / "german.csv"
    path.write_text(text)
    ds = Dataset(path)
    assert ds.dialect is not None
    assert (ds.dialect.separator, ds.dialect.decimal) == (";", ",")
    got = ds.to_polars()
    assert got["amount_hundreds"].to_list() == pytest.approx(
        frame["amount_hundreds"].to_list(), rel=0, abs=1e-12
    )
