"""quality.format_validity on hand-made columns; expected counts and shapes worked out by hand."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.data import infer_schema
from mlaudit.errors import ConfigError
from mlaudit.results import CheckResult, ExamplesDetail, Status
from mlaudit.summary import ScanPlan, from_bytes, merge, profile_frame, to_bytes

N = 1000
PLANTED = {5: "jane..doe@@bank.com", 77: "john.smith(at)mail.com", 500: "no-at-sign.example.org"}
SHAPES = {"aaaa..aaa@@aaaa.aaa", "aaaa.aaaaa(aa)aaaa.aaa", "aa-aa-aaaa.aaaaaaa.aaa"}


def _emails(n: int = N, bad: dict[int, str] | None = None) -> list[str]:
    out = [f"user{i}@bank.com" for i in range(n)]
    for i, v in (PLANTED if bad is None else bad).items():
        out[i] = v
    return out


def _run(df: pl.DataFrame, reference: pl.DataFrame | None = None, **kw: Any) -> list[CheckResult]:
    options = kw.pop("options", {})
    audit = Audit(
        df, reference=reference, suite="none", checks={"quality.format_validity": options}, **kw
    )
    return [c for c in audit.run().checks if c.id == "quality.format_validity"]


def _one(results: list[CheckResult], column: str) -> CheckResult:
    return next(r for r in results if r.column == column)


def _examples(r: CheckResult) -> ExamplesDetail:
    return next(d for d in r.details if isinstance(d, ExamplesDetail))


def test_three_malformed_emails_of_a_thousand_counted_with_their_shapes() -> None:
    r = _one(_run(pl.DataFrame({"email": _emails(), "x": list(range(N))})), "email")
    assert r.metrics["invalid"] == 3 and r.metrics["values"] == N
    assert r.metrics["invalid_share"] == 3 / N
    assert r.status is Status.PASS  # 0.3 %: under the 1 % warning level, listed all the same
    assert "3 of 1,000 values (0.3%) that are not valid e-mail addresses" in r.message
    ex = _examples(r)
    assert {row[0] for row in ex.rows} == SHAPES and ex.masked_columns == ["email"]


def test_phones_in_legal_forms_pass_and_a_yes_no_phone_column_is_not_checked() -> None:
    forms = [
        "+44 20 7946 0958",
        "(212) 555-1234",
        "0049-30-123456",
        "0171/1234567",
        "+1.212.555.0100",
    ]
    df = pl.DataFrame(
        {"phone": [forms[i % 5] for i in range(200)], "telephone": ["yes", "no"] * 100}
    )
    results = _run(df)
    ok = _one(results, "phone")
    assert ok.status is Status.PASS and ok.metrics["invalid"] == 0
    flag = _one(results, "telephone")
    assert flag.status is Status.SKIPPED
    assert "do not look like phone numbers" in flag.message and "not checked" in flag.message


def test_a_declared_format_always_judges_and_levels_apply() -> None:
    half = ["not an address"] * 500 + [f"u{i}@x.org" for i in range(500)]
    codes = [f"{10000 + i}" for i in range(N)]
    two = [f"BAD{chr(65 + i)}" if i < 20 else c for i, c in enumerate(codes)]  # 2 %
    ten = _emails(bad={i: f"bad{i}" for i in range(100)})  # 10 %
    df = pl.DataFrame({"contact": half, "two": two, "ten": ten})
    declared = {"contact": "email", "two": "postal_code"}
    results = _run(df, schema={"formats": declared}, options={"formats": {"ten": "email"}})
    contact = _one(results, "contact")  # under half match, but declared: judged
    assert contact.status is Status.FAIL and contact.metrics["invalid"] == 500
    assert _one(results, "two").status is Status.WARN  # 2 %: above 1 %, under 5 %
    assert _one(results, "ten").status is Status.FAIL
    # not personal: raw values are shown, lowest salted hashes first (5 of 20 kept)
    ex = _examples(_one(results, "two"))
    assert len(ex.rows) == 5 and ex.masked_columns == []
    assert {r[0] for r in ex.rows} < {f"BAD{chr(65 + i)}" for i in range(20)}


def test_with_a_reference_the_rise_is_judged() -> None:
    bad = {i: f"bad{i}" for i in range(0, N, 10)}  # 10 % in both periods
    same = pl.DataFrame({"email": _emails(bad=bad)})
    r = _one(_run(same, reference=same), "email")
    assert r.status is Status.PASS and "no significant rise" in r.message
    assert r.metrics["reference_invalid_share"] == 0.1
    clean = pl.DataFrame({"email": _emails(bad={})})
    risen = _one(_run(same, reference=clean), "email")
    assert risen.status is Status.FAIL and risen.metrics["invalid_share_increase"] == 0.1


def test_tallies_merge_across_parts_and_survive_a_saved_profile() -> None:
    df = pl.DataFrame({"email": _emails(bad={i: f"bad{i}@" for i in range(0, N, 50)})})
    schema = infer_schema(df)
    plan = ScanPlan(formats={"email": "email"}, personal=frozenset({"email"}), seed=3)
    whole = profile_frame(df, schema, plan).columns["email"].text
    parts = merge(profile_frame(df[:333], schema, plan), profile_frame(df[333:], schema, plan))
    tally = parts.columns["email"].text
    assert whole is not None and tally is not None and tally.format == whole.format
    assert tally.format.matches == whole.format.matches == N - 20
    assert tally.format.examples == whole.format.examples and len(whole.format.examples) == 5
    assert {v for _, v in whole.format.examples} <= {"aaa9@", "aaa99@", "aaa999@"}  # shapes only
    back = from_bytes(to_bytes(parts)).columns["email"].text
    assert back is not None and back.format == tally.format


def test_a_declared_format_for_a_missing_column_is_a_usage_error() -> None:
    df = pl.DataFrame({"contact": ["a@b.com"]})
    with pytest.raises(ConfigError, match="'contacts'.*does not have") as err:
        _run(df, schema={"formats": {"contacts": "email"}})
    assert "'contact'" in (err.value.fix or "")
