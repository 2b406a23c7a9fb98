"""Earlier quarters of the credit sample, for ``quality.metric_history`` (the demo's history).

Eight quarters before the current one (2023-Q3 to 2025-Q2): the last two are the reference
period cut at April 1st, the six before it are drawn by the same generator as the reference
(the reference's parameters, no defect, scored by the sample's model).  Applications have a
yearly cycle: a third quarter (July-September, the summer's car and home-improvement loans)
brings about 14,000 applications, the other quarters about 10,000 (each size varies by about
1.5 % from year to year).  The current quarter, a third quarter, has 10,000: against the
quarters before it that is ordinary, against the earlier third quarters a third of the
applications are missing (the planted anomaly ``quality.metric_history.rows``), which only a
seasonal baseline (``season: 4``) sees.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import polars as pl
from sklearn.pipeline import Pipeline

from mlaudit.datasets._ground_truth import PlantedIssue
from mlaudit.datasets._population import REFERENCE, make_population

__all__ = [
    "HISTORY_QUARTERS",
    "PEAK_ROWS",
    "QUARTER_ROWS",
    "history_frames",
    "history_issues",
    "history_sizes",
]

HISTORY_QUARTERS = ("2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
"""The drawn quarters; 2025-Q1 and 2025-Q2 are the reference's two halves."""
QUARTER_ROWS, PEAK_ROWS, SIZE_NOISE = 10_000, 14_000, 0.015
_REFERENCE_SPLIT = datetime(2025, 4, 1)


def history_sizes(seed: int) -> list[int]:
    """Rows of each drawn quarter (``HISTORY_QUARTERS``), the same for the same seed."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 500]))
    base = [PEAK_ROWS if q.endswith("Q3") else QUARTER_ROWS for q in HISTORY_QUARTERS]
    return [round(b * (1 + SIZE_NOISE * rng.standard_normal())) for b in base]


def _quarter(label: str) -> tuple[datetime, datetime]:
    year, q = int(label[:4]), int(label[-1])
    start = datetime(year, 3 * q - 2, 1)
    return start, datetime(year + q // 4, 3 * q + 1 if q < 4 else 1, 1)


def history_frames(
    seed: int, reference: pl.DataFrame, model: Pipeline, features: list[str], threshold: float
) -> list[tuple[str, pl.DataFrame]]:
    """The eight earlier quarters, oldest first, with ``score`` and ``prediction`` as the
    reference has them (``reference`` is the sample's, already scored)."""
    out: list[tuple[str, pl.DataFrame]] = []
    id_start = 5_000_001
    for k, (label, n) in enumerate(zip(HISTORY_QUARTERS, history_sizes(seed), strict=True)):
        start, end = _quarter(label)
        spec = replace(REFERENCE, name=label, start=start, end=end, stream_offset=500 + k)
        frame = make_population(seed, spec, n, id_start)
        id_start += n
        score = np.asarray(model.predict_proba(frame.select(features))[:, 1])
        out.append(
            (
                label,
                frame.with_columns(
                    pl.Series("score", score, dtype=pl.Float64),
                    pl.Series("prediction", (score >= threshold).astype(np.int64), dtype=pl.Int64),
                ),
            )
        )
    date = pl.col("application_date")
    out.append(("2025-Q1", reference.filter(date < _REFERENCE_SPLIT)))
    out.append(("2025-Q2", reference.filter(date >= _REFERENCE_SPLIT)))
    return out


_EFFECTS = {
    "age_band": ("distinct", "the zero-width and 400-character age bands (two new values)"),
    "employment_status": ("distinct", "the respelled 'employed' (four new spellings)"),
    "years_employed": ("missing_share", "the planted missing values"),
    "income": (
        "missing_share",
        "the planted missing values; its mean also jumps (the income "
        "drift and the planted outliers)",
    ),
    "has_guarantor": ("distinct", "the mixed yes/no spellings (five new spellings)"),
    "channel": ("distinct", "the new category 'mobile_app'"),
    "default": ("mean", "the changed default rate (the planted income and label drift)"),
    "prediction": ("mean", "the applications the planted policy rule flags by occupation"),
}
"""The planted defects and drift that also stand out against the history, per column.  The
earlier quarters' decisions are the score's cut-off alone: the policy rule of the current
quarter (``fairness.disparity.gender``) nearly triples the flagged share."""


def history_issues(seed: int, reference: pl.DataFrame, current: pl.DataFrame) -> list[PlantedIssue]:
    """The ground-truth entries of ``quality.metric_history`` on the demo's history."""
    sizes = dict(zip(HISTORY_QUARTERS, history_sizes(seed), strict=True))
    peaks = [sizes["2023-Q3"], sizes["2024-Q3"]]
    q1 = reference.filter(pl.col("application_date") < _REFERENCE_SPLIT).height
    expected: dict[str, float] = {}
    for col, (figure, _) in _EFFECTS.items():
        values = current[col]
        if figure == "distinct":
            expected[f"{col}.distinct"] = values.drop_nulls().n_unique()
        elif figure == "missing_share":
            expected[f"{col}.missing_share"] = values.null_count() / current.height
        else:
            expected[f"{col}.mean"] = float(values.mean())  # type: ignore[arg-type]
    return [
        PlantedIssue(
            id="quality.metric_history.rows",
            kind="quality",
            columns=(),
            description=f"the current quarter (July-September 2025) has {current.height:,} "
            f"applications; the earlier third quarters had {peaks[0]:,} (2023-Q3) and "
            f"{peaks[1]:,} (2024-Q3), the other six quarters about {QUARTER_ROWS:,} (2025-Q1 "
            f"{q1:,}, 2025-Q2 {reference.height - q1:,}): a third of the quarter's applications "
            "are missing, as a partial load gives; the history is the demo's history/*.profile "
            "and only the same-quarter baseline (season: 4) sees it",
            why_it_matters="a feed that delivers part of its rows passes every check on the "
            "rows it delivered; the scores, rates and drift of a partial quarter describe a "
            "different population",
            expected_check="quality.metric_history",
            count=current.height,
            expected={"rows": current.height, "rows_same_quarter_median": sum(peaks) / 2},
        ),
        PlantedIssue(
            id="quality.metric_history.planted_effects",
            kind="quality",
            columns=tuple(_EFFECTS),
            description="the current quarter's planted defects and drift also stand out "
            "against the eight earlier quarters: "
            + "; ".join(f"{c}: {f.replace('_', ' ')} ({why})" for c, (f, why) in _EFFECTS.items()),
            why_it_matters="the same defects, found without a reference: a team that keeps one "
            "saved profile per period sees them as soon as the period arrives",
            expected_check="quality.metric_history",
            expected=expected,
        ),
    ]
