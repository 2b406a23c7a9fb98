"""Model metrics with confidence intervals on 1M rows, 1,000 bootstrap resamples.

Usage (from the repository root): ``.venv/bin/python benchmarks/bench_metrics.py [--rows N]
[--repeat K]``

Times, in one warm process (libraries imported and a small run done first), best and median of
``--repeat`` runs:

* ``binary``: every binary metric (Wilson, DeLong, the confusion matrix's bootstrap, the Poisson
  bootstrap of average precision, KS, log loss and Brier score), curves and threshold table, on
  ``N`` labelled rows with a probability score;
* ``regression``: MAE, RMSE, MAPE, R² and median absolute error with bootstrap intervals, and
  the residual tables;
* ``check``: ``performance.metrics`` alone through ``Audit`` on an in-memory frame of ``N`` rows
  with a reference of ``N`` rows (the rows pass, both periods' metrics and the comparison).

Target (issue 11): metrics with intervals on 1M rows with 1,000 resamples under 10 s.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
import polars as pl
from _timing import timed  # benchmarks/_timing.py (the script's folder is on the path)

from mlaudit import Audit
from mlaudit.checks.performance._evaluation import Settings, evaluate
from mlaudit.checks.performance._labels import ModelRows, ScoreScale


def _binary(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(np.int8)
    p = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + 1.5 * y - 1.5)))
    return y, p


def binary_rows(n: int) -> ModelRows:
    y, p = _binary(n, 0)
    scale = ScoreScale(True, float(p.min()), float(p.max()), 0.5, "higher_is_positive")
    return ModelRows("binary", np.zeros(n, np.int16), y, (p >= 0.5).astype(np.int8), p, "1", 0,
                     "y", None, "score", scale)  # fmt: skip


def regression_rows(n: int) -> ModelRows:
    rng = np.random.default_rng(1)
    y = rng.gamma(2.0, 10.0, n)
    pred = y + rng.normal(0, 5, n)
    return ModelRows("regression", np.zeros(n, np.int16), y, pred, pred, "", 0, "y", "pred", None)


def check(n: int) -> Callable[[], object]:
    frames = []
    for seed in (0, 1):
        y, p = _binary(n, seed)
        frames.append(pl.DataFrame({"y": y.astype(np.int64), "score": p}))

    def run() -> object:
        return Audit(frames[0], reference=frames[1], suite="none",
                     checks={"performance.metrics": {}},
                     schema={"target": "y", "score": "score"}).run()  # fmt: skip

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    evaluate(binary_rows(2000), Settings())  # imports and first-call costs
    evaluate(regression_rows(2000), Settings())
    b, r = binary_rows(args.rows), regression_rows(args.rows)
    for name, fn in (
        ("binary", lambda: evaluate(b, Settings())),
        ("regression", lambda: evaluate(r, Settings())),
        ("check", check(args.rows)),
    ):
        best, median = timed(fn, args.repeat)
        print(f"{name:<11} {args.rows:>10,} rows, 1,000 resamples: best {best:6.2f} s, "
              f"median {median:6.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
