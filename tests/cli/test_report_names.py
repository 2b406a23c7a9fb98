"""Column names are data in every report (issue 10, item 2).

A control character in a name (``bad\\x01name``) aborted the process inside the chart renderer
(vl-convert, a Rust panic: exit 134, no report at all).  Every renderer now shows such a
character as a visible escape, ``report.json`` keeps the true name, and the JUnit XML is valid
XML 1.0.  Run in a process of its own: before the fix the abort would take pytest with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd

NAMES = ["bad\x01name", "evil\x1b]0;pwned\x07\x1b[2J", "rtl\u202eabc", "[red]x[/]", "tab\tnl\nx"]


def test_control_characters_in_names_reach_every_format(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 400
    data = {}
    for i, name in enumerate(NAMES):
        x = rng.normal(size=n)
        x[: 40 * (i + 1)] = np.nan  # every column is missing something: all are charted
        data[name] = x
    data["cat"] = np.array(["a\x01b", "plain", "c\x1bd"])[rng.integers(0, 3, n)]
    pd.DataFrame(data).to_parquet(tmp_path / "d.parquet")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "mlaudit", "-q", "audit", "--current", str(tmp_path / "d.parquet")]
    cmd += ["--out", str(out), "--format", "html,json,md,junit", "--fail-on", "never"]
    r = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(NAMES) <= set(doc["inputs"][0]["schema"])  # the true names, escaped by JSON
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    junit = (out / "report.junit.xml").read_text(encoding="utf-8")
    for text in (html, md, junit):
        assert not any(ch in text for ch in "\x01\x07\x1b\u202e"), text[:200]
    assert "bad\\x01name" in html and "evil\\x1b]0;pwned\\x07\\x1b[2J" in html
    assert "rtl\\u202eabc" in html
    assert "bad\\\\x01name" in md  # a Markdown backslash is itself escaped
    root = ET.fromstring(junit.encode("utf-8"))  # valid XML 1.0
    cases = [c.get("name", "") for c in root.iter("testcase")]
    assert any("bad\\x01name" in c for c in cases)
