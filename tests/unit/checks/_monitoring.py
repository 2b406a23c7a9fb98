"""Synthetic monitoring data with known truth, shared by the checks-over-time tests.

Features ``x1``, ``x2`` (standard normal) and ``c`` (a, b, c); the true probability of a
positive label is ``sigmoid(1.5·x1 + x2 + [c == b] − 0.5)``; the model's score is that
probability (a perfectly calibrated model) and its prediction is ``score ≥ 0.5``.  Changes are
planted from a given week on: a mean shift of ``x1`` (covariate drift: the model stays right), a
flip of the link between ``x1`` and the label (concept drift: the model goes wrong), or missing
values of ``x2`` in one week.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl

START_REFERENCE = datetime(2025, 1, 6)  # a Monday
START_CURRENT = datetime(2025, 5, 5)  # a Monday

SCHEMA = {"target": "y", "score": "score", "prediction": "pred", "timestamp": "ts"}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def make_period(
    *,
    weeks: int = 8,
    rows_per_week: int = 1_500,
    start: datetime = START_CURRENT,
    seed: int = 0,
    shift_from: int | None = None,
    shift: float = 0.6,
    concept_from: int | None = None,
    missing_week: int | None = None,
) -> pl.DataFrame:
    """``weeks`` weeks of rows; weeks are numbered from 0."""
    rng = np.random.default_rng(seed)
    n = weeks * rows_per_week
    week = np.repeat(np.arange(weeks), rows_per_week)
    seconds = rng.integers(0, 7 * 24 * 3600, n)
    ts = [
        start + timedelta(weeks=int(w), seconds=int(s)) for w, s in zip(week, seconds, strict=True)
    ]
    x1 = rng.normal(size=n)
    if shift_from is not None:
        x1 = x1 + np.where(week >= shift_from, shift, 0.0)
    x2 = rng.normal(size=n)
    c = rng.choice(np.array(["a", "b", "c"]), n)
    z = 1.5 * x1 + x2 + (c == "b") - 0.5
    score = _sigmoid(z)
    truth = score
    if concept_from is not None:
        flipped = _sigmoid(-1.5 * x1 + x2 + (c == "b") - 0.5)
        truth = np.where(week >= concept_from, flipped, score)
    y = (rng.random(n) < truth).astype(np.int64)
    x2_values: list[float | None] = list(x2)
    if missing_week is not None:
        x2_values = [None if w == missing_week and i % 2 == 0 else v
                     for i, (w, v) in enumerate(zip(week, x2, strict=True))]  # fmt: skip
    return pl.DataFrame(
        {
            "ts": ts,
            "x1": x1,
            "x2": pl.Series(x2_values, dtype=pl.Float64),
            "c": c,
            "score": score,
            "pred": (score >= 0.5).astype(np.int64),
            "y": y,
        }
    )


def reference(seed: int = 100, weeks: int = 12) -> pl.DataFrame:
    """A stationary reference period of ``weeks`` weeks."""
    return make_period(weeks=weeks, start=START_REFERENCE, seed=seed)
