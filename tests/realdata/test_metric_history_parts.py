"""quality.metric_history on real tables cut into random equal parts: no period differs from
the others by construction, so warnings are false alarms, held to the check's nominal rate.

Each table is shuffled and cut into 13 parts: 12 earlier periods and the current one.  Every
judged figure (row count, missing share, mean, distinct count or share) counts once; the
simulated rate for 12 periods is about 0.1 % per figure (the check's docstring), real figures
(skewed means, small parts, discrete distinct counts) are allowed 1 % over all seeds.  A cycle
found by chance (``find_season``) would show in the messages; it is counted too.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.audit import profile_data
from mlaudit.results import Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

PARTS = 13
SEEDS = range(4)


def _parts(df: pl.DataFrame, seed: int) -> list[pl.DataFrame]:
    order = np.random.default_rng(seed).permutation(df.height)
    size = df.height // PARTS
    return [df[order[k * size : (k + 1) * size]] for k in range(PARTS)]


@pytest.mark.parametrize("name", list(t.HALVES_TABLES))
def test_random_parts_stay_quiet(name: str) -> None:
    df = t.HALVES_TABLES[name]()
    figures = warned = cycles = 0
    messages = []
    for seed in SEEDS:
        *earlier, current = _parts(df, seed)
        history = [profile_data(p)[2] for p in earlier]
        checks = {"quality.metric_history": {}}
        res = Audit(current, history=history, suite="none", checks=checks).run()
        for r in res.checks:
            assert r.status in (Status.PASS, Status.WARN), r.message
            figures += sum(1 for k in r.metrics if k.endswith("_robust_z"))
            cycles += sum(1 for k, v in r.metrics.items() if k.endswith("_season") and v)
            if r.status is Status.WARN:
                warned += r.message.count("robust z")
                messages.append(r.message)
    print(f"{name}: {warned} of {figures} figures warned, {cycles} cycles found")
    assert warned <= max(1, 0.01 * figures), messages
