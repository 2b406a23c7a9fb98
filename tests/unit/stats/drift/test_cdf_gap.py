"""``cdf_gap``: KS statistic and W1 of two sketches' weighted items in one merge (scipy oracle)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mlaudit.stats.drift import cdf_gap
from mlaudit.summary._quantiles import QuantileSketch


def _sketch(values: np.ndarray) -> QuantileSketch:
    s = QuantileSketch()
    s.update(values)
    return s


@pytest.mark.parametrize(
    ("n_ref", "n_cur", "ties"),
    [(1_000, 800, False), (300_000, 50_000, False), (300_000, 200_000, True), (50, 2_000, True)],
)
def test_equals_scipy_on_the_weighted_items(n_ref: int, n_cur: int, ties: bool) -> None:
    rng = np.random.default_rng(n_ref + n_cur)
    a, b = rng.normal(0, 1, n_ref), rng.normal(0.2, 1.3, n_cur)
    if ties:
        a, b = np.round(a, 1), np.round(b, 1)
    ref, cur = _sketch(a), _sketch(b)
    gap = cdf_gap(ref, cur)
    u, uw = ref.items()
    v, vw = cur.items()
    assert gap.w1 == pytest.approx(stats.wasserstein_distance(u, v, uw, vw), rel=1e-10)
    grid = np.union1d(u, v)
    d = np.max(np.abs(ref.ranks(grid) - cur.ranks(grid)))
    assert gap.statistic == pytest.approx(d, abs=1e-12)
    if ref.is_exact and cur.is_exact:  # then it is the raw data's KS statistic and W1
        assert gap.statistic == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)
        assert gap.w1 == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-10)


def test_scipy_falling_back_to_the_asymptotic_p_value_is_said_not_warned() -> None:
    import warnings

    import numpy as np
    from scipy import stats

    from mlaudit.stats.drift import ks_sketch
    from mlaudit.summary import QuantileSketch

    a = np.array([1.0] * 372 + [2.0] * 128)
    b = np.array([1.0] * 374 + [2.0] * 126)
    with warnings.catch_warnings(record=True) as oracle:
        warnings.simplefilter("always")
        expected = stats.ks_2samp(a, b)
    if not any("Switching to method=asymp" in str(w.message) for w in oracle):
        pytest.fail("the data no longer makes scipy's exact p-value fall back; choose other data")
    sa, sb = QuantileSketch(), QuantileSketch()
    sa.update(a)
    sb.update(b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        result = ks_sketch(sa, sb)
    assert result.p_value == expected.pvalue
    assert result.method == "ks_2samp (exact values; asymptotic p-value)"


@pytest.mark.parametrize("action", ["default", "error", "ignore"])
def test_the_fall_back_is_told_whatever_the_warning_filters(action: str) -> None:
    # Told from the p-value, not the warning: the second call under "default" (the warning
    # shown once per line) and a filter that turns it into an error or drops it give the same
    # label and p-value; and the process's warning machinery is left as it was.
    import warnings

    import numpy as np
    from scipy import stats

    from mlaudit.stats.drift import ks_sketch
    from mlaudit.summary import QuantileSketch

    a = np.array([1.0] * 372 + [2.0] * 128)
    b = np.array([1.0] * 374 + [2.0] * 126)
    sa, sb = QuantileSketch(), QuantileSketch()
    sa.update(a)
    sb.update(b)
    expected = stats.ks_2samp(a, b, method="asymp").pvalue
    with warnings.catch_warnings():
        warnings.simplefilter(action)
        results = [ks_sketch(sa, sb)]  # the first use installs mlaudit's routing hook, once
        filters, show = list(warnings.filters), warnings.showwarning
        results.append(ks_sketch(sa, sb))
        assert (warnings.filters, warnings.showwarning) == (filters, show)
    for result in results:
        assert result.p_value == expected
        assert result.method == "ks_2samp (exact values; asymptotic p-value)"
    exact = ks_sketch(*_sketches())
    assert exact.method == "ks_2samp (exact values)"


def _sketches() -> tuple[object, object]:
    import numpy as np

    from mlaudit.summary import QuantileSketch

    rng = np.random.default_rng(0)
    sa, sb = QuantileSketch(), QuantileSketch()
    sa.update(rng.normal(size=300))
    sb.update(rng.normal(0.3, 1.0, size=250))
    return sa, sb
