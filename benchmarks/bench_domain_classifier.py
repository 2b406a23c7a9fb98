"""The domain classifier of ``drift.multivariate``: ours beside scikit-learn's, in-process.

Usage: ``.venv/bin/python benchmarks/bench_domain_classifier.py [--rows N] [--columns K]
[--repeat R] [--seed S] [--max-depth D] [--max-bins B]``

Data: ``--rows`` reference and as many current rows (default 20,000 each, balanced as the check
balances them), ``--columns`` standard normal columns (default 20) with mild drift in the current
rows: column 0's mean +0.1, column 1's spread x1.1, and columns 2 and 3 correlated 0.3 (their
marginals unchanged).

Each side does what the check does: out-of-fold scores from 2-fold stratified cross-fitting
(ours: :func:`mlaudit.checks.drift.multivariate.domain_classifier_scores`; scikit-learn:
``StratifiedKFold`` and ``HistGradientBoostingClassifier(max_iter=100)`` under
``threadpool_limits(1)``), then grouped permutation importance on 8,000 of the first fold's
held-out rows, 3 repeats per column (ours: ``grouped_importance``; scikit-learn:
``predict_proba`` of each shuffled copy).  The sides alternate and each figure is the best of
``--repeat`` runs (the machine is shared).  The import times are of fresh processes that
have already imported ``mlaudit``: what the classifier adds to start-up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

IMPORT = "import time, mlaudit; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"


def make_data(rows: int, columns: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Balanced reference (label 0) and current (label 1) rows with mild drift."""
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=(rows, columns))
    cur = rng.normal(size=(rows, columns))
    cur[:, 0] += 0.1
    cur[:, 1] *= 1.1
    if columns >= 4:
        cur[:, 3] = 0.3 * cur[:, 2] + np.sqrt(1 - 0.3**2) * cur[:, 3]
    y = np.r_[np.zeros(rows, dtype=np.int64), np.ones(rows, dtype=np.int64)]
    return np.vstack([ref, cur]), y


def ours(x: np.ndarray, y: np.ndarray, seed: int, depth: int, bins: int) -> dict[str, Any]:
    """Scores, AUC and importance with the check's own functions."""
    from mlaudit.checks.drift import multivariate as mv
    from mlaudit.stats._auc import roc_auc
    from mlaudit.stats.boosting import GradientBoostedTrees, stratified_folds

    t0 = time.perf_counter()
    scores = np.empty(len(y))
    models = []
    for train, test in stratified_folds(y, 2, seed):
        model = GradientBoostedTrees(seed=seed, max_depth=depth, max_bins=bins)
        model.fit(x[train], y[train])
        scores[test] = model.predict_proba(x[test])[:, 1]
        models.append((model, test))
    t1 = time.perf_counter()
    model, test = models[0]
    rows = mv._importance_rows(y, test, seed)
    groups = [f"c{j}" for j in range(x.shape[1])]
    ranked = mv.grouped_importance(model, x[rows], y[rows], groups, seed=seed)
    t2 = time.perf_counter()
    return {
        "fit": t1 - t0,
        "importance": t2 - t1,
        "auc": roc_auc(y, scores),
        "trees": [m.n_iter_ for m, _ in models],
        "top": [g for g, _, _ in ranked[:4]],
    }


def sklearn(x: np.ndarray, y: np.ndarray, seed: int) -> dict[str, Any]:
    """The same with scikit-learn, one OpenMP thread (what the check did before)."""
    import sklearn.ensemble
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    from mlaudit.checks.drift import multivariate as mv

    with threadpool_limits(limits=1, user_api="openmp"):
        t0 = time.perf_counter()
        scores = np.empty(len(y))
        models = []
        folds = StratifiedKFold(n_splits=2, shuffle=True, random_state=seed)
        for train, test in folds.split(x, y):
            model = sklearn.ensemble.HistGradientBoostingClassifier(random_state=seed, max_iter=100)
            model.fit(x[train], y[train])
            scores[test] = model.predict_proba(x[test])[:, 1]
            models.append((model, test))
        t1 = time.perf_counter()
        model, test = models[0]
        rows = mv._importance_rows(y, test.astype(np.int64), seed)
        xs, ys = x[rows], y[rows]
        base = roc_auc_score(ys, model.predict_proba(xs)[:, 1])
        rng = np.random.default_rng(seed)
        drops = {}
        shuffled = xs.copy()
        for j in range(x.shape[1]):
            d = []
            for _ in range(3):
                shuffled[:, j] = xs[rng.permutation(len(xs)), j]
                d.append(base - roc_auc_score(ys, model.predict_proba(shuffled)[:, 1]))
            shuffled[:, j] = xs[:, j]
            drops[f"c{j}"] = float(np.mean(d))
        t2 = time.perf_counter()
    return {
        "fit": t1 - t0,
        "importance": t2 - t1,
        "auc": roc_auc_score(y, scores),
        "trees": [m.n_iter_ for m, _ in models],
        "top": sorted(drops, key=lambda g: -drops[g])[:4],
    }


def import_seconds(module: str) -> float:
    """Best of three fresh-process import times of ``module``, ``mlaudit`` already loaded."""
    out = []
    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-c", IMPORT.format(module)],
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(float(run.stdout))
    return min(out)


def best(runs: list[dict[str, Any]], key: str) -> float:
    return min(float(r[key]) for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-depth", type=int, default=None)
    parser.add_argument("--max-bins", type=int, default=None)
    args = parser.parse_args()
    from mlaudit.stats.boosting import GradientBoostedTrees

    default = GradientBoostedTrees()
    depth = args.max_depth or default.max_depth
    bins = args.max_bins or default.max_bins
    x, y = make_data(args.rows, args.columns, args.seed)
    sides: dict[str, Callable[[], dict[str, Any]]] = {
        "ours": lambda: ours(x, y, args.seed, depth, bins),
        "scikit-learn": lambda: sklearn(x, y, args.seed),
    }
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in sides}
    for _ in range(args.repeat):
        for name, run in sides.items():
            runs[name].append(run())
    imports = {
        "ours": import_seconds("mlaudit.stats.boosting"),
        "scikit-learn": import_seconds(
            "sklearn.ensemble, sklearn.metrics, sklearn.model_selection, threadpoolctl"
        ),
    }
    print(
        f"{len(y):,} rows ({args.rows:,} per period) x {args.columns} columns, mild drift; "
        f"best of {args.repeat}; ours: max_depth={depth}, max_bins={bins}"
    )
    print(f"{'':44s}{'ours':>14s}{'scikit-learn':>14s}")
    lines: list[tuple[str, Callable[[str], str]]] = [
        ("2-fold fits + out-of-fold scores", lambda k: f"{best(runs[k], 'fit'):.3f} s"),
        (
            "grouped permutation importance (8,000 rows)",
            lambda k: f"{best(runs[k], 'importance'):.3f} s",
        ),
        (
            "both",
            lambda k: f"{min(float(r['fit']) + float(r['importance']) for r in runs[k]):.3f} s",
        ),
        ("out-of-fold ROC AUC", lambda k: f"{float(runs[k][0]['auc']):.4f}"),
        ("trees per fold (early stopping)", lambda k: str(runs[k][0]["trees"])),
        ("most telling columns", lambda k: ",".join(runs[k][0]["top"][:3])),
        ("import, after mlaudit (fresh process)", lambda k: f"{imports[k]:.3f} s"),
    ]
    for label, cell in lines:
        print(f"{label:44s}{cell('ours'):>14s}{cell('scikit-learn'):>14s}")


if __name__ == "__main__":
    main()
