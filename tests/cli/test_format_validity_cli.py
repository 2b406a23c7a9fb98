"""quality.format_validity from the command line; no raw personal value reaches an artifact."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow as pa

from mlaudit.summary import load_baseline
from tests.cli.conftest import Run

CLI = Callable[..., Run]
RAW = ["jane..doe@@bank.com", "john.smith(at)mail.com", "mary-o'neil@bank"]
LEAKS = [*RAW, "jane..doe", "john.smith", "mary-o'neil", "neil@bank"]


def _data(tmp_path: Path) -> Path:
    n = 400
    emails = [f"person{i}@example.org" for i in range(n)]
    for i, v in zip((3, 150, 299), RAW, strict=True):
        emails[i] = v
    contact = [f"c{i}@bank.example" if i >= 30 else f"c{i} at bank" for i in range(n)]
    path = tmp_path / "d.csv"
    frame = pl.DataFrame({"customer_email": emails, "contact": contact, "amount": range(n)})
    frame.write_csv(path)
    return path


def _profile_text(path: Path) -> bytes:
    """The saved baseline with its profile's blobs decompressed (the sample is zstd-packed)."""
    whole = path.read_bytes()
    data = whole[whole.index(b"MLAPROF\0") :]
    _, hlen = struct.unpack_from("<IQ", data, 8)
    pos = 20 + hlen
    raw, packed = struct.unpack_from("<QQ", data, pos)
    blob = data[pos + 16 : pos + 16 + packed]
    return whole + pa.Codec("zstd").decompress(blob, decompressed_size=raw, asbytes=True)


def test_formats_checked_from_the_command_line_without_leaking_raw_values(
    cli: CLI, tmp_path: Path
) -> None:
    data = _data(tmp_path)
    out = tmp_path / "out"
    config = tmp_path / "audit.yaml"
    config.write_text(
        f"current: {data}\nsuite: data_quality\nschema:\n  personal: [contact]\n"
        f"  formats:\n    contact: email\noutput:\n  dir: {out}\n  formats: [html, json, md]\n",
        encoding="utf-8",
    )
    r = cli("audit", config)
    assert r.code == 1, r.text  # contact: 30 of 400 (7.5 %) invalid, above the 5 % fail level
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    found = {c["column"]: c for c in report["checks"] if c["id"] == "quality.format_validity"}
    assert set(found) == {"customer_email", "contact"}
    assert found["customer_email"]["metrics"]["invalid"] == 3
    assert found["customer_email"]["status"] == "pass"  # 0.75 %: listed, under 1 %
    assert found["contact"]["metrics"]["invalid"] == 30 and found["contact"]["status"] == "fail"
    saved = tmp_path / "p.profile"
    assert cli("profile", data, "--out", saved).code == 0
    tally = load_baseline(saved).profile.columns["customer_email"].text
    assert tally is not None and tally.format is not None
    assert tally.format.matches == 397
    artifacts = [(out / f"report.{ext}").read_bytes() for ext in ("json", "html", "md")]
    artifacts.append(_profile_text(saved))
    for blob in artifacts:
        for leak in LEAKS:
            assert leak.encode() not in blob, leak
    for blob in (artifacts[0], artifacts[1], artifacts[3]):  # the Markdown lists no examples
        assert b"aaaa..aaa@@aaaa.aaa" in blob  # the shape is shown (and saved) instead
