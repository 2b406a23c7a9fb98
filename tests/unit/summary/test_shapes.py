"""Format shapes against an independent computation: Python's ``unicodedata`` categories per
character, pandas' ``value_counts``, polars' own regex engine for the written expressions."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import polars as pl
import pytest

from mlaudit.checks.quality.rare_formats import RareFormats
from mlaudit.data import KNOWN_MARKERS, infer_schema, value_shape
from mlaudit.summary import (
    ScanPlan,
    format_shape,
    from_bytes,
    merge,
    profile_frame,
    shape_regex,
    to_bytes,
)
from mlaudit.summary._shapes import EXAMPLES_KEPT, MAX_SHAPE, merge_shapes, shape_counts


def oracle_shape(value: str) -> str:
    """Letters by Unicode category, one character at a time (no regex)."""
    out = []
    for c in value:
        cat = unicodedata.category(c)
        out.append({"Lu": "A", "Ll": "a", "Nd": "9"}.get(cat, c))
    s = "".join(out)
    return s if len(s) <= MAX_SHAPE else s[: MAX_SHAPE - 1] + "…"


VALUES = [
    "AB123456",
    "123-45-6789",
    "ab12 CD",
    "Ünïcödé-٣",  # Arabic-Indic digit three is Nd
    "中文12",  # letters without case are kept
    "x²",  # a superscript is No, kept
    "(555) 010-9999",
    "Z" * 70,
]


def test_shape_of_each_value_equals_unicode_categories() -> None:
    got = format_shape(pl.Series(VALUES)).to_list()
    assert got == [oracle_shape(v) for v in VALUES]
    assert got[:2] == ["AA999999", "999-99-9999"]  # by hand


def _random_codes(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    letters = rng.choice(list("ABCXYZ"), size=(n, 2))
    digits = rng.integers(0, 10**6, n)
    out = [f"{a}{b}{d:06d}" for (a, b), d in zip(letters, digits, strict=True)]
    for i in rng.choice(n, 40, replace=False):
        out[i] = rng.choice(["ab-1234", "AB12345", "N/A", " ", "12/34/5678", "?"])
    return out


def test_counts_equal_pandas_value_counts_of_shapes_without_blanks_and_markers() -> None:
    values = _random_codes(5_000, 1)
    vc = pl.Series(values).value_counts()
    got = shape_counts(vc[""], vc["count"], seed=0)
    s = pd.Series(values)
    keep = (s.str.strip() != "") & ~s.str.strip().str.lower().isin(KNOWN_MARKERS)
    # pandas: shapes by str.replace (ASCII data: [A-Z], [a-z], [0-9] are the classes)
    shapes = (
        s[keep]
        .str.replace(r"[A-Z]", "A", regex=True)
        .str.replace(r"[a-z]", "a", regex=True)
        .str.replace(r"[0-9]", "9", regex=True)
    )
    assert got.counts == shapes.value_counts().to_dict()
    assert got.other == 0 and got.error == 0
    for shape, examples in got.examples.items():
        assert len(examples) == min(EXAMPLES_KEPT, s[keep][shapes == shape].nunique())
        assert all(oracle_shape(v) == shape for _, v in examples)


def test_merge_of_parts_equals_the_whole_and_round_trips() -> None:
    df = pl.DataFrame({"code": _random_codes(4_000, 2)})
    schema = infer_schema(df)
    whole = profile_frame(df, schema)
    parts = merge(profile_frame(df[:1_500], schema), profile_frame(df[1_500:], schema))
    a, b = whole.columns["code"].text, parts.columns["code"].text
    assert a is not None and b is not None
    assert a.shapes == b.shapes  # counts and the bottom-k examples alike
    back = from_bytes(to_bytes(whole)).columns["code"].text
    assert back is not None and back.shapes == a.shapes


def test_cap_counts_the_rest_in_other_with_an_error_bound() -> None:
    # 5 shapes, cap 3: by hand, 'A' 40, '9' 30, 'AA' 20 kept; '99' 7 and 'AAA' 3 dropped.
    values = pl.Series(["A", "1", "AB", "12", "ABC"])
    counts = pl.Series([40, 30, 20, 7, 3])
    got = shape_counts(values, counts, seed=0, cap=3)
    assert got.counts == {"A": 40, "9": 30, "AA": 20}
    assert got.other == 10 and got.error == 7
    # merged with a part where '99' is frequent: '99' 7 (part 1, dropped) + 50 kept, error 7
    other = shape_counts(pl.Series(["34"]), pl.Series([50]), seed=0, cap=3)
    both = merge_shapes(got, other)
    assert both is not None
    assert both.counts == {"99": 50, "A": 40, "9": 30}  # true count of '99' is 57 <= 50 + 7
    assert both.other == 10 + 20 and both.error == 7 + 20


def test_personal_columns_keep_masked_shapes_and_no_examples() -> None:
    values = pl.Series(["jane.doe@bank.example", "123456789012", "AB123456"])
    got = shape_counts(values, pl.Series([1, 1, 1]), seed=0, personal=True)
    assert got.examples == {}
    # runs over eight abbreviated (twelve digits), shorter runs kept (by hand)
    assert set(got.counts) == {"aaaa.aaa@aaaa.aaaaaaa", "999…999", "AA999999"}


@pytest.mark.parametrize(
    ("shapes", "regex"),
    [
        (["AA999999"], r"^\p{Lu}{2}\d{6}$"),
        (["999-99-9999"], r"^\d{3}-\d{2}-\d{4}$"),
        (["A.a", "(999)"], r"^(?:\(\d{3}\)|\p{Lu}\.\p{Ll})$"),
    ],
)
def test_regex_of_shapes_by_hand(shapes: list[str], regex: str) -> None:
    assert shape_regex(shapes) == regex


def test_regex_matches_exactly_the_values_of_its_shapes() -> None:
    values = [*VALUES[:-1], *_random_codes(500, 3), "a+b*c?", "[x]{1}", "$^.|#&~"]
    s = pl.Series(values)
    wanted = ["AA999999", "999-99-9999", "a+a*a?", "[a]{9}", "$^.|#&~", "Aaaaaaa-9"]
    got = s.str.contains(shape_regex(wanted)).to_list()
    assert got == [oracle_shape(v) in wanted for v in values]


def test_personal_regex_matches_masked_shapes() -> None:
    values = pl.Series(["123456789012", "12345678901234", "1234", "ab.cd@x.org"])
    shapes = format_shape(values, personal=True)
    rx = shape_regex(["999…999", "aa.aa@a.aaa"], personal=True)
    assert values.str.contains(rx).to_list() == [True, True, False, True]
    assert shapes.to_list()[:2] == ["999…999", "999…999"]


def test_fast_path_agrees_on_sliced_chunked_series_with_nulls_and_unicode() -> None:
    values = [None, *VALUES, None, "ÄB12", "", "plain 123"]
    s = pl.concat([pl.Series(values[:4]), pl.Series(values[4:])], rechunk=False)[1:]
    got = format_shape(s).to_list()
    assert got == [None if v is None else oracle_shape(v) for v in values[1:]]


def test_personal_shapes_equal_the_house_shape_of_personal_values() -> None:
    values = pl.Series(
        [*VALUES, "jane.doe@bank.example", "+44 20 7946 0123", "ÉLODIE-Ü 1234567890", "x" * 50]
    )
    assert format_shape(values, personal=True).to_list() == value_shape(values).to_list()


RUST_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
RUST_WHITESPACE += "\u2028\u2029\u202f\u205f\u3000"
"""Unicode's White_Space, which polars' ``strip_chars`` removes (Python's strips more)."""


def left_out(v: str) -> bool:
    """The oracle of blanks and markers: strip White_Space, lower-case, look up."""
    return v.strip(RUST_WHITESPACE) == "" or v.strip(RUST_WHITESPACE).lower() in KNOWN_MARKERS


def test_blanks_and_markers_are_left_out_however_padded_or_cased() -> None:
    rng = np.random.default_rng(4)
    pads = [" ", "\t", "\xa0", "\u3000", "\x1c", "\x85"]
    values = set()
    for m in sorted(KNOWN_MARKERS):
        for _ in range(4):  # random case and padding, sometimes long
            cased = "".join(c.upper() if rng.random() < 0.5 else c for c in m)
            pad = ["".join(rng.choice(pads, int(rng.choice([0, 1, 30])))) for _ in range(2)]
            values.add(pad[0] + cased + pad[1])
    values |= {"UN\u212aNOWN", "nan1", "na-na", "Nulls", "(nil)", "AC0001", " " * 90, "ok"}
    s = pl.Series(sorted(values))
    got = shape_counts(s, pl.Series([1] * s.len()), seed=0)

    kept = [v for v in s.to_list() if not left_out(v)]
    assert "UN\u212aNOWN" not in kept and "AC0001" in kept  # the Kelvin sign lower-cases to k
    assert got.total == len(kept)
    assert got.counts == pd.Series([oracle_shape(v) for v in kept]).value_counts().to_dict()


def test_cap_on_many_shapes_keeps_the_commonest_ties_by_shape() -> None:
    rng = np.random.default_rng(5)
    values = pl.Series(
        ["".join(rng.choice(list("aB1-"), int(rng.integers(1, 9)))) for _ in range(3_000)]
    )
    vc = values.value_counts()
    got = shape_counts(vc[""], vc["count"], seed=0, cap=40)
    # the oracle: every shape's count (Python), ranked by count then shape
    full: dict[str, int] = {}
    for v, n in zip(vc[""].to_list(), vc["count"].to_list(), strict=True):
        if not left_out(v):  # '-', '--' and '---' are missing markers
            full[oracle_shape(v)] = full.get(oracle_shape(v), 0) + n
    ranked = sorted(full.items(), key=lambda kv: (-kv[1], kv[0]))
    assert got.counts == dict(ranked[:40])
    assert got.other == sum(n for _, n in ranked[40:]) and got.error == ranked[40][1]
    assert set(got.examples) == set(got.counts)
    for shape, examples in got.examples.items():
        assert all(oracle_shape(v) == shape for _, v in examples)
        assert examples == sorted(examples)


def test_personal_shapes_of_many_values_equal_the_house_shape() -> None:
    # many values, few shapes: the abbreviation runs once per distinct shape
    values = pl.Series([f"ZZ{i:09d}" for i in range(5_000)] + [f"ab {i:012d}" for i in range(50)])
    assert format_shape(values, personal=True).to_list() == value_shape(values).to_list()


def test_no_shapes_when_the_plan_does_not_ask() -> None:
    df = pl.DataFrame({"code": _random_codes(500, 6)})
    text = profile_frame(df, infer_schema(df), ScanPlan(shapes=False)).columns["code"].text
    assert text is not None and text.shapes is None
    assert RareFormats().scan_plan(ScanPlan(shapes=False)).shapes
