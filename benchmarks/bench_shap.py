"""SHAP values of a 200-tree gradient-boosting model on a 10,000-row sample.

Usage (from the repository root): ``.venv/bin/python benchmarks/bench_shap.py [--rows N]
[--trees T] [--repeat K] [--library lightgbm|sklearn]``

Times, best and median of ``--repeat`` runs after a first (cold) one:

* ``cold``: the first ``explain.shap`` audit in the process (importing shap included);
* ``check``: ``explain.shap`` alone through ``Audit`` on an in-memory frame of ``N`` rows with
  ``rows: N`` (reading the rows, running the model over them for the audit's columns, the
  SHAP values, the additivity check, the results);
* ``explain``: the SHAP values and the model's own margins alone
  (:func:`mlaudit.checks.explain._shap.explain`).

The model: LightGBM (``lightgbm``, a binary ``LGBMClassifier`` with 200 trees of 31 leaves) or
scikit-learn's ``HistGradientBoostingClassifier`` (``sklearn``, ``max_iter`` 200, no early
stopping), on 10 numeric features.  The audit is given a progress reporter that counts the
steps of the ``shap`` bar, which are printed (a terminal shows the same steps as a bar).

Target (issue 12): SHAP for a 200-tree gradient-boosting model on a 10,000-row sample: under
30 s, with a progress bar.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import polars as pl
from _timing import timed  # benchmarks/_timing.py (the script's folder is on the path)

from mlaudit import Audit
from mlaudit.checks.explain._shap import explain
from mlaudit.models import load_model

FEATURES = [f"x{i}" for i in range(10)]


class Steps:
    """A progress reporter that records the ``shap`` bar's steps."""

    def __init__(self) -> None:
        self.steps: list[int] = []

    def start(self, key: str, description: str, total: int | None) -> None:
        if key == "shap":
            self.steps = []

    def advance(self, key: str, amount: int) -> None:
        if key == "shap":
            self.steps.append(amount)

    def finish(self, key: str) -> None:
        pass


def frame(n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(FEATURES)))
    logit = x[:, 0] - 0.8 * x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + 0.3 * np.sin(3 * x[:, 4])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pl.DataFrame({**{f: x[:, i] for i, f in enumerate(FEATURES)}, "y": y})


def model(df: pl.DataFrame, library: str, trees: int) -> Any:
    x, y = df.select(FEATURES).to_pandas(), df["y"].to_numpy()
    if library == "lightgbm":
        import lightgbm as lgb

        return lgb.LGBMClassifier(n_estimators=trees, verbose=-1, random_state=0).fit(x, y)
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=trees, early_stopping=False, random_state=0).fit(
        x, y
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--trees", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--library", choices=["lightgbm", "sklearn"], default="lightgbm")
    args = parser.parse_args()
    df = frame(args.rows)
    fitted = model(frame(20_000, seed=1), args.library, args.trees)
    steps = Steps()

    def check() -> object:
        result = Audit(
            df, schema={"target": "y"}, model=fitted, suite="none", sample_size=args.rows,
            checks={"explain.shap": {"rows": args.rows}}, progress=steps,
        ).run()  # fmt: skip
        (found,) = [c for c in result.checks if c.id == "explain.shap"]
        assert found.status == "pass", found.message
        assert found.metrics["rows"] == args.rows, found.metrics
        return found

    t = time.perf_counter()
    found: Any = check()
    cold = time.perf_counter() - t
    adapter = load_model(fitted)

    def alone() -> object:
        return explain(adapter, df, df, background=100, permutations=3, seed=0, tick=lambda n: None)

    print(f"{args.library}, {args.trees} trees, {args.rows:,} rows x {len(FEATURES)} features")
    print(f"cold     {cold:6.2f} s (first audit in the process, shap imported)")
    for name, fn in (("check", check), ("explain", alone)):
        best, median = timed(fn, args.repeat)
        print(f"{name:<8} best {best:6.2f} s, median {median:6.2f} s")
    print(f"progress: {len(steps.steps)} steps of the shap bar ({sum(steps.steps):,} rows)")
    print(f"additivity: largest error {found.metrics['additivity_error']:.2g}")


if __name__ == "__main__":
    main()
