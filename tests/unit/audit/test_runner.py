"""The runner: inputs of every kind, crash isolation, skipped checks, determinism, progress."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from mlaudit import Audit, AuditResult, Check, CheckContext, CheckResult, Status
from mlaudit.audit._progress import ProgressReporter
from mlaudit.errors import ConfigError, DataError
from mlaudit.report import dumps_canonical


@pytest.fixture
def frame() -> pl.DataFrame:
    n = 300
    return pl.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "age": [18 + (i * 7) % 60 for i in range(n)],
            "balance": [float((i * 37) % 1000) if i % 10 else None for i in range(n)],
            "segment": [["a", "b", "c"][i % 3] for i in range(n)],
        }
    )


class Boom(Check):
    id: ClassVar[str] = "test.boom"
    family: ClassVar[str] = "test"
    title: ClassVar[str] = "Crashes on purpose"

    def compute(self, ctx: CheckContext) -> CheckResult:
        raise ZeroDivisionError("division by zero in a buggy check")


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, int | None]] = []

    def start(self, key: str, description: str, total: int | None) -> None:
        self.events.append(("start", key, total))

    def advance(self, key: str, amount: int) -> None:
        self.events.append(("advance", key, amount))

    def finish(self, key: str) -> None:
        self.events.append(("finish", key, None))


def completeness(result: AuditResult, column: str) -> CheckResult:
    return next(c for c in result.checks if c.id == "quality.completeness" and c.column == column)


@pytest.mark.parametrize("kind", ["polars", "pandas", "arrow", "lazy"])
def test_every_frame_kind_gives_the_same_figures(frame: pl.DataFrame, kind: str) -> None:
    data = {
        "polars": frame,
        "pandas": frame.to_pandas(),
        "arrow": frame.to_arrow(),
        "lazy": frame.lazy(),
    }[kind]
    result = Audit(data, suite="data_quality").run()
    r = completeness(result, "balance")
    assert r.metrics["missing"] == frame["balance"].null_count() == 30
    assert result.inputs[0].rows == 300 and result.inputs[0].columns == 4


def test_a_crashing_check_becomes_an_error_and_the_audit_goes_on(frame: pl.DataFrame) -> None:
    result = Audit(frame, suite="data_quality", extra_checks=[Boom()]).run()
    boom = next(c for c in result.checks if c.id == "test.boom")
    assert boom.status == Status.ERROR and "ZeroDivisionError" in boom.message
    assert result.summary.status == Status.ERROR
    assert any(c.id == "quality.completeness" for c in result.checks)


def test_reference_checks_are_skipped_without_reference(frame: pl.DataFrame) -> None:
    result = Audit(frame, suite="data_quality").run()
    schema = next(c for c in result.checks if c.id == "quality.schema_match")
    assert schema.status == Status.SKIPPED and "--reference" in schema.message


def test_reference_adds_comparisons(frame: pl.DataFrame) -> None:
    current = frame.with_columns(pl.col("age").cast(pl.Utf8)).drop("segment")
    result = Audit(current, reference=frame, suite="data_quality").run()
    schema = next(c for c in result.checks if c.id == "quality.schema_match")
    assert schema.status == Status.FAIL
    assert "segment" in schema.message and "age" in schema.message
    assert [i.name for i in result.inputs] == ["reference", "current"]


def test_same_seed_same_report(frame: pl.DataFrame) -> None:
    a = Audit(frame, suite="data_quality", seed=3).run()
    b = Audit(frame, suite="data_quality", seed=3).run()

    def strip(r: AuditResult) -> str:
        return dumps_canonical(
            r.model_copy(update={"run_id": "x", "created_at": "t", "finished_at": "t"})
        )

    assert strip(a) == strip(b)


def test_progress_events(frame: pl.DataFrame) -> None:
    rec = Recorder()
    reporter: ProgressReporter = rec
    Audit(frame, suite="data_quality", progress=reporter).run()
    keys = [e[1] for e in rec.events if e[0] == "start"]
    assert keys == ["current", "checks"]
    rows = sum(e[2] or 0 for e in rec.events if e[0] == "advance" and e[1] == "current")
    assert rows == 2 * frame.height  # two passes over the data


def test_config_mistakes_before_reading_data(frame: pl.DataFrame) -> None:
    with pytest.raises(ConfigError, match="column 'agee'"):
        Audit(frame, checks={"quality.value_range": {"bounds": {"agee": [0, 1]}}}).run()
    with pytest.raises(ConfigError, match="unknown type"):
        Audit(frame, schema={"types": {"age": "weird"}}).run()


def test_empty_data_is_a_data_error() -> None:
    empty = pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.string())})
    with pytest.raises(DataError, match="no rows"):
        Audit(empty).run()


def test_declared_roles_appear_in_the_inputs(frame: pl.DataFrame) -> None:
    result = Audit(frame, schema={"id": ["customer_id"], "sensitive": ["segment"]}).run()
    schema = result.inputs[0].schema_
    assert schema["customer_id"]["role"] == "id" and schema["segment"]["role"] == "sensitive"
    assert schema["customer_id"]["inferred"] is False


def test_pandas_with_index_is_accepted() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, None]}, index=["a", "b", "c"])
    result = Audit(df, suite="data_quality").run()
    assert completeness(result, "x").metrics["missing"] == 1


def test_run_twice_on_one_audit_gives_the_same_result() -> None:
    """The runner keeps no state on the audit: a second run reads the inputs again."""
    from mlaudit.datasets._credit import make_credit_sample

    sample = make_credit_sample(seed=3, n_reference=2_000, n_current=2_000)
    audit = Audit(
        sample.current,
        reference=sample.reference,
        schema={"target": "default", "score": "score", "prediction": "prediction"},
        windows={"rows": 500},
    )
    before = dict(vars(audit))
    first, second = audit.run(), audit.run()
    assert vars(audit) == before

    def strip(r: AuditResult) -> str:
        return dumps_canonical(
            r.model_copy(update={"run_id": "x", "created_at": "t", "finished_at": "t"})
        )

    assert strip(first) == strip(second)
    over_time = [c for c in first.checks if c.id == "drift.over_time"]
    assert over_time and over_time[0].status != Status.SKIPPED  # the windows were cut
    assert [i.name for i in first.inputs] == ["reference", "current"]
