"""quality.inconsistent_categories: spelling groups and statuses from hand counts."""

from __future__ import annotations

import polars as pl
import pytest

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.inconsistent_categories import (
    Group,
    InconsistentCategories,
    normalise,
    spelling_groups,
)
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import Status
from mlaudit.summary import profile_frame


def _ctx(df: pl.DataFrame, *, role: Role = Role.FEATURE, personal: bool = False) -> CheckContext:
    schema = Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype="large_string",
                type=ColumnType.CATEGORICAL,
                role=role,
                personal=personal,
            )
            for c in df.columns
        ]
    )
    return CheckContext(current=profile_frame(df, schema), schema=schema)


def test_spelling_groups_by_hand() -> None:
    groups = spelling_groups({"Yes": 900, "yes": 80, "Y": 20, "No": 1000, "maybe": 3})
    assert groups == [Group(key="true", variants=(("Yes", 900), ("yes", 80), ("Y", 20)))]
    (g,) = groups
    assert (g.main, g.total, g.minority) == ("Yes", 1000, 100)


def test_groups_sorted_by_affected_rows() -> None:
    groups = spelling_groups(
        {"Self-Employed": 50, "self employed": 10, "selfemployed": 1, "N": 5, "no": 7, "x": 1}
    )
    assert [(g.key, g.minority) for g in groups] == [("selfemployed", 11), ("false", 5)]
    assert groups[1].variants == (("no", 7), ("N", 5))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Self-Employed", "self employed", True),
        ("  New   York ", "new_york", True),
        ("ＡＢＣ", "abc", True),  # full-width letters
        ("Straße", "STRASSE", True),
        ("TRUE", "t", True),
        ("0", "No", True),
        ("1.5", "15", False),
        ("A+", "A", False),
        ("yes", "no", False),
    ],
)
def test_normalise(a: str, b: str, same: bool) -> None:
    assert (normalise(a) == normalise(b)) is same


def _values(minority: int) -> list[str]:
    return ["Yes"] * (1000 - minority) + ["yes"] * minority + ["No"] * 1000


def test_warn_within_fail_share() -> None:
    (r,) = InconsistentCategories().compute(_ctx(pl.DataFrame({"owns_home": _values(100)})))
    assert r.status is Status.WARN  # 100 / 2000 = 5.0%, not above 5%
    assert r.metrics["minority_spelling_rows"] == 100
    assert r.metrics["minority_spelling_share"] == 0.05
    assert r.metrics["inconsistent_groups"] == 1
    assert "'Yes' also as 'yes'" in r.message
    (table,) = r.details
    assert table.rows == [["Yes", "'Yes' (900), 'yes' (100)", 2, 100]]


def test_fail_above_fail_share() -> None:
    (r,) = InconsistentCategories().compute(_ctx(pl.DataFrame({"owns_home": _values(101)})))
    assert r.status is Status.FAIL
    (r2,) = InconsistentCategories(fail_share=0.2).compute(
        _ctx(pl.DataFrame({"owns_home": _values(101)}))
    )
    assert r2.status is Status.WARN


def test_consistent_column_passes_and_nulls_are_ignored() -> None:
    df = pl.DataFrame({"c": ["a", "b", None, "c", "a"]})
    (r,) = InconsistentCategories().compute(_ctx(df))
    assert r.status is Status.PASS
    assert r.metrics["minority_spelling_rows"] == 0


def test_edge_inputs() -> None:
    empty = pl.DataFrame({"c": []}, schema={"c": pl.String})
    assert InconsistentCategories().compute(_ctx(empty))[0].status is Status.SKIPPED
    nulls = pl.DataFrame({"c": [None, None]}, schema={"c": pl.String})
    assert InconsistentCategories().compute(_ctx(nulls))[0].status is Status.SKIPPED
    one = pl.DataFrame({"ünï": ["x"]})
    assert InconsistentCategories().compute(_ctx(one))[0].status is Status.PASS


def test_personal_and_id_columns() -> None:
    df = pl.DataFrame({"c": ["Yes", "yes"]})
    (r,) = InconsistentCategories().compute(_ctx(df, personal=True))
    assert r.status is Status.SKIPPED
    assert "hashed" in r.message
    assert InconsistentCategories().compute(_ctx(df, role=Role.ID)) == []
