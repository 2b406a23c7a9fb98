from __future__ import annotations

from pathlib import Path

import pytest

from mlaudit.errors import ConfigError, ReportError
from mlaudit.report import FILE_NAMES, FORMATS, load_result, parse_formats, write_reports
from mlaudit.report import _markdown as md_module
from mlaudit.results import AuditResult


def test_writes_every_format(tmp_path: Path, result: AuditResult) -> None:
    out = tmp_path / "new" / "dir"
    written = write_reports(result, out, formats=["html", "json", "md", "junit"], charts=False)
    assert {k: p.name for k, p in written.items()} == {
        "html": "report.html", "json": "report.json", "md": "report.md",
        "junit": "report.junit.xml",
    }  # fmt: skip
    # the set, its manifest of digests (written last) and the folder's writer lock
    extra = [".mlaudit.lock", "report.sha256"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*extra, *(p.name for p in written.values())]
    )
    assert load_result(written["json"]).run_id == result.run_id
    assert written["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_default_formats(tmp_path: Path, result: AuditResult) -> None:
    assert sorted(write_reports(result, tmp_path, charts=False)) == ["html", "json"]


def test_bad_format_lists_valid_ones(tmp_path: Path, result: AuditResult) -> None:
    with pytest.raises(ConfigError, match="'pdf'") as info:
        write_reports(result, tmp_path, formats=["json", "pdf"])  # type: ignore[list-item]
    assert info.value.fix == "use any of: html, json, md, junit"
    assert list(tmp_path.iterdir()) == []


def test_parse_formats_splits_keeps_order_and_drops_repeats() -> None:
    assert parse_formats(" md, json ,md,") == ["md", "json"]
    assert parse_formats(["junit", "html", "junit"]) == ["junit", "html"]
    assert FORMATS == ("html", "json", "md", "junit") and set(FILE_NAMES) == set(FORMATS)
    for nothing in ("", " , ", []):
        with pytest.raises(ConfigError, match="none given"):
            parse_formats(nothing)
    with pytest.raises(ConfigError, match="'HTML'"):
        parse_formats("json,HTML")


def test_render_failure_costs_only_its_format(
    tmp_path: Path, result: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A renderer that fails loses its own format only (issue 10, item 2): the others are
    written as the set, an earlier run's file of that format is removed, and the error names it.
    """
    out = tmp_path / "out"
    write_reports(result, out, formats=["json", "md"], charts=False)

    def boom(_: AuditResult) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(md_module, "render_markdown", boom)
    with pytest.raises(ReportError, match=r"md report could not be rendered \(RuntimeError"):
        write_reports(result, out, formats=["json", "html", "md"], charts=False)
    names = sorted(p.name for p in out.iterdir())
    assert names == [".mlaudit.lock", "report.html", "report.json", "report.sha256"]
    manifest = (out / "report.sha256").read_text(encoding="ascii")
    assert "report.html" in manifest and "report.json" in manifest and "report.md" not in manifest
    with pytest.raises(ReportError, match="written: nothing"):
        write_reports(result, tmp_path / "none", formats=["md"], charts=False)
    assert not (tmp_path / "none").exists()
