"""CSV dialects: detected on a sample or given, and read as an independent parser reads them.

Expected values come from Python's ``csv`` module or ``polars.read_csv`` with explicit options,
never from the reader under test.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from mlaudit.data import CsvOptions, Dataset
from mlaudit.data._dialect import detect_dialect
from mlaudit.errors import ConfigError, DataSourceError, MLAuditWarning, SchemaError


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(n: int, sep: str, dec: str = ".") -> str:
    head = sep.join(["status", "duration", "amount", "note"])
    body = [sep.join([f"A{i % 3}", str(i), f"{i}{dec}{i % 10}5", f"n{i}"]) for i in range(n)]
    return "\n".join([head, *body]) + "\n"


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_each_separator_is_detected_and_read_as_polars_reads_it(tmp_path: Path, sep: str) -> None:
    path = write(tmp_path, rows(50, sep))  # a .csv name whatever the separator
    ds = Dataset(path)
    assert ds.dialect is not None
    assert ds.dialect.separator == sep
    assert "separator" not in ds.dialect.given
    expected = pl.read_csv(path, separator=sep)
    assert_frame_equal(ds.to_polars(), expected)


def test_semicolon_file_with_a_csv_name_is_not_one_column(tmp_path: Path) -> None:
    path = write(tmp_path, "status;duration;purpose\nA11;6;A43\nA12;48;A43\n")
    ds = Dataset(path)
    assert ds.arrow_schema.names == ["status", "duration", "purpose"]
    assert ds.to_polars()["duration"].to_list() == [6, 48]


def test_decimal_commas_give_numbers(tmp_path: Path) -> None:
    text = rows(40, ";", dec=",")
    path = write(tmp_path, text)
    ds = Dataset(path)
    assert ds.dialect is not None
    assert ds.dialect.decimal == ","
    got = ds.to_polars()
    assert got["amount"].dtype == pl.Float64
    oracle = [
        float(r["amount"].replace(",", "."))
        for r in csv.DictReader(io.StringIO(text), delimiter=";")
    ]
    assert got["amount"].to_list() == oracle
    assert got["duration"].dtype == pl.Int64  # integers stay integers
    assert got["note"].dtype == pl.String


def test_decimal_comma_read_in_several_batches(tmp_path: Path) -> None:
    text = rows(1000, "\t", dec=",")
    path = write(tmp_path, text)
    ds = Dataset(path, batch_size=64)
    total = sum(b.column("amount").to_pylist()[0] for b in ds.batches())
    oracle = [
        float(r["amount"].replace(",", "."))
        for r in csv.DictReader(io.StringIO(text), delimiter="\t")
    ]
    assert total == pytest.approx(sum(oracle[::64]))


def test_a_later_value_that_is_not_a_decimal_comma_number_is_named(tmp_path: Path) -> None:
    body = "".join(f"{i};{i},5\n" for i in range(20_000))  # beyond the 64 KiB sample
    path = write(tmp_path, "id;x\n" + body + "9999;oops\n")
    ds = Dataset(path)
    with pytest.raises(DataSourceError, match="'oops'"):
        ds.to_polars()


def test_quoted_separators_stay_inside_values(tmp_path: Path) -> None:
    text = 'name;city;n\n"Doe; John";"Paris";1\n"Roe; Jane";"Lyon";2\n"Poe";"Nice";3\n'
    path = write(tmp_path, text)
    ds = Dataset(path)
    assert ds.dialect is not None
    assert ds.dialect.separator == ";"
    oracle = [r[0] for r in csv.reader(io.StringIO(text), delimiter=";")][1:]
    assert ds.to_polars()["name"].to_list() == oracle


def test_single_quote_character_is_detected(tmp_path: Path) -> None:
    text = "a,b\n'x, y',1\n'z',2\n"
    ds = Dataset(write(tmp_path, text))
    assert ds.dialect is not None
    assert ds.dialect.quote == "'"
    oracle = [r[0] for r in csv.reader(io.StringIO(text), quotechar="'")][1:]
    assert ds.to_polars()["a"].to_list() == oracle


def test_one_column_whose_name_holds_a_separator_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "status;duration;amount\nA11;6;1\nA12;48;2\n")
    with pytest.raises(SchemaError) as err:
        Dataset(path, csv={"separator": ","})
    assert "one column" in err.value.message
    assert err.value.fix is not None
    assert "separator=';'" in err.value.fix
    assert err.value.exit_code == 3


def test_explicit_options_override_detection(tmp_path: Path) -> None:
    # detected: ';' separator and decimal comma; given: ',' separator (the file is read as
    # the user says, and the dialect records what was given)
    text = "a;b,c\n1;2,5\n3;4,5\n"
    path = write(tmp_path, text)
    ds = Dataset(path, csv=CsvOptions(separator=",", decimal="."))
    assert ds.dialect is not None
    assert ds.dialect.given == {"separator", "decimal"}
    expected = pl.read_csv(path, separator=",")
    assert_frame_equal(ds.to_polars(), expected)


def test_header_detected_absent_on_numeric_first_line(tmp_path: Path) -> None:
    text = "1,2.5,x\n3,4.5,y\n5,6.5,z\n"
    ds = Dataset(write(tmp_path, text))
    assert ds.dialect is not None
    assert ds.dialect.header is False
    expected = pl.read_csv(
        io.StringIO(text), has_header=False, new_columns=["column_1", "column_2", "column_3"]
    )
    assert_frame_equal(ds.to_polars(), expected)


def test_header_given_wins(tmp_path: Path) -> None:
    text = "2019,2020\n1,2\n3,4\n"
    ds = Dataset(write(tmp_path, text), csv={"header": True})
    assert ds.arrow_schema.names == ["2019", "2020"]
    assert ds.num_rows is None and ds.to_polars().height == 2


def test_null_values_given(tmp_path: Path) -> None:
    text = "a,b\n1,?\n2,x\n?,y\n"
    got = Dataset(write(tmp_path, text), csv={"null_values": ["?"]}).to_polars()
    expected = pl.read_csv(io.StringIO(text), null_values=["?"])
    assert_frame_equal(got, expected)


def test_padding_is_reported_and_kept_unless_asked(tmp_path: Path) -> None:
    text = "age,job,n\n39, clerk, 1\n50, ?, 2\n41, nurse, 3\n"
    path = write(tmp_path, text)
    kept = Dataset(path)
    assert kept.dialect is not None and kept.dialect.padded
    assert kept.to_polars()["job"].to_list() == [" clerk", " ?", " nurse"]  # never silent
    stripped = Dataset(path, csv={"skip_initial_space": True, "null_values": ["?"]})
    expected = [
        r["job"] if r["job"] != "?" else None
        for r in csv.DictReader(io.StringIO(text), skipinitialspace=True)
    ]
    assert stripped.to_polars()["job"].to_list() == expected
    assert stripped.to_polars()["n"].to_list() == [1, 2, 3]


def test_duplicate_names_refused_with_the_option_named(tmp_path: Path) -> None:
    path = write(tmp_path, "id,score,score\n1,2,3\n")
    with pytest.raises(SchemaError) as err:
        Dataset(path)
    assert "rename_duplicates" in (err.value.fix or "")


def test_duplicate_names_renamed_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "id,score,score,score_2\n1,2,3,4\n")
    with pytest.warns(MLAuditWarning, match="score"):
        ds = Dataset(path, csv={"rename_duplicates": True})
    assert ds.arrow_schema.names == ["id", "score", "score_3", "score_2"]
    assert ds.renamed_columns == ["score"]
    assert ds.to_polars().row(0) == (1, 2, 3, 4)


def test_ragged_file_is_blamed_on_its_line_with_the_dialect(tmp_path: Path) -> None:
    path = write(tmp_path, "a;b\n1;2\n3;4;5\n6;7\n")
    with pytest.raises(DataSourceError) as err:
        Dataset(path).to_polars()
    assert "line 3" in err.value.message
    assert "semicolon" in err.value.message


def test_space_separated_file_needs_constant_fields(tmp_path: Path) -> None:
    text = "A11 6 A34\nA12 48 A32\nA14 12 A34\n"
    path = write(tmp_path, text, "german.data.csv")
    d = detect_dialect(path, encoding="utf-8", options=CsvOptions())
    assert (d.separator, d.header) == (" ", False)
    uneven = write(tmp_path, "name\nJohn Smith\nAda\n", "names.csv")
    assert detect_dialect(uneven, encoding="utf-8", options=CsvOptions()).separator == ","


def test_bad_options_are_configuration_errors() -> None:
    with pytest.raises(ConfigError):
        CsvOptions(separator=";;")
    with pytest.raises(ConfigError):
        CsvOptions(separator=",", decimal=",")


def test_csv_options_on_parquet_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pl.DataFrame({"a": [1]}).write_parquet(path)
    with pytest.raises(DataSourceError, match="CSV options"):
        Dataset(path, csv={"separator": ";"})


def test_no_warning_without_duplicates(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Dataset(write(tmp_path, "a,b\n1,2\n"), csv={"rename_duplicates": True}).to_polars()
