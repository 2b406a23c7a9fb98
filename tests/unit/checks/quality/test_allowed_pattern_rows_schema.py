"""quality.allowed_values, quality.pattern, quality.row_count and quality.schema_match."""

from __future__ import annotations

import re
from collections import Counter
from math import comb

import polars as pl
import pytest
from pydantic import ValidationError

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.allowed_values import AllowedValues, disallowed
from mlaudit.checks.quality.pattern import Pattern
from mlaudit.checks.quality.row_count import RowCount
from mlaudit.checks.quality.schema_match import SchemaMatch, schema_differences
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import Status
from mlaudit.summary import CategoryCounts, DatasetProfile, ScanPlan, profile_frame


def _schema(df: pl.DataFrame, personal: tuple[str, ...] = ()) -> Schema:
    return Schema(
        columns=[
            ColumnSchema(
                name=c, dtype=str(df.schema[c]), type=ColumnType.CATEGORICAL, personal=c in personal
            )
            for c in df.columns
        ]
    )


def _ctx(
    df: pl.DataFrame,
    plan: ScanPlan | None = None,
    ref: pl.DataFrame | None = None,
    personal: tuple[str, ...] = (),
) -> CheckContext:
    schema = _schema(df, personal)
    return CheckContext(
        current=profile_frame(df, schema, plan),
        schema=schema,
        reference=None if ref is None else profile_frame(ref, _schema(ref, personal)),
    )


REGIONS = ["north", "south", "south", "east", "west", "nord", None, "north", "sud", "nord"]


def test_allowed_values_counts_like_python() -> None:
    allowed = {"north", "south", "east", "west"}
    bad = Counter(v for v in REGIONS if v is not None and v not in allowed)
    (r,) = AllowedValues(allowed={"region": sorted(allowed)}).compute(  # type: ignore[misc]
        _ctx(pl.DataFrame({"region": REGIONS}))
    )
    assert r.metrics["disallowed"] == sum(bad.values()) == 3
    assert r.metrics["values"] == 9
    assert r.metrics["disallowed_share"] == 3 / 9
    assert r.status is Status.FAIL
    assert r.exact
    assert "'nord' (2), 'sud' (1)" in r.message
    table = r.details[0]
    assert table.kind == "table"
    assert table.rows == [["nord", 2], ["sud", 1]]
    kinds = [d.kind for d in r.details]
    assert "distribution" in kinds
    assert "examples" in kinds


def test_allowed_values_accepts_yaml_scalars() -> None:
    check = AllowedValues(allowed={"flag": [True, False], "code": [1, 2]})  # type: ignore[dict-item]
    assert check.allowed == {"flag": ["true", "false"], "code": ["1", "2"]}
    df = pl.DataFrame({"flag": [True, False, True], "code": ["1", "2", "3"]})
    res = {r.column: r for r in check.compute(_ctx(df))}  # type: ignore[union-attr]
    assert res["flag"].status is Status.PASS
    assert res["code"].metrics["disallowed"] == 1


def test_disallowed_bounds_with_heavy_hitters() -> None:
    cats = CategoryCounts(counts={"a": 50, "b": 30, "x": 8}, exact=False, error=4)
    found = disallowed(cats, {"a", "b"}, non_null=100)
    # at least the listed 'x' (8); at most everything not credited to allowed values: 100 - 80
    assert (found.low, found.high) == (8, 20)
    assert not found.exact


def test_unseen_categories_against_reference() -> None:
    ref = pl.DataFrame({"region": ["north", "south", "east", "west"] * 5})
    (r,) = AllowedValues().compute(  # type: ignore[misc]
        _ctx(pl.DataFrame({"region": REGIONS}), ref=ref)
    )
    # 'nord' twice and 'sud' once in 9 current against 20 reference values: by exchangeability
    # 'nord' is new with probability C(9, 2) / C(29, 2), times the 6 pooled values (Bonferroni)
    assert r.metrics["unseen_p_value"] == pytest.approx(min(1, 6 * comb(9, 2) / comb(29, 2)))
    assert r.status is Status.PASS
    assert "expected by chance" in r.message
    assert r.metrics["unseen_distinct"] == 2
    assert r.metrics["unseen"] == 3
    dist = next(d for d in r.details if d.kind == "distribution")
    assert set(dist.counts) == {"current", "reference"}


def test_a_frequent_new_category_warns_and_rare_ones_do_not() -> None:
    ref = pl.DataFrame({"region": ["north", "south", "east", "west"] * 100})
    cur = pl.DataFrame({"region": ["north", "south", "east", "west"] * 90 + ["nord"] * 40})
    (r,) = AllowedValues().compute(_ctx(cur, ref=ref))  # type: ignore[misc]
    assert r.metrics["unseen_p_value"] == pytest.approx(5 * comb(400, 40) / comb(800, 40))
    assert r.status is Status.WARN
    # many rare values, each seen once: about half the pooled singletons land in each sample
    rare_ref = pl.DataFrame({"code": ["a"] * 300 + [f"r{i}" for i in range(0, 200, 2)]})
    rare_cur = pl.DataFrame({"code": ["a"] * 300 + [f"r{i}" for i in range(1, 200, 2)]})
    (q,) = AllowedValues().compute(_ctx(rare_cur, ref=rare_ref))  # type: ignore[misc]
    assert q.metrics["unseen"] == 100
    # expected new rows: 200 pooled singletons, each current with probability 400 / 800
    assert q.metrics["expected_unseen"] == pytest.approx(200 * 400 / 800 + 0.0)
    assert q.status is Status.PASS
    # a declared set stays a hard limit
    (h,) = AllowedValues(allowed={"code": ["a"]}).compute(_ctx(rare_cur))  # type: ignore[misc]
    assert h.status is Status.FAIL


def test_allowed_values_personal_hashed_is_skipped() -> None:
    df = pl.DataFrame({"name": ["Ann", "Bob"]})
    (r,) = AllowedValues(allowed={"name": ["Ann"]}).compute(  # type: ignore[misc]
        _ctx(df, personal=("name",))
    )
    assert r.status is Status.SKIPPED
    assert "hashed" in r.message


def test_allowed_values_without_config_or_reference_skipped() -> None:
    r = AllowedValues().compute(_ctx(pl.DataFrame({"a": ["x"]})))
    assert not isinstance(r, list)
    assert r.status is Status.SKIPPED


# -- pattern -----------------------------------------------------------------------------------

IDS = [
    "APP-0000001",
    "APP-1234567",
    "APP-12345",
    "app-0000002",
    None,
    "APP-7654321x",
    "APP-9999999",
]


def test_pattern_counts_like_re_search() -> None:
    rx = "^APP-[0-9]{7}$"
    check = Pattern(patterns={"application_id": rx})
    plan = check.scan_plan(ScanPlan(patterns={"application_id": {"pii": "x"}}))
    assert plan.patterns["application_id"] == {"pii": "x", "quality.pattern": rx}
    df = pl.DataFrame({"application_id": IDS})
    (r,) = check.compute(_ctx(df, plan))  # type: ignore[misc]
    bad = [v for v in IDS if v is not None and re.search(rx, v) is None]
    assert r.metrics["nonmatching"] == len(bad) == 3
    assert r.metrics["values"] == 6
    assert r.status is Status.FAIL
    assert sorted(row[1] for row in r.details[0].rows) == sorted(bad)  # type: ignore[union-attr]


def test_pattern_not_in_plan_skipped_and_bad_regex_rejected() -> None:
    (r,) = Pattern(patterns={"a": "^x$"}).compute(  # type: ignore[misc]
        _ctx(pl.DataFrame({"a": ["x"]}))
    )
    assert r.status is Status.SKIPPED
    with pytest.raises(ValidationError, match="look-around"):
        Pattern(patterns={"a": "(?<=a)b"})


# -- row count ---------------------------------------------------------------------------------


def _rows(n: int) -> CheckContext:
    schema = Schema(columns=[])
    return CheckContext(current=DatasetProfile(n_rows=n, columns={}), schema=schema)


@pytest.mark.parametrize(
    ("n", "kw", "status"),
    [
        (0, {}, Status.FAIL),
        (1, {}, Status.PASS),
        (5, {"min_rows": 10}, Status.FAIL),
        (10, {"min_rows": 10}, Status.PASS),
        (11, {"max_rows": 10}, Status.FAIL),
        (0, {"max_rows": 10}, Status.FAIL),
        (1_500, {"min_rows": 1_000, "max_rows": 2_000}, Status.PASS),
    ],
)
def test_row_count(n: int, kw: dict[str, int], status: Status) -> None:
    r = RowCount(**kw).compute(_rows(n))
    assert r.status is status
    assert r.metrics["rows"] == n


def test_row_count_messages_and_validation() -> None:
    assert RowCount().compute(_rows(0)).message == "The data set is empty (0 rows)."
    assert (
        "1,500 rows, within the expected 1,000 to 2,000"
        in RowCount(min_rows=1_000, max_rows=2_000).compute(_rows(1_500)).message
    )
    with pytest.raises(ValidationError, match="greater than max_rows"):
        RowCount(min_rows=5, max_rows=2)


# -- schema match ------------------------------------------------------------------------------


def _col(name: str, dtype: str, t: ColumnType, role: Role = Role.FEATURE) -> ColumnSchema:
    return ColumnSchema(name=name, dtype=dtype, type=t, role=role)


REF = Schema(
    columns=[
        _col("age", "int64", ColumnType.INTEGER),
        _col("income", "double", ColumnType.NUMERIC),
        _col("region", "large_string", ColumnType.CATEGORICAL),
        _col("id", "int64", ColumnType.ID, Role.ID),
        _col("notes", "large_string", ColumnType.TEXT),
    ]
)


def test_schema_differences_by_kind() -> None:
    cur = Schema(
        columns=[
            _col("age", "int32", ColumnType.INTEGER),  # same family: no difference
            _col("income", "large_string", ColumnType.TEXT),  # numbers → text: retyped
            _col("region", "large_string", ColumnType.TEXT),  # re-inferred: warn
            _col("id", "int64", ColumnType.ID, Role.FEATURE),  # role changed: warn
            _col("extra", "double", ColumnType.NUMERIC),  # new: warn
        ]
    )  # notes: missing
    kinds = {d.column: d.kind for d in schema_differences(REF, cur)}
    assert kinds == {
        "income": "retyped",
        "region": "type_changed",
        "id": "role_changed",
        "notes": "missing",
        "extra": "extra",
    }
    prof = DatasetProfile(n_rows=1, columns={})
    r = SchemaMatch().compute(
        CheckContext(current=prof, schema=cur, reference=prof, reference_schema=REF)
    )
    assert r.status is Status.FAIL
    assert r.metrics["missing_columns"] == 1
    assert r.metrics["retyped_columns"] == 1
    assert r.metrics["extra_columns"] == 1
    assert len(r.details[0].rows) == 5  # type: ignore[union-attr]


def test_schema_match_extra_only_warns_and_same_passes() -> None:
    prof = DatasetProfile(n_rows=1, columns={})
    extra = Schema(columns=[*REF.columns, _col("new", "double", ColumnType.NUMERIC)])
    r = SchemaMatch().compute(
        CheckContext(current=prof, schema=extra, reference=prof, reference_schema=REF)
    )
    assert r.status is Status.WARN
    assert "1 new (new)" in r.message
    same = SchemaMatch().compute(
        CheckContext(current=prof, schema=REF, reference=prof, reference_schema=REF)
    )
    assert same.status is Status.PASS
    assert SchemaMatch.needs_reference
