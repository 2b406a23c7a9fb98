"""Expanding suites and options into configured checks; config mistakes found before a scan."""

from __future__ import annotations

import pytest

from mlaudit.audit._plan import build_checks, referenced_columns, validate_columns
from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.errors import ConfigError
from mlaudit.suites import suite_checks


def schema(*names: str) -> Schema:
    return Schema(
        columns=[ColumnSchema(name=n, dtype="double", type=ColumnType.NUMERIC) for n in names]
    )


def test_suite_expands_to_registered_ids_in_order() -> None:
    ids = [c.id for c in build_checks("data_quality", {})]
    assert ids == suite_checks("data_quality")
    assert "quality.completeness" in ids and len(ids) == len(set(ids))


def test_options_configure_and_disable_and_add() -> None:
    checks = build_checks(
        "data_quality",
        {
            "quality.completeness": {"warn": 0.3, "fail": 0.4},
            "quality.constant": False,
            "quality.required_columns": {"required": ["a"]},
        },
    )
    by_id = {c.id: c for c in checks}
    assert by_id["quality.completeness"].warn == 0.3  # type: ignore[attr-defined]
    assert "quality.constant" not in by_id
    assert checks[-1].id == "quality.required_columns"


def test_exclude_removes_and_none_suite_is_empty() -> None:
    assert "quality.outliers" not in [
        c.id for c in build_checks("data_quality", {}, exclude=["quality.outliers"])
    ]
    assert build_checks("none", {}) == []


def test_unknown_check_id_suggests_close_ids() -> None:
    with pytest.raises(ConfigError, match="unknown check id 'quality.completenes'") as info:
        build_checks("none", {"quality.completenes": {}})
    assert info.value.fix is not None and "quality.completeness" in info.value.fix


def test_bad_option_names_check_and_key() -> None:
    with pytest.raises(ConfigError, match=r"checks.quality.completeness: unknown key 'warning'"):
        build_checks("none", {"quality.completeness": {"warning": 0.1}})


def test_unknown_suite() -> None:
    with pytest.raises(ConfigError, match="unknown suite"):
        build_checks("everything", {})


def test_column_named_in_options_must_exist() -> None:
    checks = build_checks("none", {"quality.value_range": {"bounds": {"agee": [0, 1]}}})
    assert referenced_columns(checks[0]) == {"agee"}
    with pytest.raises(ConfigError, match="column 'agee'") as info:
        validate_columns(checks, schema("age", "income"))
    assert info.value.fix is not None and "'age'" in info.value.fix
    validate_columns(checks, schema("agee"))  # no error when present


@pytest.mark.parametrize(
    ("check_id", "opts", "columns"),
    [
        ("quality.completeness", {"max_missing": {"incme": 0.1}}, {"incme"}),
        ("quality.outliers", {"column_limits": {"incme": [0.01, 0.1]}}, {"incme"}),
        ("drift.univariate", {"columns_thresholds": {"incme": {"alpha": 0.01}}}, {"incme"}),
        ("drift.dataset", {"weights": {"incme": 2.0}}, {"incme"}),
        ("quality.duplicate_keys", {"keys": [["incme", "age"]]}, {"incme", "age"}),
        # Detector settings are not columns: 'warm_start' was taken for a column name.
        ("performance.change_points", {"ddm": {"warm_start": 50}, "adwin": {"clock": 16}}, set()),
        ("quality.rules", {"rules": {"adult": "age >= 18"}}, set()),
    ],
)
def test_every_option_naming_columns_is_checked_against_the_data(
    check_id: str, opts: dict[str, object], columns: set[str]
) -> None:
    checks = build_checks("none", {check_id: opts})
    assert referenced_columns(checks[0]) == columns
    data = schema("age", "income")
    if columns - {"age", "income"}:
        with pytest.raises(ConfigError, match="column 'incme'") as info:
            validate_columns(checks, data)
        assert info.value.fix is not None and "'income'" in info.value.fix
    else:
        validate_columns(checks, data)
