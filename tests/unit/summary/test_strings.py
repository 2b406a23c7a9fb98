"""Unusual characters and string lengths counted by the scan, against Python's own reading.

The oracle for the characters is ``unicodedata.category`` applied value by value (and the
stated exceptions: tab, line feed, carriage return; the zero-width joiners; known missing
markers); for the lengths, pandas' ``str.len`` with ``value_counts`` and ``nlargest``.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import polars as pl
import pytest

from mlaudit.data import KNOWN_MARKERS
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.summary import LengthTally, bucket_end, from_bytes, merge, profile_frame, to_bytes
from mlaudit.summary._strings import EXACT_LENGTHS, length_bucket

POOL = [
    "a", "Z", "é", "ñ", "中", "文", "7", " ", "-", "#", "*", "@", "?", "\t", "\n",
    "\u200b", "\ufeff", "\u200d", "\u200c", "\x01", "\x7f", "\x85", "\ufffd", "\ue000",
    "\u00ad", "€", "«",
]  # fmt: skip


def _schema(names: list[str], personal: tuple[str, ...] = ()) -> Schema:
    return Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype="large_string",
                type=ColumnType.CATEGORICAL,
                role=Role.FEATURE,
                personal=c in personal,
            )
            for c in names
        ]
    )


def _values(seed: int, n: int = 3000) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        k = int(rng.integers(1, 6))
        chars = rng.choice(len(POOL), size=k, p=_weights())
        out.append("".join(POOL[i] for i in chars))
    return [*out, "?", " - ", "N/A", "###", "", "   "]


def _weights() -> np.ndarray:
    w = np.ones(len(POOL))
    w[:7] = 12.0  # mostly letters and digits
    return w / w.sum()


def _kinds(value: str) -> set[str]:
    """The oracle: which kinds a value holds, by unicodedata."""
    out = set()
    for ch in value:
        cat = unicodedata.category(ch)
        if cat == "Cc" and ch not in "\t\n\r":
            out.add("control")
        if cat == "Cf" and ch not in "\u200c\u200d":
            out.add("format")
        if ch == "\ufffd":
            out.add("replacement")
        if cat == "Co":
            out.add("private_use")
    bare = value.strip()
    symbolic = (
        bare
        and all(unicodedata.category(c)[0] in "PS" or c.isspace() for c in bare)
        and unicodedata.category(bare[0])[0] in "PS"
    )
    if symbolic and "\ufffd" not in bare and bare.casefold() not in KNOWN_MARKERS:
        out.add("symbols")
    return out


def _profile(values: list[str | None], personal: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    df = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return profile_frame(df, _schema(["v"], personal)).columns["v"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kind_counts_equal_unicodedata(seed: int) -> None:
    values = _values(seed)
    col = _profile([*values, None, None])
    tally = col.text.special
    expected: dict[str, int] = {}
    flagged = 0
    for v in values:
        kinds = _kinds(v)
        for k in kinds:
            expected[k] = expected.get(k, 0) + 1
        flagged += bool(kinds - {"symbols"})
    assert tally.counts == expected
    assert tally.flagged == flagged


def test_letters_of_any_script_and_markers_are_not_special() -> None:
    values = ["José", "Muñoz", "北京市", "Zoë", "O'Brien", "a-b", "?", "-", "N/A", "n.a.", "--"]
    tally = _profile(values).text.special
    assert tally.counts == {} and tally.flagged == 0


def test_examples_are_the_smallest_hashes_with_exact_counts_and_survive_merges() -> None:
    values = _values(3)
    df = pl.DataFrame({"v": values}, schema={"v": pl.String})
    schema = _schema(["v"])
    whole = profile_frame(df, schema).columns["v"].text.special
    parts = merge(profile_frame(df[:1000], schema), profile_frame(df[1000:], schema))
    assert parts.columns["v"].text.special == whole
    counts = pl.Series(values).value_counts()
    by_value = dict(zip(counts[""].to_list(), counts["count"].to_list(), strict=True))
    for kind, rows in whole.examples.items():
        assert 1 <= len(rows) <= 5
        assert [k for k, _, _ in rows] == sorted(k for k, _, _ in rows)
        for _, v, n in rows:
            assert kind in _kinds(v)
            assert n == by_value[v]


def test_personal_examples_keep_the_special_characters_but_no_letters() -> None:
    col = _profile(["Jane\u200bDoe", "Jane\u200bDoe", "Bob\x01"], personal=("v",))
    ex = col.text.special.examples
    shown = {v for rows in ex.values() for _, v, _ in rows}
    assert shown == {"Aaaa\u200bAaa", "Aaa\x01"}
    longest = {v for _, _, v in col.text.lengths.longest}
    assert longest == {"Aaaa\u200bAaa", "Aaa\x01"}


def test_length_counts_equal_pandas() -> None:
    rng = np.random.default_rng(7)
    lengths = np.concatenate([rng.integers(0, 40, 2000), [400, 1500, 1500, 5000, 70000]])
    values = ["x" * int(n) for n in lengths]
    tally: LengthTally = _profile(values).text.lengths
    s = pl.Series(values).to_pandas().str.len()
    s = s[s > 0]  # empty values are missing, not lengths
    for start, n in tally.counts.items():
        assert int(((s >= start) & (s <= bucket_end(start))).sum()) == n
    assert sum(tally.counts.values()) == len(s)
    exact = s[s < EXACT_LENGTHS].value_counts()
    assert {k: v for k, v in tally.counts.items() if k < EXACT_LENGTHS} == exact.to_dict()
    assert [n for n, _, _ in tally.longest] == sorted(set(s.tolist()), reverse=True)[:5]
    assert [n for n, _, _ in tally.shortest] == sorted(set(s.tolist()))[:5]
    assert all(len(v) <= 60 for _, _, v in tally.longest)


def test_buckets_cover_every_length_once() -> None:
    x = np.arange(0, 200_000)
    b = length_bucket(x)
    ends = np.array([bucket_end(int(v)) for v in b])
    assert (b <= x).all() and (x <= ends).all()
    assert (b[x < EXACT_LENGTHS] == x[x < EXACT_LENGTHS]).all()
    width = ends - b + 1
    assert (width[x >= EXACT_LENGTHS] <= x[x >= EXACT_LENGTHS] / 32).all()  # at most 1/32


def test_tallies_round_trip_a_saved_profile() -> None:
    df = pl.DataFrame({"v": [*_values(5), "y" * 3000]}, schema={"v": pl.String})
    prof = profile_frame(df, _schema(["v"]))
    back = from_bytes(to_bytes(prof)).columns["v"].text
    assert back.special == prof.columns["v"].text.special
    assert back.lengths == prof.columns["v"].text.lengths
