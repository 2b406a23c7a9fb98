"""quality.rare_formats on generated code columns whose rare formats are planted and counted by
hand; p-values against scipy's hypergeometric and a pooled z test written out."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from mlaudit import Audit
from mlaudit.results import CheckResult, Status

CHECK = {"quality.rare_formats": {}}


def codes(n: int, seed: int) -> list[str]:
    """``n`` distinct-ish account ids of the shape AA999999."""
    rng = np.random.default_rng(seed)
    a = rng.choice(list("ABCDEFGH"), size=(n, 2))
    d = rng.integers(0, 10**6, n)
    return [f"{x}{y}{k:06d}" for (x, y), k in zip(a, d, strict=True)]


def run(cur: pl.DataFrame, ref: pl.DataFrame | None = None, **options: object) -> list[CheckResult]:
    checks = {"quality.rare_formats": dict(options)}
    return Audit(cur, reference=ref, suite="none", checks=checks).run().checks


def one(cur: pl.DataFrame, ref: pl.DataFrame | None = None, **options: object) -> CheckResult:
    (r,) = [r for r in run(cur, ref, **options) if r.column == "acct"]
    return r


def test_planted_rare_formats_are_counted_and_shown() -> None:
    ids = codes(2_000, 0)
    ids[:6] = ["AB-12345"] * 4 + ["ab123456", "AB1234567"]  # 6 planted, by hand
    ids[6:8] = ["N/A", ""]  # missing markers: not counted
    r = one(pl.DataFrame({"acct": ids}))
    assert r.status is Status.WARN
    assert r.metrics["values"] == 1_998
    assert r.metrics["rare_format_values"] == 6
    assert r.metrics["rare_format_share"] == pytest.approx(6 / 1_998)
    table = next(d for d in r.details if d.name == "rare_formats")
    assert table.rows[0][:2] == ["AA-99999", 4]
    assert {tuple(row[:2]) for row in table.rows[1:]} == {("aa999999", 1), ("AA9999999", 1)}
    assert table.rows[0][2] == "'AB-12345'"
    note = next(d for d in r.details if d.name == "formats")
    assert r"^\p{Lu}{2}\d{6}$" in note.text  # type: ignore[union-attr]


def test_more_than_the_fail_share_fails() -> None:
    ids = codes(1_000, 1)
    ids[:30] = [f"{i:04d}-XX" for i in range(30)]  # 3 % in one rare shape (under 5 %)
    r = one(pl.DataFrame({"acct": ids}), min_share=0.05)
    assert r.status is Status.FAIL and r.metrics["rare_format_values"] == 30


def test_clean_column_passes() -> None:
    r = one(pl.DataFrame({"acct": codes(1_000, 2)}))
    assert r.status is Status.PASS and r.metrics["rare_format_values"] == 0


def not_judged(results: list[CheckResult]) -> dict[str, str]:
    """The folded ``skipped`` result's table: column -> reason (asserting there is one)."""
    (r,) = [r for r in results if r.id == "quality.rare_formats" and r.column is None]
    assert r.status is Status.SKIPPED
    table = next(d for d in r.details if d.name == "not_judged")
    reasons = {str(row[0]): str(row[1]) for row in table.rows}  # type: ignore[union-attr]
    assert r.metrics["columns_not_judged"] == len(reasons)
    return reasons


def test_category_sets_and_free_text_are_not_judged_with_the_reason() -> None:
    rng = np.random.default_rng(3)
    words = ["".join(rng.choice(list("abcdefgh "), rng.integers(3, 30))) for _ in range(500)]
    df = pl.DataFrame({"acct": codes(500, 3), "segment": ["retail", "sme"] * 250, "note": words})
    results = run(df)
    # one result for the column judged, one for the two not judged
    assert [r.column for r in results] == ["acct", None]
    reasons = not_judged(results)
    assert set(reasons) == {"segment", "note"}
    assert "category set" in reasons["segment"]
    assert "not a format column" in reasons["note"]
    (folded,) = [r for r in results if r.column is None]
    assert "segment" in folded.message and "note" in folded.message


def test_no_folded_result_when_every_column_is_judged() -> None:
    results = run(pl.DataFrame({"acct": codes(500, 3)}))
    assert [(r.column, r.status) for r in results] == [("acct", Status.PASS)]


def test_columns_with_a_declared_pattern_or_known_format_are_left_to_their_checks() -> None:
    ids = codes(500, 4)
    ids[0] = "AB-1"
    df = pl.DataFrame({"acct": ids, "email": [f"p{i}@bank.example" for i in range(500)]})
    checks = {"quality.rare_formats": {}, "quality.pattern": {"patterns": {"acct": "^.+$"}}}
    result = Audit(df, suite="none", checks=checks).run().checks
    assert [r.column for r in result if r.id == "quality.rare_formats"] == [None]
    reasons = not_judged(result)
    assert "quality.pattern" in reasons["acct"]
    assert "format_validity" in reasons["email"]


def test_new_shape_against_the_reference_with_the_exact_p_value() -> None:
    ref_ids, cur_ids = codes(3_000, 5), codes(2_000, 6)
    cur_ids[:12] = ["AB-12345"] * 12  # never in the reference
    r = one(pl.DataFrame({"acct": cur_ids}), pl.DataFrame({"acct": ref_ids}))
    # all 12 pooled occurrences in the current period: hypergeometric P(X >= 12) (scipy)
    p = stats.hypergeom.sf(11, 5_000, 12, 2_000)
    table = next(d for d in r.details if d.name == "rare_formats")
    assert table.rows[0][:3] == ["AA-99999", 12, 0]
    assert table.rows[0][3] == pytest.approx(p, rel=1e-9)
    assert r.status is Status.WARN and r.metrics["rare_format_values"] == 12


def test_shape_as_frequent_as_in_the_reference_passes_and_rise_uses_the_z_test() -> None:
    ref_ids, cur_ids = codes(3_000, 7), codes(2_000, 8)
    ref_ids[:9] = ["ab123456"] * 9  # 0.3 % in both periods
    cur_ids[:6] = ["ab123456"] * 6
    r = one(pl.DataFrame({"acct": cur_ids}), pl.DataFrame({"acct": ref_ids}))
    assert r.status is Status.PASS and r.metrics["shapes_tested"] == 1
    # the same shape rising to 2 %: pooled two-proportion z test written out
    cur_ids[:40] = ["ab123456"] * 40
    r = one(pl.DataFrame({"acct": cur_ids}), pl.DataFrame({"acct": ref_ids}))
    pooled = 49 / 5_000
    z = (40 / 2_000 - 9 / 3_000) / math.sqrt(pooled * (1 - pooled) * (1 / 2_000 + 1 / 3_000))
    table = next(d for d in r.details if d.name == "rare_formats")
    assert table.rows[0][3] == pytest.approx(stats.norm.sf(z), rel=1e-9)
    assert r.status is Status.FAIL  # 2 % in a significantly risen shape, above 1 %


def test_personal_column_shows_shapes_and_no_value() -> None:
    ids = codes(1_000, 9)
    ids[:3] = ["XY-00001", "XY-00002", "XY-00003"]
    df = pl.DataFrame({"acct": ids})
    result = Audit(df, suite="none", checks=CHECK, schema={"personal": ["acct"]}).run()
    (r,) = result.checks
    assert r.status is Status.WARN and r.metrics["rare_format_values"] == 3
    text = r.model_dump_json()
    assert "XY-0000" not in text and "AA-99999" in text
