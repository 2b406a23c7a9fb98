"""COMPAS split by screening date (2013 against 2014): the real shifts are found, the rest is quiet.

ProPublica's two-year file keeps people screened in 2013 and 2014. The 2014 cohort had a shorter
follow-up (``end``, days at risk) and a much higher recorded two-year recidivism rate; race and the
juvenile counts hardly move. The expected figures come from polars and scipy on the same split.
"""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy import stats

from mlaudit import Audit
from mlaudit.results import Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

COLUMNS = ["age", "juv_fel_count", "juv_misd_count", "end", "two_year_recid", "race"]


def _by_date() -> tuple[pl.DataFrame, pl.DataFrame]:
    df = t.compas().select(["screening_date", *COLUMNS])
    before = pl.col("screening_date") < "2014-01-01"
    return df.filter(before).drop("screening_date"), df.filter(~before).drop("screening_date")


def test_split_by_screening_date_finds_the_follow_up_and_the_target_rate() -> None:
    ref, cur = _by_date()
    report = Audit(cur, reference=ref, suite="none", checks={"drift.univariate": {}}).run()
    res = {c.column: c for c in report.checks if c.id == "drift.univariate"}

    end = res["end"]
    assert end.status is Status.FAIL
    ks = stats.ks_2samp(ref["end"].to_numpy(), cur["end"].to_numpy())
    assert end.metrics["ks_statistic"] == pytest.approx(ks.statistic, abs=1e-12)

    recid = res["two_year_recid"]
    assert recid.status is Status.FAIL
    p_ref, p_cur = float(ref["two_year_recid"].mean()), float(cur["two_year_recid"].mean())
    assert recid.metrics["rate_reference"] == pytest.approx(p_ref, abs=1e-12)
    assert recid.metrics["rate_current"] == pytest.approx(p_cur, abs=1e-12)
    h = abs(2 * math.asin(math.sqrt(p_cur)) - 2 * math.asin(math.sqrt(p_ref)))
    assert recid.metrics["cohens_h"] == pytest.approx(h, abs=1e-12)

    # The juvenile counts and race do not move between the two years.
    for quiet in ("juv_fel_count", "juv_misd_count", "race"):
        assert res[quiet].status is Status.PASS, quiet


def test_monthly_windows_find_the_month_the_cohort_changes() -> None:
    # From April 2014 on, the file keeps almost only people who reoffended (the others had not
    # yet had two years of follow-up when the data were collected), so the monthly rate of
    # two_year_recid jumps to about 1. Monthly windows against the first half of 2013 must alert
    # from that month on, with the effect equal to Cohen's h computed by hand.
    df = t.compas().select(["screening_date", *COLUMNS])
    df = df.with_columns(pl.col("screening_date").str.to_date())
    first_half = pl.col("screening_date") < pl.date(2013, 7, 1)
    ref, cur = df.filter(first_half), df.filter(~first_half)
    report = Audit(
        cur,
        reference=ref,
        suite="none",
        schema={"timestamp": "screening_date"},
        windows={"every": "month"},
        checks={"drift.over_time": {}},
    ).run()
    res = next(
        c for c in report.checks if c.id == "drift.over_time" and c.column == "two_year_recid"
    )
    assert res.status is Status.FAIL
    table = next(d for d in res.details if getattr(d, "name", "") == "windows")
    rows = {r[0]: dict(zip(table.columns, r, strict=True)) for r in table.rows}

    monthly = (
        cur.group_by(pl.col("screening_date").dt.strftime("%Y-%m").alias("m"))
        .agg(pl.len().alias("n"), pl.col("two_year_recid").mean().alias("rate"))
        .sort("m")
    )
    p_ref = float(ref["two_year_recid"].mean())
    jumped = [m for m, rate in zip(monthly["m"], monthly["rate"], strict=True) if rate > 0.9]
    assert jumped[0] == "2014-04"
    for m, n, rate in monthly.iter_rows():
        if n < 100:  # windows under min_rows are listed, not judged
            assert rows[m]["verdict"].startswith("not judged")
            continue
        h = abs(2 * math.asin(math.sqrt(rate)) - 2 * math.asin(math.sqrt(p_ref)))
        assert rows[m]["effect_size"] == pytest.approx(h, abs=1e-9), m
        if m in jumped:
            assert rows[m]["verdict"] == "alert", m
    calm = [m for m in rows if m < "2014-04" and rows[m]["verdict"] == "alert"]
    assert len(calm) <= 1, calm  # 9 calm months at alpha 0.05 each: at most one chance alert
