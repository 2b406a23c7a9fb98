"""No raw personal value in any artifact: reports of every format and saved baselines.

Distinctive values are planted in personal columns of every kind (integers such as social
security numbers and postal codes, a float, digits-only phone numbers as text, e-mail
addresses, dates of birth as date-times), then ``mlaudit audit`` (every report format, the
data compared with itself as reference) and ``mlaudit profile --out`` are run and every file
they write is searched byte-wise for each value: as text (decimal and ISO forms) and as the
little-endian 64-bit integer and float encodings that saved sketches use, inside the
decompressed profile too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
import yaml

from mlaudit.summary._baseline import BASELINE_MAGIC

N = 400


def _frame() -> pl.DataFrame:
    rng = np.random.default_rng(7)
    i = np.arange(N)
    born = [
        dt.datetime(1931, 3, 17, 4, 5, 6) + dt.timedelta(days=int(d), seconds=int(s))
        for d, s in zip(rng.integers(0, 20000, N), rng.integers(0, 86400, N), strict=True)
    ]
    return pl.DataFrame(
        {
            "ssn": 731_904_000 + i * 1_013,  # 9 digits, none in any other column
            "postal_code": 902_100_000 + i * 37,  # ZIP+4 as a number
            "zip": 0.5 + 71_000 + i * 41.0,
            "phone": [f"4477009{k:05d}" for k in 31_000 + i * 29],
            "email": [f"zq.person{k}@mailhost{k}.example" for k in i],
            "date_of_birth": born,
            "income": rng.normal(50_000, 5_000, N).round(2),
            "segment": rng.choice(["retail", "sme"], N).tolist(),
        }
    )


def _needles(df: pl.DataFrame) -> dict[str, list[bytes]]:
    """Column → encodings of its raw values that must not appear in any artifact."""
    out: dict[str, list[bytes]] = {}
    for name in ("ssn", "postal_code", "zip"):
        vals = df[name].to_list()
        out[name] = [str(v).encode() for v in vals]
        out[name] += [struct.pack("<d", float(v)) for v in vals]
        out[name] += [struct.pack("<q", int(v)) for v in vals if float(v).is_integer()]
    out["phone"] = [v.encode() for v in df["phone"]]
    out["phone"] += [struct.pack("<d", float(v)) for v in df["phone"]]
    out["email"] = [v.encode() for v in df["email"]]
    births = df["date_of_birth"]
    micros = births.dt.epoch("us").to_list()
    out["date_of_birth"] = [v.isoformat().encode() for v in births]
    out["date_of_birth"] += [struct.pack("<d", float(v)) for v in micros]
    out["date_of_birth"] += [struct.pack("<q", int(v)) for v in micros]
    return out


def _unpacked(data: bytes) -> bytes:
    """``data`` plus the decompressed body of any profile it holds (baseline or profile)."""
    parts = [data]
    start = data.find(b"MLAPROF\0")
    while start >= 0:
        _, hlen = struct.unpack_from("<IQ", data, start + 8)
        pos = start + 20 + hlen
        raw, packed = struct.unpack_from("<QQ", data, pos)
        body = data[pos + 16 : pos + 16 + packed]
        parts.append(pa.Codec("zstd").decompress(body, decompressed_size=raw, asbytes=True))
        start = data.find(b"MLAPROF\0", pos + 16 + packed)
    return b"".join(parts)


def _found(value: bytes, data: bytes) -> bool:
    """``value`` in ``data``; a text form only as a whole token (not inside a hex mask)."""
    if not value.isascii() or not value.isalnum():
        return value in data
    return re.search(rb"(?<![0-9A-Za-z])" + re.escape(value) + rb"(?![0-9])", data) is not None


def _leaks(folder: Path, needles: dict[str, list[bytes]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = _unpacked(path.read_bytes())
        for col, values in needles.items():
            hits = sum(_found(v, data) for v in values)
            if hits:
                found.setdefault(col, []).append(f"{path.name}: {hits} values")
    return found


def _mlaudit(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "mlaudit", *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame]:
    root = tmp_path_factory.mktemp("personal")
    df = _frame()
    df.write_parquet(root / "people.parquet")
    config = {
        "reference": "people.parquet",
        "current": "people.parquet",
        "suite": "full",
        "output": {"dir": "report", "formats": ["html", "json", "md", "junit"]},
    }
    (root / "audit.yaml").write_text(yaml.safe_dump(config))
    audit = _mlaudit("audit", "audit.yaml", cwd=root)
    assert audit.returncode in (0, 1, 2), audit.stderr
    (root / "baseline").mkdir()
    out = root / "baseline" / "people.profile"
    profile = _mlaudit("profile", "people.parquet", "--out", out, cwd=root)
    assert profile.returncode == 0, profile.stderr
    return root, df


def test_every_planted_column_is_personal(written: tuple[Path, pl.DataFrame]) -> None:
    root, _ = written
    data = (root / "baseline" / "people.profile").read_bytes()
    assert data.startswith(BASELINE_MAGIC)
    for name in ("ssn", "postal_code", "zip", "phone", "email", "date_of_birth"):
        assert f'"{name}"'.encode() in data
    report = (root / "report" / "report.json").read_text()
    assert '"personal": true' in report


def test_no_report_holds_a_raw_personal_value(written: tuple[Path, pl.DataFrame]) -> None:
    root, df = written
    assert {p.suffix for p in (root / "report").iterdir()} >= {".html", ".json", ".md", ".xml"}
    assert _leaks(root / "report", _needles(df)) == {}


def test_the_saved_baseline_holds_no_raw_personal_value(
    written: tuple[Path, pl.DataFrame],
) -> None:
    root, df = written
    needles = _needles(df)
    folder = root / "baseline"
    assert _leaks(folder, {"income": [struct.pack("<d", v) for v in df["income"]]})  # searchable
    leaks = _leaks(folder, needles)
    assert leaks == {}


def test_checks_say_why_they_skip_personal_columns(written: tuple[Path, pl.DataFrame]) -> None:
    root, _ = written
    report = json.loads((root / "report" / "report.json").read_text())
    checks = report["checks"]
    assert [c["id"] for c in checks if c["status"] == "error"] == []
    by = {(c["id"], c.get("column")): c for c in checks}
    for col in ("ssn", "postal_code", "zip"):
        for check in ("quality.value_range", "quality.outliers"):
            assert by[(check, col)]["status"] == "skipped"
            assert "personal data" in by[(check, col)]["message"]
    assert "sentinels" in by[("quality.disguised_missing", "ssn")]["message"]
    assert "has about" in by[("quality.constant", "ssn")]["message"]  # an estimate, said so
    assert by[("quality.value_range", "income")]["status"] == "pass"  # others still checked
    key = bytes.fromhex(os.environ["MLAUDIT_MASK_KEY"])
    ids = {i["mask_key_id"] for i in report["inputs"]}
    assert ids == {hashlib.sha256(key).hexdigest()[:8]}
