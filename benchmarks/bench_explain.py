"""The explain checks' cost: 5,000 rows x 20 features, a 200-tree LightGBM classifier.

Run: ``python benchmarks/bench_explain.py`` (figures in docs/explainability.md, "Cost").
"""

from __future__ import annotations

import time

import lightgbm as lgb
import numpy as np
import polars as pl

from mlaudit import Audit


def main() -> None:
    rng = np.random.default_rng(0)
    n = 5_000
    x = rng.normal(size=(n, 20))
    logit = 2 * x[:, 0] + x[:, 1] - 0.5 * x[:, 2]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    df = pl.DataFrame({f"f{i}": x[:, i] for i in range(20)}).with_columns(pl.Series("y", y))
    model = lgb.LGBMClassifier(n_estimators=200, verbose=-1, random_state=0)
    model.fit(df.drop("y").to_pandas(), y)
    runs: list[dict[str, dict[str, object]]] = [
        {"explain.permutation_importance": {}},
        {"explain.permutation_importance": {}, "explain.partial_dependence": {}},
        {"explain.partial_dependence": {}},
        {"explain.importance_drift": {}},
        {"explain.stability": {}},
        {"explain.stability": {"basis": "shap"}},
    ]
    for checks in runs:
        start = time.perf_counter()
        Audit(
            df, reference=df, schema={"target": "y"}, model=model, suite="none",
            sample_size=n, checks=checks,
        ).run()  # fmt: skip
        names = [f"{c} {o}" if o else c for c, o in checks.items()]
        print(f"{' + '.join(names)}: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
