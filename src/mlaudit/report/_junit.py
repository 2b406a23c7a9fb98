"""JUnit XML: one test case per check result, so CI systems show an audit like a test run.

``fail`` → ``<failure>``, ``error`` → ``<error>``, ``skipped`` → ``<skipped>``; ``warn``
and ``inconclusive`` pass with the message in ``<system-out>`` (prefixed ``WARNING:`` and
``INCONCLUSIVE:``).  Test cases are named ``id[column]``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from mlaudit._printable import printable
from mlaudit.report._format import check_label, fmt_metric, ordered_families
from mlaudit.results import AuditResult, CheckResult, Status

__all__ = ["render_junit"]


def _x(text: str) -> str:
    """Text for an XML 1.0 attribute or element: the characters XML 1.0 forbids (ElementTree
    would write them and produce an invalid file), and the other control characters, shown as
    visible escapes (``bad\\x01name``)."""
    return printable(text, lines=True)


def _seconds(result: AuditResult) -> str:
    try:
        start = datetime.fromisoformat(result.created_at)
        end = datetime.fromisoformat(result.finished_at)
    except ValueError:
        return "0"
    return f"{max((end - start).total_seconds(), 0.0):.3f}"


def _body(c: CheckResult) -> str:
    lines = [c.message]
    lines += [f"{name} = {fmt_metric(c, name)}" for name in c.metrics]
    if c.why:
        lines.append(f"why: {c.why}")
    return _x("\n".join(lines))


def _case(suite: ET.Element, c: CheckResult) -> None:
    case = ET.SubElement(
        suite, "testcase", name=_x(check_label(c)), classname=_x(f"mlaudit.{c.family}"), time="0"
    )
    status = Status(c.status)
    if status is Status.FAIL:
        ET.SubElement(case, "failure", message=_x(c.message), type=c.severity.value).text = _body(c)
    elif status is Status.ERROR:
        ET.SubElement(case, "error", message=_x(c.message), type="CheckError").text = _body(c)
    elif status is Status.SKIPPED:
        ET.SubElement(case, "skipped", message=_x(c.message))
    elif status is Status.WARN:
        ET.SubElement(case, "system-out").text = "WARNING: " + _body(c)
    elif status is Status.INCONCLUSIVE:
        # Undecided is neither a failure (nothing was found for certain) nor a skip (the check
        # ran): JUnit has no such outcome, so the case counts as passed and the note says why.
        ET.SubElement(case, "system-out").text = "INCONCLUSIVE: " + _body(c)


def render_junit(result: AuditResult) -> str:
    """Render ``result`` as JUnit XML, one ``<testsuite>`` per check family.

    Parameters
    ----------
    result
        The audit result.

    Returns
    -------
    str
        An XML document (UTF-8 declaration), every value escaped.
    """
    total = {s: sum(1 for c in result.checks if Status(c.status) is s) for s in Status}
    root = ET.Element(
        "testsuites", name=_x(f"mlaudit audit {result.run_id}"), tests=str(len(result.checks)),
        failures=str(total[Status.FAIL]), errors=str(total[Status.ERROR]),
        skipped=str(total[Status.SKIPPED]), time=_seconds(result),
    )  # fmt: skip
    for family, checks in ordered_families(result):
        n = {s: sum(1 for c in checks if Status(c.status) is s) for s in Status}
        suite = ET.SubElement(
            root, "testsuite", name=_x(family), tests=str(len(checks)),
            failures=str(n[Status.FAIL]), errors=str(n[Status.ERROR]),
            skipped=str(n[Status.SKIPPED]), timestamp=_x(result.created_at), time="0",
        )  # fmt: skip
        for c in checks:
            _case(suite, c)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
