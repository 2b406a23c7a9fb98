"""Well-known formats: each value judged by hand, IBAN check digits against python-stdnum."""

from __future__ import annotations

import random
import string

import polars as pl
import pytest
from stdnum import iban as stdnum_iban
from stdnum.iso7064 import mod_97_10

from mlaudit.data import format_by_name, format_valid, value_shape


def _valid(values: list[str | None], fmt: str) -> list[bool]:
    return format_valid(pl.Series("v", values, dtype=pl.String), fmt).to_list()


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        (
            "email",
            ["a@b.com", "a.b+tag@mail.co.uk", " jane@bank.de ", "Ünï@exämple.de"],
            ["jane..doe@@bank.com", "john(at)mail.com", "a@b", "a@b.c", "a b@c.com", "@b.com"],
        ),
        (
            "phone",
            ["+44 20 7946 0958", "(212) 555-1234", "0049-30-123456", "0171/1234567", "5551234"],
            ["yes", "12345", "+44 20 7946 0958 ext 12", "1234567890123456", "call me"],
        ),
        (
            "postal_code",
            ["12345", "12345-6789", "SW1A 1AA", "1234 AB", "K1A 0B1"],
            ["ABCDE", "1", "12345678901", "-1234", "12#45"],
        ),
        (
            "ssn",
            ["123-45-6789", "123456789", "665-01-0001"],
            ["000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "1234"],
        ),
        (
            "date",
            ["1980-02-29", "29/02/1980", "12/31/1999", "31.12.1999", "19991231", "1999/12/31"],
            ["1981-02-29", "1999-13-01", "31/31/1999", "yesterday", "1999-12-31 10:00"],
        ),
    ],
)
def test_formats_accept_legal_spellings_and_reject_impossible_values(
    fmt: str, good: list[str], bad: list[str]
) -> None:
    assert _valid([*good, *bad, None], fmt) == [True] * len(good) + [False] * (len(bad) + 1)


def test_iban_check_digits_agree_with_stdnum() -> None:
    known = ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "fr1420041010050500013m02606"]
    assert _valid(known, "iban") == [True, True, True]
    rng = random.Random(7)
    values = []
    for _ in range(400):  # random shapes: about 1 in 97 has valid check digits by chance
        body = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(18))
        values.append(rng.choice(["DE", "GB", "NL"]) + f"{rng.randrange(100):02d}" + body)
    values += [stdnum_iban.compact(v) for v in known]
    values += ["DE89370400440532013001", "XX", "DE8937040044053201300"]
    # ISO 7064 mod 97-10 on the value with its first four characters moved to the end
    oracle = [len(v) >= 15 and mod_97_10.is_valid(v[4:] + v[:4]) for v in values]
    assert sum(oracle) >= 4  # the test has valid and invalid values
    assert _valid(values, "iban") == oracle


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("email", "email"),
        ("customer_email", "email"),
        ("E-Mail", "email"),
        ("contactEmail", "email"),
        ("phone", "phone"),
        ("mobile_number", "phone"),
        ("telephone", "phone"),
        ("zip", "postal_code"),
        ("postal_code", "postal_code"),
        ("ssn", "ssn"),
        ("iban", "iban"),
        ("dob", "date"),
        ("date_of_birth", "date"),
        ("has_email", None),
        ("num_phones", None),
        ("name", None),
        ("amount", None),
    ],
)
def test_format_by_name(name: str, fmt: str | None) -> None:
    assert format_by_name(name) == fmt


def test_shapes_keep_layout_not_content() -> None:
    shapes = value_shape(pl.Series(["jane..doe@@bank.com", "Jöhn 0123456789012", "x" * 50]))
    assert shapes.to_list() == ["aaaa..aaa@@aaaa.aaa", "Aaaa 999…999", "aaa…aaa"]
    long = value_shape(pl.Series(["ab." * 30])).item()
    assert len(long) == 40 and long.endswith("…")
