"""Hypothesis strategies for the fuzz tier: column names, cell values, CSV dialects, tables."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

# Column names: any unicode but lone surrogates (letters of every script, symbols, marks, bidi
# controls, control characters, emoji), empty or blank, padded, very long or repeated. Empty
# names get a placeholder; control characters are shown escaped by every renderer.
_name_chars = st.characters(blacklist_categories=("Cs",))
names = st.one_of(
    st.text(_name_chars, min_size=0, max_size=12),
    st.text(_name_chars, min_size=200, max_size=300),
    st.sampled_from(["a", "Name", "x y", " padded ", "ünïcödé", "名前", "a,b", 'q"uote', "1", ""]),
    st.sampled_from(["bad\x01name", "\x1b]0;pwned\x07\x1b[2J", "[red]x[/]", " ", "\t"]),
)

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1.7976931348623157e308, -1.7e308, 5e-324, 1e16, -0.0, math.nan]),
)
ints = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([2**63, 2**64 - 1, -(2**63) - 1, 10**30, 0]),
)
texts = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "NA", "null", "?", "-", "x\ny", 'say "hi"', "a;b,c\t|", "\ufeff"]),
)
KINDS: dict[str, st.SearchStrategy[Any]] = {
    "int": ints,
    "float": floats,
    "text": texts,
    "bool": st.booleans(),
    "date": st.dates().map(str),
    "mixed": st.one_of(ints, floats, texts),
}


@st.composite
def tables(draw: st.DrawFn, *, max_rows: int = 30) -> dict[str, list[Any]]:
    """A small table: 1-6 columns of a random kind each, 0-``max_rows`` rows, some missing."""
    cols = draw(st.lists(names, min_size=1, max_size=6))
    rows = draw(st.integers(0, max_rows))
    table: dict[str, list[Any]] = {}
    for name in cols:
        kind = draw(st.sampled_from(sorted(KINDS)))
        values = draw(st.lists(st.one_of(st.none(), KINDS[kind]), min_size=rows, max_size=rows))
        table[name] = values  # a repeated name replaces the earlier column in the dict
    return table


@st.composite
def dialects(draw: st.DrawFn) -> dict[str, Any]:
    """Settings for :func:`csv.writer`: delimiter, quoting, quote character, line ending."""
    import csv

    return {
        "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
        "quotechar": draw(st.sampled_from(['"', "'"])),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
        "lineterminator": draw(st.sampled_from(["\n", "\r\n"])),
    }
