"""Notebook display of results: drawn by the report layer, never imported by the results."""

from __future__ import annotations

import re
from pathlib import Path

import mlaudit
from mlaudit import results
from mlaudit.report._html import render_notebook
from mlaudit.results import AuditResult, CheckResult, Status

SRC = Path(mlaudit.__file__).parent


def _result() -> AuditResult:
    check = CheckResult(
        id="quality.completeness",
        family="quality",
        title="Missing values",
        status=Status.FAIL,
        message="column a is 40% missing",
    )
    return AuditResult(
        run_id="r",
        created_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:01+00:00",
        mlaudit_version="0",
        inputs=[],
        config={},
        summary=AuditResult.summarise([check]),
        checks=[check],
    )


def test_repr_html_is_the_report_layers_fragment() -> None:
    result = _result()
    html = result._repr_html_()
    assert html == render_notebook(result)
    assert html is not None and "column a is 40% missing" in html


def test_without_a_registered_renderer_notebooks_fall_back_to_the_plain_repr() -> None:
    registered = results._NOTEBOOK_RENDERER
    try:
        results.register_notebook_renderer(None)
        assert _result()._repr_html_() is None
    finally:
        results.register_notebook_renderer(registered)


def test_no_module_imports_mlaudit_modules_by_name_at_run_time() -> None:
    """Imports the layer contract cannot see (``import_module("mlaudit.x")``) stay in the one
    place that loads checks on demand."""
    pattern = re.compile(r"import_module\(\s*[\"']mlaudit\.")
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
