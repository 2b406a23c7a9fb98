"""Schema inference on a hand-made frame whose every column's type and role is known."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from pydantic import ValidationError

from mlaudit.data._schema import SchemaOverrides, compare_schemas, infer_schema
from mlaudit.data._sources import Dataset
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.errors import ConfigError

N = 100
# Valid IBANs (check digits verified by hand with the mod-97 rule; from the ECBS examples).
IBANS = ["DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606"]


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    i = list(range(N))
    return pl.DataFrame(
        {
            "customer_id": [f"C{k:05d}" for k in i],  # id: named so, all distinct
            "row_id": i,  # integer id
            "age": [18 + k % 60 for k in i],  # integer
            "income": [1000.0 + 12.5 * k for k in i],  # numeric
            "has_car": [k % 2 == 0 for k in i],  # boolean storage
            "is_owner": ["True" if k % 3 else "false" for k in i],  # boolean as text
            "grade": ["ABCD"[k % 4] for k in i],  # categorical: 4 distinct
            "comment": [f"free text comment number {k} about the loan" for k in i],  # text
            "signup": [f"2024-{k % 12 + 1:02d}-{k % 28 + 1:02d}" for k in i],  # datetime text
            "event_time": [dt.datetime(2024, 1, 1) + dt.timedelta(hours=k) for k in i],
            "label": [k % 2 for k in i],  # target
            "y_pred": [(k + 1) % 2 for k in i],  # prediction
            "proba": [k / (N - 1) for k in i],  # score in [0, 1]
            "credit_score": [300.0 + 5 * k for k in i],  # named like a score, but 300-795
            "Gender": ["F" if k % 2 else "M" for k in i],  # sensitive (case-insensitive)
            "applicant_race": ["abc"[k % 3] for k in i],  # sensitive by suffix
            "contact": [f"user{k}@example.com" for k in i],  # personal by value: e-mail
            "tel": [f"+44 20 7946 {k:04d}" for k in i],  # personal by value: phone
            "acct": [IBANS[k % 3] for k in i],  # personal by value: IBAN
            "surname": [f"Name{k}" for k in i],  # personal by name
            "date_of_birth": [dt.date(1980, 1, 1) + dt.timedelta(days=k) for k in i],
            "years_at_address": [k % 10 for k in i],  # not personal: a quantity
            "empty": pl.Series([None] * N, dtype=pl.String),  # unknown
        }
    )


@pytest.fixture(scope="module")
def schema(frame: pl.DataFrame) -> Schema:
    return infer_schema(frame)


EXPECTED_TYPES = {
    "customer_id": ColumnType.ID,
    "row_id": ColumnType.ID,
    "age": ColumnType.INTEGER,
    "income": ColumnType.NUMERIC,
    "has_car": ColumnType.BOOLEAN,
    "is_owner": ColumnType.BOOLEAN,
    "grade": ColumnType.CATEGORICAL,
    "comment": ColumnType.TEXT,
    "signup": ColumnType.DATETIME,
    "event_time": ColumnType.DATETIME,
    "label": ColumnType.INTEGER,
    "y_pred": ColumnType.INTEGER,
    "proba": ColumnType.NUMERIC,
    "credit_score": ColumnType.NUMERIC,
    "Gender": ColumnType.CATEGORICAL,
    "applicant_race": ColumnType.CATEGORICAL,
    "contact": ColumnType.TEXT,
    "tel": ColumnType.TEXT,
    "acct": ColumnType.CATEGORICAL,
    "surname": ColumnType.TEXT,
    "date_of_birth": ColumnType.DATETIME,
    "years_at_address": ColumnType.INTEGER,
    "empty": ColumnType.UNKNOWN,
}
EXPECTED_ROLES = {
    "customer_id": Role.ID,
    "row_id": Role.ID,
    "label": Role.TARGET,
    "y_pred": Role.PREDICTION,
    "proba": Role.SCORE,
    "Gender": Role.SENSITIVE,
    "applicant_race": Role.SENSITIVE,
    "event_time": Role.TIMESTAMP,
}
EXPECTED_PERSONAL = {"contact", "tel", "acct", "surname", "date_of_birth"}


def test_types(schema: Schema) -> None:
    assert {c.name: c.type for c in schema.columns} == EXPECTED_TYPES


def test_roles(schema: Schema) -> None:
    roles = {c.name: c.role for c in schema.columns}
    expected = {n: EXPECTED_ROLES.get(n, Role.FEATURE) for n in roles}
    assert roles == expected


def test_personal(schema: Schema) -> None:
    assert set(schema.personal) == EXPECTED_PERSONAL


def test_every_column_has_a_reason_and_arrow_dtype(schema: Schema, frame: pl.DataFrame) -> None:
    arrow = frame.to_arrow().schema
    for col in schema.columns:
        assert col.inferred
        assert col.dtype == str(arrow.field(col.name).type)
        assert col.reason, col.name
    assert "e-mail" in schema["contact"].reason
    assert "IBAN" in schema["acct"].reason
    assert "not numbers in [0, 1]" in schema["credit_score"].reason


def test_order_of_columns_is_kept(schema: Schema, frame: pl.DataFrame) -> None:
    assert schema.names == frame.columns


def test_categorical_limit_is_max_20_or_5_percent() -> None:
    # 1000 rows: limit max(20, 50) = 50 → 50 distinct is categorical, 51 is text
    fifty = pl.DataFrame({"c": [f"v{k % 50}" for k in range(1000)]})
    fifty_one = pl.DataFrame({"c": [f"v{k % 51}" for k in range(1000)]})
    assert infer_schema(fifty)["c"].type == ColumnType.CATEGORICAL
    assert infer_schema(fifty_one)["c"].type == ColumnType.TEXT
    # 40 rows: limit 20
    assert infer_schema(pl.DataFrame({"c": [f"v{k % 21}" for k in range(40)]}))["c"].type == (
        ColumnType.TEXT
    )


def test_iso_date_threshold_95_percent() -> None:
    ok = [f"2024-01-{k % 28 + 1:02d}" for k in range(95)] + [f"x{k}" for k in range(5)]
    bad = [f"2024-01-{k % 28 + 1:02d}" for k in range(94)] + [f"x{k}" for k in range(6)]
    assert infer_schema(pl.DataFrame({"d": ok}))["d"].type == ColumnType.DATETIME
    assert infer_schema(pl.DataFrame({"d": bad}))["d"].type != ColumnType.DATETIME
    invalid_day = pl.DataFrame({"d": ["2024-02-31"] * 100})  # shaped like a date, is not one
    assert infer_schema(invalid_day)["d"].type != ColumnType.DATETIME


def test_id_needs_name_and_uniqueness() -> None:
    df = pl.DataFrame({"id": [1, 1, 2, 3], "code": [10, 11, 12, 13], "key": ["a", "b", "c", "d"]})
    s = infer_schema(df)
    assert s["id"].type == ColumnType.INTEGER  # 3 distinct of 4: not nearly unique
    assert s["code"].type == ColumnType.INTEGER  # unique but not named like an id
    assert s["key"].type == ColumnType.ID
    assert s["key"].role == Role.ID


def test_only_the_first_target_is_taken() -> None:
    s = infer_schema(pl.DataFrame({"target": [0, 1], "label": [1, 0]}))
    assert s["target"].role == Role.TARGET
    assert s["label"].role == Role.FEATURE


def test_personal_value_threshold_is_half() -> None:
    half = [f"u{k}@example.org" for k in range(50)] + [f"word{k}" for k in range(50)]
    under = [f"u{k}@example.org" for k in range(49)] + [f"word{k}" for k in range(51)]
    assert infer_schema(pl.DataFrame({"c": half}))["c"].personal
    assert not infer_schema(pl.DataFrame({"c": under}))["c"].personal


def test_invalid_ibans_are_not_personal() -> None:
    fake = ["DE00370400440532013000"] * 10  # right shape, wrong check digits
    assert not infer_schema(pl.DataFrame({"c": fake}))["c"].personal


def test_sample_rows_limits_what_is_read() -> None:
    df = pl.DataFrame({"c": ["a"] * 30 + [f"v{k}" for k in range(70)]})
    assert infer_schema(df, sample_rows=30)["c"].type == ColumnType.CATEGORICAL
    assert infer_schema(df)["c"].type == ColumnType.TEXT


def test_dataset_input_gives_same_schema(frame: pl.DataFrame, schema: Schema) -> None:
    assert infer_schema(Dataset(frame.to_arrow())) == schema


# -- overrides ---------------------------------------------------------------------------------


def test_declared_roles_win_and_switch_off_inference(frame: pl.DataFrame) -> None:
    ov = SchemaOverrides(
        target="has_car",
        score="income",
        sensitive=["age"],
        ignore=["comment"],
        id=["surname"],
        timestamp="signup",
        personal=["grade"],
        types={"age": ColumnType.CATEGORICAL},
    )
    s = infer_schema(frame, overrides=ov)
    assert s["has_car"].role == Role.TARGET
    assert not s["has_car"].inferred
    assert s["label"].role == Role.FEATURE  # target declared elsewhere: not inferred
    assert s["income"].role == Role.SCORE
    assert s["proba"].role == Role.FEATURE
    assert s["age"].role == Role.SENSITIVE
    assert s["age"].type == ColumnType.CATEGORICAL
    assert s["Gender"].role == Role.FEATURE
    assert s["applicant_race"].role == Role.FEATURE
    assert s["comment"].role == Role.IGNORED
    assert s["surname"].role == Role.ID
    assert s["surname"].type == ColumnType.ID
    assert s["customer_id"].role == Role.FEATURE  # id declared elsewhere
    assert s["signup"].role == Role.TIMESTAMP
    assert s["event_time"].role == Role.FEATURE
    assert s["grade"].personal
    assert not s["grade"].inferred
    assert s["contact"].personal  # detection stays on next to declarations
    assert s["y_pred"].role == Role.PREDICTION
    assert s["y_pred"].inferred
    assert "declared" in s["has_car"].reason


def test_declared_column_that_does_not_exist(frame: pl.DataFrame) -> None:
    with pytest.raises(ConfigError) as err:
        infer_schema(frame, overrides=SchemaOverrides(target="lable"))
    msg = str(err.value)
    assert "'lable' declared as target" in msg
    assert "'label'" in msg
    with pytest.raises(ConfigError, match=r"'gender' declared as sensitive.*'Gender'"):
        infer_schema(frame, overrides=SchemaOverrides(sensitive=["gender"]))
    with pytest.raises(ConfigError, match="declared as types"):
        infer_schema(frame, overrides=SchemaOverrides(types={"nope": ColumnType.TEXT}))


def test_column_declared_with_two_roles(frame: pl.DataFrame) -> None:
    with pytest.raises(ConfigError, match="both as target and as sensitive"):
        infer_schema(frame, overrides=SchemaOverrides(target="label", sensitive=["label"]))


def test_overrides_are_strict() -> None:
    with pytest.raises(ValidationError):
        SchemaOverrides(targt="x")  # type: ignore[call-arg]
    ov = SchemaOverrides(types={"a": "text"})  # type: ignore[dict-item]
    assert ov.types == {"a": ColumnType.TEXT}
    with pytest.raises(ValidationError):
        ov.target = "b"  # type: ignore[misc]


# -- comparison --------------------------------------------------------------------------------


def col(name: str, t: ColumnType) -> ColumnSchema:
    return ColumnSchema(name=name, dtype="x", type=t)


def test_compare_schemas() -> None:
    ref = Schema(
        columns=[col("a", ColumnType.INTEGER), col("b", ColumnType.TEXT),
                 col("c", ColumnType.NUMERIC), col("d", ColumnType.BOOLEAN)]
    )  # fmt: skip
    cur = Schema(
        columns=[col("e", ColumnType.TEXT), col("c", ColumnType.TEXT), col("a", ColumnType.INTEGER)]
    )
    cmp = compare_schemas(ref, cur)
    assert cmp.missing == ["b", "d"]
    assert cmp.extra == ["e"]
    assert cmp.common == ["a", "c"]
    assert cmp.retyped == [("c", ColumnType.NUMERIC, ColumnType.TEXT)]
    assert cmp.disjoint is False
    other = Schema(columns=[col("z", ColumnType.TEXT)])
    assert compare_schemas(ref, other).disjoint is True
    assert compare_schemas(ref, ref).retyped == []
    assert compare_schemas(ref, ref).missing == []
