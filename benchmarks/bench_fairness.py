"""Group fairness metrics with intervals on 1M rows, 3 sensitive attributes and their pairs.

Usage (from the repository root): ``.venv/bin/python benchmarks/bench_fairness.py [--rows N]
[--repeat K]``

Times, in one warm process (a small run done first), best and median of ``--repeat`` runs:

* ``tables``: :func:`group_table` for the three attributes and their three pairs on rows
  already read (the groups' rates with Wilson intervals, gaps to the reference group with
  Newcombe intervals and tests, AUC per group by DeLong, disparities with 1,000 bootstrap
  resamples);
* ``check``: ``fairness.group_metrics`` alone through ``Audit`` on an in-memory frame of ``N``
  rows (reading the rows, the six tables, the results).

The data look like a lender's: sex (3 values, one small), race (5 values, one under 1 %), age
band (6 values), a label, a probability score and the decision at 0.5, with a planted gap.

Target (issue 12): group metrics with intervals for 1M rows, 3 attributes and their
intersections, under 5 s.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
import polars as pl
from _timing import timed  # benchmarks/_timing.py (the script's folder is on the path)

from mlaudit import Audit
from mlaudit.checks.fairness._common import groupings
from mlaudit.checks.fairness._groups import group_table

ATTRIBUTES = ["sex", "race", "age_band"]


def frame(n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["female", "male", "non-binary"]), n, p=[0.49, 0.49, 0.02])
    race = rng.choice(np.array(["asian", "black", "hispanic", "white", "other"]), n,
                      p=[0.1, 0.15, 0.15, 0.595, 0.005])  # fmt: skip
    age = rng.choice(np.array(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]), n)
    y = (rng.random(n) < 0.3).astype(np.int64)
    logit = rng.normal(0, 1, n) + 1.5 * y - 0.4 * (sex == "female") - 0.3 * (race == "black")
    score = 1 / (1 + np.exp(-logit))
    return pl.DataFrame({"sex": sex, "race": race, "age_band": age, "y": y, "score": score,
                         "pred": (score >= 0.5).astype(np.int64)})  # fmt: skip


def tables(df: pl.DataFrame) -> Callable[[], object]:
    rows = df.select(pl.col("pred").cast(pl.Int8).alias("decision"),
                     pl.col("y").cast(pl.Int8).alias("label"), "score", *ATTRIBUTES)  # fmt: skip

    def run() -> object:
        return [group_table(rows, keys) for keys in groupings(ATTRIBUTES, intersections=True)]

    return run


def check(df: pl.DataFrame) -> Callable[[], object]:
    schema = {"target": "y", "score": "score", "prediction": "pred", "sensitive": ATTRIBUTES}

    def run() -> object:
        return Audit(df, suite="none", schema=schema,
                     checks={"fairness.group_metrics": {}}).run()  # fmt: skip

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    check(frame(5000))()  # imports and first-call costs
    df = frame(args.rows)
    for name, fn in (("tables", tables(df)), ("check", check(df))):
        best, median = timed(fn, args.repeat)
        print(f"{name:<7} {args.rows:>10,} rows, 3 attributes + 3 pairs: best {best:6.2f} s, "
              f"median {median:6.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
