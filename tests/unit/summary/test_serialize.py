"""Profiles round-trip through bytes; the bytes are deterministic; garbage is rejected."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from mlaudit.data import infer_schema
from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.errors import DataError
from mlaudit.summary import ScanPlan, from_bytes, merge, profile_frame, to_bytes


def _profile(seed: int = 0, offset: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    n = 3_000
    df = pl.DataFrame(
        {
            "x": rng.normal(size=n),
            "s": rng.choice(["a", "b", "é"], n),
            "t": pl.Series(rng.integers(0, 10**12, n)).cast(pl.Datetime("us")),
        }
    )
    schema = Schema(
        columns=[
            ColumnSchema(name="x", dtype="double", type=ColumnType.NUMERIC),
            ColumnSchema(
                name="s", dtype="large_string", type=ColumnType.CATEGORICAL, personal=True
            ),
            ColumnSchema(name="t", dtype="timestamp[us]", type=ColumnType.DATETIME),
        ]
    )
    plan = ScanPlan(
        histogram_edges={"x": [-1.0, 0.0, 1.0]},
        outlier_fences={"x": (-2, 2, "m")},
        rules={"r": "x < 1"},
        keys=[("s",)],
        sample_size=50,
        category_cap=100,
    )
    return profile_frame(df, schema, plan), df


def test_round_trip_and_determinism() -> None:
    p, _ = _profile()
    data = to_bytes(p)
    assert data == to_bytes(p)
    q = from_bytes(data)
    assert to_bytes(q) == data
    assert q.n_rows == p.n_rows
    assert q.plan == p.plan
    assert q.rule_violations == p.rule_violations
    assert q.key_duplicates == p.key_duplicates
    for name in p.columns:
        a, b = p.columns[name], q.columns[name]
        assert (a.count, a.null_count, a.distinct, a.distinct_exact) == (
            b.count,
            b.null_count,
            b.distinct,
            b.distinct_exact,
        )
        assert a.categories == b.categories
        assert a.text == b.text
        assert a.histogram == b.histogram
        assert a.outliers == b.outliers
        assert (a.numeric is None) == (b.numeric is None)
        if a.numeric is not None and b.numeric is not None:
            assert a.numeric.moments == b.numeric.moments
            assert a.numeric.quantile(0.3) == b.numeric.quantile(0.3)
    assert p.sample is not None
    assert q.sample is not None
    assert q.sample.equals(p.sample)


def test_duplicates_stay_exact_after_round_trip() -> None:
    p, df = _profile()
    m = merge(from_bytes(to_bytes(p)), from_bytes(to_bytes(p)))
    both = pl.concat([df, df])
    assert m.duplicates_exact
    assert m.duplicate_rows == both.height - both.unique().height
    small = from_bytes(to_bytes(p, max_hashes=10))
    assert not merge(small, small).duplicates_exact


@pytest.mark.parametrize("data", [b"", b"hello world", b"MLAPROF\0" + b"\x01\0\0\0" + b"\xff" * 8])
def test_garbage_rejected(data: bytes) -> None:
    with pytest.raises(DataError, match="not an mlaudit profile"):
        from_bytes(data)


def test_truncated_rejected() -> None:
    p, _ = _profile()
    with pytest.raises(DataError, match="not an mlaudit profile"):
        from_bytes(to_bytes(p)[:-5])


def _with_header(data: bytes, version: int, change: dict[str, object]) -> bytes:
    """``data`` with another format version and header fields changed (or removed: ``None``)."""
    (hlen,) = struct.unpack_from("<Q", data, 12)
    head = json.loads(data[20 : 20 + hlen])
    head.update(change)
    head = {k: v for k, v in head.items() if v is not None}
    header = json.dumps(head, sort_keys=True, separators=(",", ":")).encode()
    return data[:8] + struct.pack("<IQ", version, len(header)) + header + data[20 + hlen :]


def test_the_header_names_the_hashing_scheme() -> None:
    data = to_bytes(_profile()[0])
    assert struct.unpack_from("<I", data, 8) == (3,)
    (hlen,) = struct.unpack_from("<Q", data, 12)
    assert json.loads(data[20 : 20 + hlen])["hashing"] == "mlaudit-hash-2"
    assert from_bytes(_with_header(data, 3, {})).n_rows == 3_000  # the helper changes nothing


def test_polars_hashed_profiles_are_refused_with_a_fix() -> None:
    old = _with_header(to_bytes(_profile()[0]), 2, {"hashing": None})  # as mlaudit wrote them
    with pytest.raises(DataError, match="earlier mlaudit .format version 2.* polars") as err:
        from_bytes(old)
    assert err.value.fix is not None and "mlaudit profile" in err.value.fix


@pytest.mark.parametrize("scheme", [None, "mlaudit-hash-0", "mlaudit-hash-1", 7])
def test_another_hashing_scheme_is_refused(scheme: object) -> None:
    data = _with_header(to_bytes(_profile()[0]), 3, {"hashing": scheme})
    with pytest.raises(DataError, match="hashing scheme .* cannot be compared or merged"):
        from_bytes(data)


def test_a_saved_profile_is_proportionate_to_its_data(tmp_path: Path) -> None:
    """A profile holds sketches and a sample of at most 20,000 rows: compressed, it stays within
    a few times the size of the same data as (compressed) Parquet."""
    from mlaudit.datasets import make_credit_sample

    frame = make_credit_sample(seed=1, n_reference=20_000, n_current=2_000).reference
    parquet = tmp_path / "ref.parquet"
    frame.write_parquet(parquet)  # polars' default: zstd
    schema = infer_schema(frame)
    saved = to_bytes(profile_frame(frame, schema, ScanPlan()))
    assert len(saved) < 4 * parquet.stat().st_size
    assert from_bytes(saved).n_rows == 20_000
