"""Audit configuration files: valid files load, mistakes are named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlaudit.config import AuditConfig, Settings, load_config
from mlaudit.errors import ConfigError


def write(tmp_path: Path, text: str, name: str = "audit.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_minimal_yaml_resolves_paths_relative_to_the_file(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "current: data/cur.parquet\nreference: ref.csv\n"))
    assert cfg.current.path == str(tmp_path / "data/cur.parquet")
    assert cfg.reference is not None and cfg.reference.path == str(tmp_path / "ref.csv")
    assert cfg.suite == "full" and cfg.output.formats == ["html", "json"]


def test_toml_is_accepted(tmp_path: Path) -> None:
    text = '[current]\npath = "/data/x.csv"\n[schema]\ntarget = "y"\n'
    cfg = load_config(write(tmp_path, text, "audit.toml"))
    assert cfg.current.path == "/data/x.csv" and cfg.schema_.target == "y"


def test_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'currnet'"):
        load_config(write(tmp_path, "current: a.csv\ncurrnet: b.csv\n"))


def test_wrong_type_names_key_and_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'seed'.*got 'abc'"):
        load_config(write(tmp_path, "current: a.csv\nseed: abc\n"))


def test_nested_unknown_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'schema.targte'"):
        load_config(write(tmp_path, "current: a.csv\nschema:\n  targte: y\n"))


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "current: [a\n"))
    with pytest.raises(ConfigError, match="mapping"):
        load_config(write(tmp_path, "- a\n- b\n"))


def test_config_errors_are_value_errors_with_exit_code_2(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as info:
        load_config(write(tmp_path, "current: a.csv\nsuite: everything\n"))
    assert isinstance(info.value, ConfigError) and info.value.exit_code == 2


def test_path_and_sql_are_exclusive() -> None:
    with pytest.raises(ValueError, match="either 'path' or 'sql'"):
        AuditConfig.model_validate(
            {"current": {"path": "a.csv", "sql": {"url": "sqlite://", "query": "select 1"}}}
        )


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLAUDIT_SAMPLE_SIZE", "123")
    assert Settings().sample_size == 123


def test_windows_are_read_and_mistakes_named(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "current: a.csv\nwindows: {every: week, min_rows: 50}\n"))
    assert cfg.windows is not None and cfg.windows.every == "week"
    assert cfg.windows.min_rows == 50 and cfg.windows.rows is None
    with pytest.raises(ConfigError, match=r"'windows.every'.*got 'fortnight'"):
        load_config(write(tmp_path, "current: a.csv\nwindows: {every: fortnight}\n"))
    with pytest.raises(ConfigError, match="exactly one of 'every'"):
        load_config(write(tmp_path, "current: a.csv\nwindows: {every: day, rows: 100}\n"))
    with pytest.raises(ConfigError, match="exactly one of 'every'"):
        load_config(write(tmp_path, "current: a.csv\nwindows: {}\n"))
