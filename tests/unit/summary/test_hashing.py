"""The defined hashes against an independent pure-Python implementation of their definition.

The reference below is written from the definition in :mod:`mlaudit.summary._hashing` with
Python integers, one value at a time; the literal vectors pin the definition itself (SplitMix64's
own published outputs, and a few strings), so a change to both implementations is caught too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import struct
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from mlaudit.summary import _hash64
from mlaudit.summary._hash64 import bytes_hashes
from mlaudit.summary._hashing import (
    ROW_SEED,
    hash_floats,
    hash_rows,
    hash_series,
    mask_strings,
    splitmix64,
)

M64 = (1 << 64) - 1
STR_SEED = 0x53545253  # hash_series' default seed


def fmix(z: int) -> int:
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & M64
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def sm(x: int) -> int:
    return fmix((x + 0x9E3779B97F4A7C15) & M64)


def fold(items: list[int], length: int, key: int) -> int:
    """``sm(sum_k fmix(item_k ^ sm(key + k)) ^ length ^ key)``."""
    acc = 0
    for k, item in enumerate(items):
        acc = (acc + fmix(item ^ sm((key + k) & M64))) & M64
    return sm(acc ^ length ^ key)


def ref_bytes(b: bytes, key: int) -> int:
    words = [int.from_bytes(b[i : i + 8].ljust(8, b"\0"), "little") for i in range(0, len(b), 8)]
    return fold(words, len(b), key)  # the length in bytes


def ref_float(x: float, key: int) -> int:
    x = 0.0 if x == 0 else (math.nan if math.isnan(x) else x)
    (bits,) = struct.unpack("<Q", struct.pack("<d", x))
    return sm(bits ^ key)


def ref_value(v: Any, key: int) -> int:
    """One value under ``key``, by its Python type (the frame's column types)."""
    if v is None:
        return fmix(key)
    if isinstance(v, bool):
        return sm(int(v) ^ key)
    if isinstance(v, int):
        return sm((v & M64) ^ key)
    if isinstance(v, float):
        return ref_float(v, key)
    if isinstance(v, str | bytes):
        return ref_bytes(v.encode() if isinstance(v, str) else v, key)
    if isinstance(v, dt.datetime):  # microseconds since the epoch (naive, polars' default unit)
        return sm(((v - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1) & M64) ^ key)
    if isinstance(v, dt.date):
        return sm(((v - dt.date(1970, 1, 1)).days & M64) ^ key)
    if isinstance(v, list):
        return fold([ref_value(e, key) for e in v], len(v), key)
    if isinstance(v, dict):
        return ref_row(list(v.values()), key)
    raise TypeError(type(v))


def ref_row(values: list[Any], key: int) -> int:
    acc = 0
    for c, v in enumerate(values):
        acc = (acc + ref_value(v, sm((key + c) & M64))) & M64
    return sm(acc ^ len(values) ^ key)


def ref_series(values: list[Any], seed: int = STR_SEED) -> list[int]:
    return [ref_value(v, sm(seed)) for v in values if v is not None]


EDGE = ["", "a", "abcdefg", "abcdefgh", "abcdefghi", "x" * 12, "y" * 13, "z" * 16, "w" * 17]
EDGE += ["héllo wörld ✓", "日本語のテキスト", "v" * 100, "tail\0\0", "tail"]


def test_literal_vectors() -> None:
    # SplitMix64 seeded with 0: its first two published outputs.
    assert splitmix64(np.array([0, 0x9E3779B97F4A7C15], dtype=np.uint64)).tolist() == [
        0xE220A8397B1DCDAF,
        0x6E789E6AA1B965F4,
    ]
    got = hash_series(pl.Series(["", "a", "abcdefgh", "mlaudit", "héllo wörld"])).tolist()
    assert got == [
        0x4617CAC390DB2DAF,
        0x31B056B1C9C061D1,
        0x5181BA2035B26165,
        0xD9008B5787B7E273,
        0xB0232187CDFF631C,
    ]
    assert got == ref_series(["", "a", "abcdefgh", "mlaudit", "héllo wörld"])


@pytest.mark.parametrize(
    "arrow_type",
    [
        pa.string(),
        pa.large_string(),
        pa.string_view(),
        pa.binary(),
        pa.large_binary(),
        pa.binary_view(),
        pa.dictionary(pa.int32(), pa.string()),
    ],
)
def test_every_arrow_layout_and_slice_hashes_the_bytes(arrow_type: pa.DataType) -> None:
    values = [*EDGE, None, *EDGE[::-1]]
    as_type = [v if v is None or "string" in str(arrow_type) else v.encode() for v in values]
    arr = pa.array(as_type, type=arrow_type)
    key = sm(12345)
    expect = [None if v is None else ref_bytes(v.encode(), key) for v in values]

    def hashed(a: pa.Array, lo: int) -> list[int | None]:  # nulls' hashes are unspecified
        got = bytes_hashes(a, np.uint64(key)).tolist()
        return [None if values[lo + i] is None else g for i, g in enumerate(got)]

    assert hashed(arr, 0) == expect
    for lo, n in ((3, 7), (1, len(values) - 2), (len(values) - 1, 1), (5, 0)):
        assert hashed(arr.slice(lo, n), lo) == expect[lo : lo + n]  # an offset into the buffers


def test_series_of_strings_categoricals_enums_and_chunks_agree_with_the_reference() -> None:
    expect = ref_series(EDGE)
    s = pl.Series(EDGE)
    assert hash_series(s).tolist() == expect
    assert hash_series(s.cast(pl.Categorical)).tolist() == expect
    assert hash_series(s.cast(pl.Enum(sorted(set(EDGE))))).tolist() == expect
    assert hash_series(s.cast(pl.Binary)).tolist() == expect
    chunked = pl.concat([s[:5], pl.Series([None], dtype=pl.String), s[5:]], rechunk=False)
    assert chunked.n_chunks() > 1 and hash_series(chunked).tolist() == expect  # nulls dropped
    short = [v for v in EDGE if len(v.encode()) <= 12]  # all held inside the Arrow views
    assert hash_series(pl.Series([*short, None])).tolist() == ref_series(short)
    filtered = s.filter(pl.Series([i % 2 == 1 for i in range(len(EDGE))]))
    assert hash_series(filtered).tolist() == expect[1::2]  # views into the unfiltered buffers


def test_ragged_long_strings_across_chunks() -> None:
    # Many words of mixed counts: the column-by-column pass, then several flat chunks.
    rng = np.random.default_rng(3)
    values = [
        "".join(chr(97 + c) for c in rng.integers(0, 26, n)) for n in rng.integers(0, 90, 9000)
    ]
    values[100] = "é" * 4000  # one string far longer than the others
    assert hash_series(pl.Series(values)).tolist() == ref_series(values)
    assert hash_series(pl.Series(values[1::3])).tolist() == ref_series(values[1::3])


def test_block_and_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tiny blocks of strings and chunks of words: every boundary case on a few values.
    monkeypatch.setattr(_hash64, "_BLOCK", 5)
    monkeypatch.setattr(_hash64, "_CHUNK_WORDS", 3)
    values = [*EDGE, *EDGE[::2], "q" * 40]
    assert hash_series(pl.Series(values)).tolist() == ref_series(values)
    assert hash_series(pl.Series(values).cast(pl.Binary)).tolist() == ref_series(values)
    short = [v for v in values if len(v.encode()) <= 12]
    assert hash_series(pl.Series(short)).tolist() == ref_series(short)


def test_numbers_nulls_and_dtypes() -> None:
    ints = [0, -1, 1, 2**63 - 1, -(2**63), None, 7]
    assert hash_series(pl.Series(ints, dtype=pl.Int64)).tolist() == ref_series(ints)
    small = [-1, 5, None, -128]
    assert hash_series(pl.Series(small, dtype=pl.Int8)).tolist() == ref_series(small)
    big = [2**64 - 1, 2**63, 3]
    assert hash_series(pl.Series(big, dtype=pl.UInt64)).tolist() == ref_series(big)
    floats = [0.0, -0.0, 1.5, math.inf, -math.inf, math.nan, -math.nan, None]
    h = hash_series(pl.Series(floats, dtype=pl.Float64)).tolist()
    assert h == ref_series(floats) and h[0] == h[1] and h[5] == h[6]
    assert hash_series(pl.Series([1.5, -0.0], dtype=pl.Float32)).tolist() == ref_series([1.5, 0.0])
    bools = [True, False, None]
    assert hash_series(pl.Series(bools)).tolist() == ref_series(bools)
    days = [dt.date(1970, 1, 2), dt.date(1969, 12, 31), None]
    assert hash_series(pl.Series(days)).tolist() == ref_series(days)
    assert hash_series(pl.Series([None, None])).size == 0


def test_float_hash_of_numeric_columns_is_unseeded_splitmix() -> None:
    x = np.array([0.0, -0.0, 2.5, -1e300])
    expect = [sm(struct.unpack("<Q", struct.pack("<d", v + 0.0))[0]) for v in x.tolist()]
    assert hash_floats(x).tolist() == expect


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "i": [1, None, -3, 1],
            "f": [0.5, -0.0, None, 0.5],
            "s": ["short", "a string of 26 characters", None, "short"],
            "b": [True, None, False, True],
            "d": [dt.date(2020, 1, 1), None, dt.date(1960, 5, 5), dt.date(2020, 1, 1)],
            "t": [dt.datetime(2021, 3, 4, 5, 6, 7), None, None, dt.datetime(2021, 3, 4, 5, 6, 7)],
            "l": [[1, 2], [], None, [1, 2]],
            "st": [{"a": 1, "b": "x"}, {"a": None, "b": None}, None, {"a": 1, "b": "x"}],
        }
    )


def test_rows_agree_with_the_reference_and_find_duplicates() -> None:
    df = _frame()
    got = hash_rows(df).tolist()
    assert got == [ref_row(list(r.values()), sm(ROW_SEED)) for r in df.iter_rows(named=True)]
    assert got[0] == got[3] and len(set(got)) == 3  # rows 0 and 3 are equal, the rest differ
    cat = df.with_columns(pl.col("s").cast(pl.Categorical))
    assert hash_rows(cat).tolist() == got  # a categorical hashes its strings
    assert hash_rows(df.slice(1, 3)).tolist() == got[1:]


def test_rows_depend_on_column_order_and_seed() -> None:
    df = pl.DataFrame({"a": ["x", "y"], "b": ["y", "x"]})
    h = hash_rows(df).tolist()
    assert h[0] != h[1]  # the same values in swapped columns
    assert hash_rows(df, seed=1).tolist() != h
    assert hash_rows(
        pl.DataFrame({"a": [None], "b": [None]}, schema={"a": pl.Int64, "b": pl.Int64})
    )[0] == ref_row([None, None], sm(ROW_SEED))


def test_masks_are_keyed_blake2b() -> None:
    values = pl.Series("email", ["a@b.org", None, "", "ünï@x.io", "a@b.org"])
    key = bytes(range(32))
    got = mask_strings(values, key).to_list()

    def blake(v: str) -> str:
        d = hashlib.blake2b(v.encode(), digest_size=8, key=key, person=b"mlaudit-mask")
        return "h:" + d.hexdigest()

    assert got == [blake("a@b.org"), None, blake(""), blake("ünï@x.io"), blake("a@b.org")]
    assert mask_strings(values, bytes(range(1, 33))).to_list()[0] != got[0]
    assert mask_strings(pl.Series("n", [12, None]), key).to_list() == [blake("12"), None]
    assert mask_strings(values, key).name == "email"
