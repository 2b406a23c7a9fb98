"""Readers fuzzed: CSV text in random dialects and Parquet from random Arrow tables, with
random column names and values, audited and written as a report set in-process.

Invariant: a whole report set, or a clear MLAuditError (exit 2/3, no "internal error")."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mlaudit import Audit, AuditResult, MLAuditError
from tests.fuzz._invariant import assert_whole_set, clear_or_value
from tests.fuzz._strategies import dialects, tables
from tests.fuzz.conftest import Counter, examples

pytestmark = pytest.mark.fuzz


def _audit_and_write(path: Path, cases: Counter) -> None:
    """Audit ``path`` with the data-quality suite; write every format when it ran."""
    cases()
    result = clear_or_value(lambda: Audit(path, suite="data_quality").run())
    if isinstance(result, MLAuditError):
        cases.errors += 1
        return
    assert isinstance(result, AuditResult)
    assert_whole_set(result, path.parent / "out")


def _csv_text(table: dict[str, list[Any]], dialect: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, **dialect)
    writer.writerow(list(table))
    rows = zip(*table.values(), strict=True) if table else []
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue()


_COMMA = {"delimiter": ",", "quotechar": '"', "quoting": csv.QUOTE_MINIMAL, "lineterminator": "\n"}


@settings(max_examples=examples(40))
@given(table=tables(), dialect=dialects(), bom=st.booleans())
# Found by this test: a column whose only value is the smallest subnormal float gave the chart
# axis a step of 10 ** -inf (math domain error) and lost the report set.
@example(table={"0": [None] * 24 + [5e-324]}, dialect=_COMMA, bom=False)
@example(table={"x": [-1.7e308, 1.7e308, 0.0]}, dialect=_COMMA, bom=False)
def test_csv_in_any_dialect_gives_a_report_or_a_clear_error(
    cases: Counter, table: dict[str, list[Any]], dialect: dict[str, Any], bom: bool
) -> None:
    text = _csv_text(table, dialect)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8", newline="")
        _audit_and_write(path, cases)


# Any header line, control characters and empty fields included, then any text.
_header = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1)


@settings(max_examples=examples(25))
@given(text=st.builds(lambda h, body: f"{h}\n{body}", _header, st.text(max_size=400)))
@example(text='a,b\n1,"unterminated\n')
@example(text="a\x00b,c\n1,2\n")
@example(text="\n\n\n")
# A header with an empty field raised polars' ColumnNotFoundError '"" not found' (item 1).
@example(text="0,\n")
@example(text="0 \n")
@example(text="bad\x01name,b\n1,2\n3,4\n")
def test_any_text_as_a_csv_gives_a_report_or_a_clear_error(cases: Counter, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        path.write_text(text, encoding="utf-8", newline="")
        _audit_and_write(path, cases)


def _arrow(table: dict[str, list[Any]]) -> pa.Table:
    """Each column as Arrow infers it, or as text when its values do not share a type."""
    arrays = []
    for values in table.values():
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays.append(pa.array([None if v is None else str(v) for v in values]))
    return pa.Table.from_arrays(arrays, names=list(table))


@settings(max_examples=examples(30))
@given(table=tables(), row_group=st.integers(1, 8))
def test_parquet_of_random_arrow_tables_gives_a_report_or_a_clear_error(
    cases: Counter, table: dict[str, list[Any]], row_group: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.parquet"
        pq.write_table(_arrow(table), path, row_group_size=row_group)
        _audit_and_write(path, cases)
