"""Windows in a baseline: bytes round-trip exactly and deterministically; old files still load,
unless their hashes came from another scheme."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from tests.unit.checks._monitoring import make_period

from mlaudit.audit import profile_data, profile_windows
from mlaudit.config import SchemaConfig
from mlaudit.errors import DataError
from mlaudit.summary._baseline import BASELINE_MAGIC, Baseline, load_baseline, save_baseline
from mlaudit.summary._serialize import to_bytes
from mlaudit.summary._windows import windows_from_bytes, windows_to_bytes


def test_round_trip_is_exact_and_deterministic(tmp_path: Path) -> None:
    df = make_period(weeks=3, seed=9)
    schema_cfg = SchemaConfig(target="y", score="score", prediction="pred", timestamp="ts")
    ds, schema, prof = profile_data(df, schema=schema_cfg)
    data = profile_windows(ds, schema, {"every": "week"})
    blob = windows_to_bytes(data)
    back = windows_from_bytes(blob)
    assert windows_to_bytes(back) == blob  # same bytes again: nothing lost, nothing reordered
    assert [w.label for w in back.windows] == [w.label for w in data.windows]
    assert back.rows is not None and data.rows is not None and back.rows.equals(data.rows)
    x1 = [w.profile.columns["x1"].numeric.moments.mean for w in back.windows]  # type: ignore[union-attr]
    weeks = df["ts"].dt.truncate("1w")
    expected = [float(df.filter(weeks == w)["x1"].mean()) for w in weeks.unique().sort()]  # type: ignore[arg-type]
    assert all(abs(a - b) < 1e-12 for a, b in zip(x1, expected, strict=True))
    path = save_baseline(tmp_path / "ref.profile", Baseline(prof, schema, "mem", "", "frame", data))
    loaded = load_baseline(path)
    assert loaded.windows is not None and windows_to_bytes(loaded.windows) == blob


def test_a_version_1_baseline_still_loads(tmp_path: Path) -> None:
    _, schema, prof = profile_data(make_period(weeks=1, seed=10))
    header = json.dumps(
        {"version": 1, "schema": schema.model_dump(mode="json"), "source": "old",
         "fingerprint": "", "format": "parquet"}, sort_keys=True,
    ).encode("utf-8")  # fmt: skip
    path = tmp_path / "old.profile"
    path.write_bytes(BASELINE_MAGIC + struct.pack("<I", len(header)) + header + to_bytes(prof))
    old = load_baseline(path)
    assert old.windows is None and old.profile.n_rows == prof.n_rows and old.source == "old"


def _baseline_file(path: Path, header: dict[str, object], profile: bytes) -> Path:
    head = json.dumps(header, sort_keys=True).encode("utf-8")
    path.write_bytes(BASELINE_MAGIC + struct.pack("<I", len(head)) + head + profile)
    return path


def test_the_header_names_the_hashing_scheme(tmp_path: Path) -> None:
    _, schema, prof = profile_data(make_period(weeks=1, seed=11))
    path = save_baseline(tmp_path / "ref.profile", Baseline(prof, schema, "mem", "", "frame"))
    data = path.read_bytes()
    (size,) = struct.unpack_from("<I", data, len(BASELINE_MAGIC))
    header = json.loads(data[len(BASELINE_MAGIC) + 4 : len(BASELINE_MAGIC) + 4 + size])
    assert header["hashing"] == "mlaudit-hash-2"


def test_a_polars_hashed_baseline_is_refused_naming_the_file(tmp_path: Path) -> None:
    _, schema, prof = profile_data(make_period(weeks=1, seed=12))
    new = to_bytes(prof)
    (hlen,) = struct.unpack_from("<Q", new, 12)
    head = json.loads(new[20 : 20 + hlen])
    del head["hashing"]
    raw = json.dumps(head, sort_keys=True, separators=(",", ":")).encode()
    old_profile = new[:8] + struct.pack("<IQ", 2, len(raw)) + raw + new[20 + hlen :]
    header = {"version": 2, "schema": schema.model_dump(mode="json"), "source": "old",
              "fingerprint": "", "format": "parquet", "profile_bytes": len(old_profile),
              "windows_bytes": 0}  # fmt: skip
    path = _baseline_file(tmp_path / "old.profile", header, old_profile)
    with pytest.raises(DataError, match=r"old\.profile.*earlier mlaudit.*polars") as err:
        load_baseline(path)
    assert err.value.fix is not None and "mlaudit profile" in err.value.fix


def test_a_baseline_of_another_hashing_scheme_is_refused(tmp_path: Path) -> None:
    _, schema, prof = profile_data(make_period(weeks=1, seed=13))
    header = {"version": 2, "schema": schema.model_dump(mode="json"), "source": "x",
              "fingerprint": "", "format": "parquet", "hashing": "mlaudit-hash-99"}  # fmt: skip
    path = _baseline_file(tmp_path / "other.profile", header, to_bytes(prof))
    with pytest.raises(DataError, match="hashing scheme 'mlaudit-hash-99'"):
        load_baseline(path)
