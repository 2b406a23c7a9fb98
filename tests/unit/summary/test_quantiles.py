"""QuantileSketch: exact path vs numpy, hard rank-error bound vs true ranks, merge, bytes.

Oracles: ``numpy.quantile(..., method="inverted_cdf")`` for the exact path, and true ranks from
``np.searchsorted`` on the sorted data for the approximate path.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from mlaudit.errors import DataError
from mlaudit.summary._quantiles import QuantileSketch

BATCH = 262_144
QS = np.concatenate([np.linspace(0.0, 1.0, 201), [1e-9, 0.001, 1 / 3, 0.999, 1 - 1e-9]])


def _build(x: np.ndarray, batch: int = BATCH, **kw: int) -> QuantileSketch:
    s = QuantileSketch(**kw)
    for i in range(0, x.size, batch):
        s.update(x[i : i + batch])
    return s


def _assert_within_bound(s: QuantileSketch, x: np.ndarray, qs: np.ndarray = QS) -> None:
    """Every quantile's true rank interval reaches within the stated bound of q·n."""
    xs = np.sort(x)
    n, e = xs.size, s.rank_error_abs
    assert s.n == n
    v = s.quantiles(qs)
    below = np.searchsorted(xs, v, side="left")  # values < v
    upto = np.searchsorted(xs, v, side="right")  # values <= v
    assert np.all(below <= qs * n + e)
    assert np.all(upto >= qs * n - e)
    assert np.all(np.isin(v, xs))  # every answer is a value seen
    # ranks at arbitrary points (data values and points between them)
    pts = np.concatenate([xs[:: max(n // 500, 1)], xs[:: max(n // 500, 1)] + 1e-3, [-1e9, 1e9]])
    for inclusive in (True, False):
        true = np.searchsorted(xs, pts, side="right" if inclusive else "left") / n
        est = s.ranks(pts, inclusive=inclusive)
        assert np.all(np.abs(est - true) <= s.normalized_rank_error + 1e-12)


# --------------------------------------------------------------------------------- exact path


@pytest.mark.parametrize("size", [1, 2, 3, 10, 999, 131_072])
def test_exact_path_equals_numpy_inverted_cdf(size: int) -> None:
    rng = np.random.default_rng(size)
    x = rng.lognormal(size=size) * rng.choice([-1.0, 1.0], size=size)
    s = _build(x, batch=max(size // 3, 1))
    assert s.is_exact
    assert s.rank_error_abs == 0
    assert s.normalized_rank_error == 0.0
    assert s.num_retained == size
    expected = np.quantile(x, QS, method="inverted_cdf")
    np.testing.assert_array_equal(s.quantiles(QS), expected)
    assert [s.quantile(q) for q in QS[:20]] == expected[:20].tolist()
    assert (s.min, s.max) == (x.min(), x.max())


def test_exact_path_with_ties_ranks_and_cdf() -> None:
    x = np.random.default_rng(7).integers(-5, 6, size=5_000).astype(float)
    s = _build(x, batch=777)
    np.testing.assert_array_equal(s.quantiles(QS), np.quantile(x, QS, method="inverted_cdf"))
    pts = np.arange(-6.0, 7.0, 0.5)
    np.testing.assert_array_equal(s.ranks(pts), [(x <= p).mean() for p in pts])
    np.testing.assert_array_equal(s.ranks(pts, inclusive=False), [(x < p).mean() for p in pts])
    assert s.rank(0.0) == (x <= 0).mean()
    cdf = s.cdf([-1.0, 0.0, 2.5])
    np.testing.assert_array_equal(cdf, [(x <= -1).mean(), (x <= 0).mean(), (x <= 2.5).mean(), 1])


def test_exact_sketches_of_the_same_values_have_the_same_bytes() -> None:
    x = np.random.default_rng(3).normal(size=10_000)
    a = _build(x, batch=1_000)
    b = _build(x[::-1].copy(), batch=3_333)
    assert a.to_bytes() == b.to_bytes()
    assert a == b


# --------------------------------------------------------------------------- approximate path


def _ties(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.round(rng.normal(size=n), 1)  # about 100 distinct values, heavy ties


DISTRIBUTIONS: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "normal": lambda rng, n: rng.normal(size=n),
    "lognormal": lambda rng, n: rng.lognormal(sigma=2.0, size=n),
    "ties": _ties,
    "sorted": lambda rng, n: np.sort(rng.normal(size=n)),
    "reversed": lambda rng, n: np.sort(rng.exponential(size=n))[::-1].copy(),
}


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_two_million_values_stay_within_the_stated_bound(name: str) -> None:
    x = DISTRIBUTIONS[name](np.random.default_rng(42), 2_000_000)
    s = _build(x)
    assert not s.is_exact
    assert 0 < s.normalized_rank_error < 0.005  # small bound, stated exactly
    assert s.normalized_rank_error == s.rank_error_abs / x.size
    assert s.num_retained < 40_000
    assert (s.min, s.max) == (x.min(), x.max())
    assert (s.quantile(0.0), s.quantile(1.0)) == (x.min(), x.max())
    _assert_within_bound(s, x)


def test_many_small_batches_stay_within_bound() -> None:
    x = np.random.default_rng(5).standard_t(3, size=600_000)
    s = _build(x, batch=1_000, k=256, exact_capacity=2_048)
    assert not s.is_exact
    assert s.normalized_rank_error < 0.05
    _assert_within_bound(s, x)


def test_all_equal_values_compact_losslessly() -> None:
    x = np.full(1_000_000, 2.5)
    s = _build(x)
    assert s.num_retained < x.size  # compactions happened...
    assert s.is_exact  # ...but pairs of ties lose nothing
    assert s.quantiles([0.0, 0.3, 1.0]).tolist() == [2.5, 2.5, 2.5]
    assert (s.rank(2.5), s.rank(2.5, inclusive=False), s.rank(2.4)) == (1.0, 0.0, 0.0)


# ------------------------------------------------------------------------------------- merge


def test_merge_of_parts_is_within_bound_of_the_whole() -> None:
    rng = np.random.default_rng(9)
    x = np.concatenate([rng.normal(size=700_000), rng.lognormal(size=500_000) + 3])
    cuts = [0, 100_000, 450_000, 460_000, 1_200_000]
    parts = [_build(x[a:b], batch=100_000) for a, b in itertools.pairwise(cuts)]
    merged = parts[0].merge(parts[1]).merge(parts[2].merge(parts[3]))
    assert merged.rank_error_abs >= sum(p.rank_error_abs for p in parts)  # errors add
    assert 0 < merged.normalized_rank_error < 0.005
    _assert_within_bound(merged, x)
    again = parts[0].merge(parts[1]).merge(parts[2].merge(parts[3]))
    assert again.to_bytes() == merged.to_bytes()  # deterministic
    assert parts[2].n == 10_000  # inputs unchanged
    assert parts[2].is_exact


def test_merge_exact_parts_stays_exact_until_capacity() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=600), rng.normal(size=400)
    m = _build(a, exact_capacity=1_000).merge(_build(b, exact_capacity=1_000))
    assert m.is_exact
    both = np.concatenate([a, b])
    np.testing.assert_array_equal(m.quantiles(QS), np.quantile(both, QS, method="inverted_cdf"))
    m2 = m.merge(_build(np.array([0.5]), exact_capacity=1_000))
    assert not m2.is_exact  # 1,001 values overflow the capacity
    _assert_within_bound(m2, np.append(both, 0.5))


def test_merge_with_empty_and_different_parameters() -> None:
    s = _build(np.arange(10.0))
    m = QuantileSketch().merge(s).merge(QuantileSketch())
    assert m.to_bytes() == s.to_bytes()
    with pytest.raises(ValueError, match="different parameters"):
        s.merge(QuantileSketch(k=128))


# ------------------------------------------------------------------------------ determinism


def _digest_script() -> str:
    return (
        "import hashlib, numpy as np\n"
        "from mlaudit.summary._quantiles import QuantileSketch\n"
        "x = np.random.default_rng(11).normal(size=1_000_000)\n"
        "s = QuantileSketch()\n"
        "for i in range(0, x.size, 262_144):\n"
        "    s.update(x[i : i + 262_144])\n"
        "print(hashlib.sha256(s.to_bytes()).hexdigest())\n"
    )


def test_same_batches_give_identical_bytes_in_process_and_across_runs() -> None:
    x = np.random.default_rng(11).normal(size=1_000_000)
    a, b = _build(x), _build(x)
    assert not a.is_exact
    assert a.to_bytes() == b.to_bytes()
    assert a.quantiles(QS).tolist() == b.quantiles(QS).tolist()
    src = str(Path(__file__).resolve().parents[3] / "src")
    out = subprocess.run(
        [sys.executable, "-c", _digest_script()],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src},
    )
    assert out.stdout.strip() == hashlib.sha256(a.to_bytes()).hexdigest()


# ------------------------------------------------------------------------------------- bytes


def test_round_trip_keeps_every_answer() -> None:
    x = np.random.default_rng(2).gamma(2.0, size=500_000)
    s = _build(x, batch=100_000)
    t = QuantileSketch.from_bytes(s.to_bytes())
    assert t.to_bytes() == s.to_bytes()
    assert (t.n, t.rank_error_abs, t.num_retained, t.min, t.max) == (
        s.n,
        s.rank_error_abs,
        s.num_retained,
        s.min,
        s.max,
    )
    assert t.quantiles(QS).tolist() == s.quantiles(QS).tolist()
    # the reloaded sketch keeps working like the original
    s.update(x[:300_000])
    t.update(x[:300_000])
    assert t.to_bytes() == s.to_bytes()
    assert QuantileSketch.from_bytes(bytearray(s.to_bytes())) == s


def _corrupt(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def test_garbage_is_rejected_with_data_error() -> None:
    good = _build(np.random.default_rng(0).normal(size=200_000)).to_bytes()
    head = struct.calcsize("<8sIIQQQddI")
    n_levels = struct.unpack_from("<I", good, head - 4)[0]
    first_item = head + n_levels + 8 * n_levels
    bad = {
        "magic": b"NOTASKCH" + good[8:],
        "empty": b"",
        "truncated": good[:-8],
        "trailing": good + b"\0" * 8,
        "n": _corrupt(good, 24, struct.pack("<Q", 7)),
        "nan": _corrupt(good, first_item, struct.pack("<d", math.nan)),
        "unsorted": _corrupt(good, first_item, struct.pack("<d", 1e300)),
        "toggle": _corrupt(good, head, b"\x07"),
        "k": _corrupt(good, 12, struct.pack("<I", 0)),
    }
    for name, data in bad.items():
        with pytest.raises(DataError):
            QuantileSketch.from_bytes(data)
        assert name
    with pytest.raises(DataError, match="version 9"):
        QuantileSketch.from_bytes(_corrupt(good, 8, struct.pack("<I", 9)))
    with pytest.raises(DataError):
        QuantileSketch.from_bytes("not bytes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------- edge cases


def test_empty_sketch() -> None:
    s = QuantileSketch()
    s.update(np.array([]))
    assert s.is_empty
    assert s.n == 0
    assert s.is_exact
    assert s.normalized_rank_error == 0.0
    assert math.isnan(s.quantile(0.5))
    assert np.isnan(s.quantiles([0.0, 1.0])).all()
    assert math.isnan(s.rank(1.0))
    assert math.isnan(s.min)
    assert math.isnan(s.max)
    assert QuantileSketch.from_bytes(s.to_bytes()).is_empty


def test_one_value_and_negative_zero() -> None:
    s = QuantileSketch()
    s.update(np.array([-0.0]))
    assert s.quantiles([0.0, 0.5, 1.0]).tolist() == [0.0, 0.0, 0.0]
    assert math.copysign(1.0, s.quantile(0.5)) == 1.0  # -0.0 stored as 0.0: stable bytes
    assert (s.rank(0.0), s.rank(-1.0), s.rank(0.0, inclusive=False)) == (1.0, 0.0, 0.0)
    t = QuantileSketch()
    t.update([0.0])
    assert t.to_bytes() == s.to_bytes()


def test_bad_input_is_rejected_and_leaves_the_sketch_unchanged() -> None:
    s = _build(np.arange(5.0))
    before = s.to_bytes()
    for bad in (np.array([1.0, np.nan]), np.array([np.inf]), np.full(200_000, -np.inf)):
        with pytest.raises(DataError, match="non-finite"):
            s.update(bad)
    assert s.to_bytes() == before
    with pytest.raises(ValueError):
        s.quantile(1.5)
    with pytest.raises(ValueError):
        QuantileSketch(k=1)
