from __future__ import annotations

import xml.etree.ElementTree as ET

from mlaudit.report._junit import render_junit
from mlaudit.results import AuditResult

from .conftest import EVIL


def test_counts_and_names(result: AuditResult) -> None:
    root = ET.fromstring(render_junit(result).encode("utf-8"))
    cases = root.findall(".//testcase")
    assert len(cases) == 13
    assert root.get("tests") == "13"
    assert root.get("failures") == "4"
    assert root.get("errors") == "1"
    assert root.get("skipped") == "1"
    assert len(root.findall(".//testcase/failure")) == 4
    assert len(root.findall(".//testcase/error")) == 1
    assert len(root.findall(".//testcase/skipped")) == 1
    outs = root.findall(".//testcase/system-out")
    assert len(outs) == 2  # warnings pass with their message in system-out
    assert all((o.text or "").startswith("WARNING: ") for o in outs)
    names = [c.get("name") for c in cases]
    assert "quality.completeness[income]" in names
    assert f"quality.completeness[{EVIL}]" in names  # escaped in the file, intact when parsed
    assert "quality.required_columns" in names
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "quality", "drift", "performance", "custom",
    ]  # fmt: skip
    assert root.get("time") == "5.000"


def test_escaping_and_control_characters(result: AuditResult) -> None:
    bad = result.checks[0].model_copy(
        update={"status": "fail", "message": 'bell \x07 & "quotes" ]]> <tag>'}
    )
    r = result.model_copy(update={"checks": [bad, *result.checks[1:]]})
    text = render_junit(r)
    assert "<tag>" not in text
    failure = ET.fromstring(text.encode("utf-8")).find(".//testcase/failure")
    assert failure is not None
    assert failure.get("message") == 'bell \\x07 & "quotes" ]]> <tag>'  # a visible escape
