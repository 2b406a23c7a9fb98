"""Streaming change detectors against river, the reference implementation (used only here).

The oracle feeds river's detectors value by value and records where ``drift_detected`` is set.
``began_at`` and ``direction`` are read from river's own state at that moment: ADWIN's window
width and total after the cut, Page-Hinkley's running extreme of the firing sum, DDM's warning
flags.  river is a dev dependency; without it the oracle tests error out, they never skip.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from mlaudit.errors import ConfigError, DataError
from mlaudit.stats import changepoint
from mlaudit.stats.changepoint import ChangePoint, adwin, ddm, page_hinkley

Found = list[tuple[int, int, str]]


@pytest.fixture(scope="module")
def river_drift() -> ModuleType:
    try:
        return importlib.import_module("river.drift")
    except ImportError as exc:  # pragma: no cover - the point is to fail loudly
        pytest.fail(f"river, the oracle of these tests, is not importable ({exc}); make install")


def _ours(found: list[ChangePoint]) -> Found:
    return [(c.detected_at, c.began_at, str(c.direction)) for c in found]


# ----------------------------------------------------------------------------- river oracles


def river_adwin(drift: ModuleType, x: np.ndarray, **params: Any) -> Found:
    det = drift.ADWIN(**params)
    out: Found = []
    seen_sum, seen_n = 0.0, 0  # values since river's last reset, to get the dropped part's mean
    for i, v in enumerate(x):
        if det.drift_detected:
            seen_sum, seen_n = 0.0, 0
        det.update(float(v))
        seen_sum += float(v)
        seen_n += 1
        if det.drift_detected:
            width = int(det.width)
            dropped = (seen_sum - det.total) / (seen_n - width)
            out.append((i, i - width + 1, "up" if det.estimation > dropped else "down"))
    return out


def river_page_hinkley(drift: ModuleType, x: np.ndarray, **params: Any) -> Found:
    det = drift.PageHinkley(**params)
    mode, threshold = det.mode, det.threshold
    out: Found = []
    lowest_at = highest_at = 0
    for i, v in enumerate(x):
        before = (det._min_increase, det._max_decrease)
        if det.drift_detected:  # river resets inside this update
            lowest_at = highest_at = i
            before = (float("inf"), -1)
        det.update(float(v))
        if det._min_increase != before[0]:
            lowest_at = i + 1  # the change starts after the sum's lowest point
        if det._max_decrease != before[1]:
            highest_at = i + 1
        if det.drift_detected:
            up = det._sum_increase - det._min_increase
            down = det._max_decrease - det._sum_decrease
            went_up = mode != "down" and up > threshold and (mode == "up" or up >= down)
            out.append((i, lowest_at, "up") if went_up else (i, highest_at, "down"))
    return out


def river_ddm(drift: ModuleType, x: np.ndarray, **params: Any) -> Found:
    det = drift.binary.DDM(**params)
    out: Found = []
    warning_since: int | None = None
    for i, v in enumerate(x):
        det.update(bool(v))
        if det.drift_detected:
            out.append((i, i if warning_since is None else warning_since, "up"))
            warning_since = None
        elif det.warning_detected:
            warning_since = i if warning_since is None else warning_since
        else:
            warning_since = None
    return out


# ----------------------------------------------------------------------------- streams

N = 6000
_T = np.arange(N)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


STREAMS: dict[str, np.ndarray] = {
    "step": _rng(1).normal(size=N) + 1.5 * (_T >= 3000),
    "gradual": 0.5 * _rng(2).normal(size=N) + 2.0 * np.clip((_T - 2000) / 2000, 0, 1),
    "bernoulli_rate": (_rng(3).random(N) < np.where(_T < 3000, 0.1, 0.3)).astype(float),
    "stationary": _rng(4).normal(size=N),
    "multiple": 0.5 * _rng(5).normal(size=N) + np.repeat([0.0, 2, -1, 3, 0, 1], N // 6),
    "abs_errors": np.abs(_rng(6).standard_t(3, size=N)) * np.where(_T < 3000, 1.0, 1.5),
    "integers": _rng(7).integers(0, 4, size=N).astype(float),
}

BINARY: dict[str, np.ndarray] = {
    "rate_up": STREAMS["bernoulli_rate"],
    "stationary": (_rng(8).random(N) < 0.1).astype(float),
    "rare": (_rng(9).random(N) < 0.02).astype(float),
    "rates": (_rng(10).random(N) < np.repeat([0.1, 0.4, 0.05, 0.5, 0.2, 0.6], N // 6)).astype(
        float
    ),
}

ADWIN_PARAMS: dict[str, dict[str, Any]] = {
    "default": {},
    # Sensitive settings: many detections, so resets and the smallest buckets are exercised.
    "eager": {
        "delta": 0.3,
        "clock": 1,
        "max_buckets": 2,
        "min_window_length": 1,
        "grace_period": 0,
    },
    "odd": {
        "delta": 0.05,
        "clock": 7,
        "max_buckets": 3,
        "min_window_length": 10,
        "grace_period": 50,
    },
}
PH_PARAMS: dict[str, dict[str, Any]] = {
    "default": {},
    "eager_up": {"delta": 0.05, "threshold": 5.0, "mode": "up"},
    "eager_down": {"delta": 0.05, "threshold": 5.0, "alpha": 0.99, "mode": "down"},
    "no_forgetting": {"alpha": 1.0, "threshold": 20.0, "min_instances": 1},
}
DDM_PARAMS: dict[str, dict[str, Any]] = {
    "default": {},
    "eager": {"warm_start": 0, "warning_threshold": 1.0, "drift_threshold": 1.5},
    "patient": {"warm_start": 500},
}


# ----------------------------------------------------------------------------- oracle tests


@pytest.mark.parametrize("params", ADWIN_PARAMS.values(), ids=ADWIN_PARAMS.keys())
@pytest.mark.parametrize("name", STREAMS)
def test_adwin_equals_river(river_drift: ModuleType, name: str, params: dict[str, Any]) -> None:
    x = STREAMS[name]
    expected = river_adwin(river_drift, x, **params)
    assert _ours(adwin(x, **params)) == expected
    if name == "step" and params == {}:
        assert expected  # the oracle comparison is not vacuous


@pytest.mark.parametrize("params", PH_PARAMS.values(), ids=PH_PARAMS.keys())
@pytest.mark.parametrize("name", STREAMS)
def test_page_hinkley_equals_river(
    river_drift: ModuleType, name: str, params: dict[str, Any]
) -> None:
    # river updates the running mean value by value, we divide cumulative sums: the statistics
    # can differ in their last digits, so only a statistic within ~1e-9 of the threshold could
    # move a detection.  None does on these streams: the indices are equal.
    x = STREAMS[name]
    assert _ours(page_hinkley(x, **params)) == river_page_hinkley(river_drift, x, **params)


@pytest.mark.parametrize("params", DDM_PARAMS.values(), ids=DDM_PARAMS.keys())
@pytest.mark.parametrize("name", BINARY)
def test_ddm_equals_river(river_drift: ModuleType, name: str, params: dict[str, Any]) -> None:
    # As for Page-Hinkley, the error rate is k/n here and a running update in river; equal
    # decisions unless p + s lands within rounding of a threshold or of its running minimum.
    x = BINARY[name]
    assert _ours(ddm(x, **params)) == river_ddm(river_drift, x, **params)


def test_counts_of_detections_are_not_trivial(river_drift: ModuleType) -> None:
    # The eager settings must really produce many detections (resets) for the tests above.
    assert len(river_adwin(river_drift, STREAMS["abs_errors"], **ADWIN_PARAMS["eager"])) > 20
    assert len(river_page_hinkley(river_drift, STREAMS["stationary"], **PH_PARAMS["eager_up"])) > 20
    assert len(river_ddm(river_drift, BINARY["rates"], **DDM_PARAMS["eager"])) > 20


def test_adwin_long_stream_equals_river(river_drift: ModuleType) -> None:
    # 200,000 values: a window of 17 bucket levels, several batches of clock ticks and
    # look-ahead horizons that double, with a few detections in between.
    rng = _rng(11)
    rate = np.repeat([0.1, 0.12, 0.3, 0.25], 50_000)
    x = (rng.random(rate.size) < rate).astype(float) + 0.1 * rng.random(rate.size)
    expected = river_adwin(river_drift, x)
    assert len(expected) >= 3
    assert _ours(adwin(x)) == expected


def test_ddm_accepts_booleans(river_drift: ModuleType) -> None:
    errors = BINARY["rates"].astype(bool)
    assert _ours(ddm(errors)) == river_ddm(river_drift, errors)


def test_page_hinkley_false_alarms_grow_with_noise(river_drift: ModuleType) -> None:
    # Expected behaviour of the defaults: the forgotten sum has standard deviation about
    # 70.7·σ, so unit-variance noise crosses the threshold of 50 again and again; river agrees.
    x = _rng(12).normal(size=20_000)
    ours = page_hinkley(x)
    assert len(ours) > 5
    assert _ours(ours) == river_page_hinkley(river_drift, x)


# ----------------------------------------------------------------------------- behaviour


def test_no_alarm_on_long_stationary_streams() -> None:
    rng = _rng(13)
    errors = (rng.random(200_000) < 0.1).astype(float)
    assert adwin(errors) == []
    assert adwin(rng.normal(size=200_000)) == []
    # σ = 0.1: the forgotten Page-Hinkley sum has sd ≈ 7, far below the threshold of 50.
    assert page_hinkley(0.1 * rng.normal(size=200_000)) == []


def test_ddm_false_alarms_only_during_start_up() -> None:
    # DDM's minimum is first taken from a few dozen values, so a stationary stream may drift
    # early after a (re)start; later the estimate is firm and the detector stays quiet.
    late = []
    for seed in range(20):
        errors = (_rng(100 + seed).random(50_000) < 0.1).astype(float)
        restart = 0
        for c in ddm(errors):
            late += [c.detected_at - restart] if c.detected_at - restart > 10_000 else []
            restart = c.detected_at + 1
    assert late == []


def test_planted_increase_found_by_each_detector() -> None:
    c0 = 5000
    rng = _rng(14)
    t = np.arange(10_000)
    errors = (rng.random(t.size) < np.where(t < c0, 0.1, 0.3)).astype(float)

    # Page-Hinkley tuned the classical way, delta about half the shift.
    (ph,) = page_hinkley(errors, delta=0.1, threshold=20.0)
    assert ph.direction == "up"
    assert c0 <= ph.detected_at <= c0 + 400
    assert abs(ph.began_at - c0) <= 50

    # ADWIN with its defaults: its kept window holds the whole new regime and, as ADWIN stops
    # cutting once no cut is significant, part of the old one; began_at is an early bound.
    (ad,) = adwin(errors)
    assert ad.direction == "up"
    assert c0 <= ad.detected_at <= c0 + 300
    assert ad.began_at <= c0

    # DDM past its start-up: the warning zone opens shortly after the change.
    (dd,) = ddm(errors, warm_start=1000)
    assert dd.direction == "up"
    assert c0 <= dd.detected_at <= c0 + 800
    assert abs(dd.began_at - c0) <= 300
    assert dd.began_at < dd.detected_at


def test_planted_decrease_and_step() -> None:
    c0 = 6000
    rng = _rng(15)
    t = np.arange(10_000)
    x = 0.1 * rng.normal(size=t.size) + np.where(t < c0, 0.5, 0.3)
    (ph,) = page_hinkley(x, delta=0.1, threshold=5.0)
    assert ph.direction == "down"
    assert c0 <= ph.detected_at <= c0 + 100
    assert abs(ph.began_at - c0) <= 20
    (ad,) = adwin(x)
    assert ad.direction == "down"
    assert c0 <= ad.detected_at <= c0 + 100
    assert ad.began_at <= c0


def test_result_fields() -> None:
    found = adwin(STREAMS["step"])
    assert found
    for c in found:
        assert c.detector == "adwin"
        assert c.kind == "drift"
        assert 0 <= c.began_at <= c.detected_at < N
    assert page_hinkley(STREAMS["step"])[0].detector == "page_hinkley"
    assert ddm(BINARY["rates"])[0].detector == "ddm"
    with pytest.raises(AttributeError):
        found[0].detected_at = 3  # type: ignore[misc]


def test_short_and_empty_streams() -> None:
    for detector in (adwin, page_hinkley, ddm):
        assert detector([]) == []
        assert detector(np.ones(5)) == []
    assert page_hinkley(np.r_[np.zeros(10), 100 * np.ones(10)], min_instances=30) == []


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("detector", [adwin, page_hinkley, ddm])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_rejected(detector: Any, bad: float) -> None:
    x = [0.0, 1.0, 0.0, bad, 1.0]
    with pytest.raises(DataError, match=r"non-finite value \((nan|inf|-inf)\) at index 3"):
        detector(x)


@pytest.mark.parametrize("detector", [adwin, page_hinkley, ddm])
def test_shape_and_type_are_checked(detector: Any) -> None:
    with pytest.raises(ValueError, match=r"one-dimensional, got shape \(2, 2\)"):
        detector(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="must hold numbers"):
        detector(["a", "b"])


def test_ddm_rejects_values_other_than_zero_and_one() -> None:
    with pytest.raises(DataError, match=r"errors must be 0 or 1, got 2.0 at index 1"):
        ddm([0, 2, 1])
    with pytest.raises(DataError, match=r"got 0.5 at index 2"):
        ddm([1, 0, 0.5])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: adwin([1.0], delta=0.0), r"delta must lie in \(0, 1\), got 0.0"),
        (lambda: adwin([1.0], clock=0), "clock must be an int >= 1, got 0"),
        (lambda: adwin([1.0], max_buckets=1), "max_buckets must be an int >= 2"),
        (lambda: adwin([1.0], min_window_length=0), "min_window_length >= 1"),
        (lambda: adwin([1.0], grace_period=-1), "grace_period must be an int >= 0"),
        (lambda: page_hinkley([1.0], mode="sideways"), "mode must be up, down or both"),
        (lambda: page_hinkley([1.0], alpha=0.0), r"alpha must lie in \(0, 1\]"),
        (lambda: page_hinkley([1.0], threshold=-1.0), "threshold must be > 0"),
        (lambda: page_hinkley([1.0], delta=-0.1), "delta must be finite and >= 0"),
        (lambda: page_hinkley([1.0], min_instances=2.5), "min_instances must be an int >= 1"),
        (lambda: ddm([1.0], warm_start=-1), "warm_start must be an int >= 0"),
        (lambda: ddm([1.0], drift_threshold=0.0), "drift_threshold must be > 0"),
    ],
)
def test_bad_parameters_raise_config_errors(call: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        call()


def test_integral_floats_are_accepted_for_counts() -> None:
    # Options read from a configuration file may arrive as floats such as 32.0.
    x = STREAMS["multiple"]
    assert adwin(x, clock=32.0, max_buckets=5.0, min_window_length=5.0, grace_period=10.0) == (
        adwin(x)
    )
    assert page_hinkley(x, min_instances=30.0) == page_hinkley(x)
    assert ddm(BINARY["rates"], warm_start=30.0) == ddm(BINARY["rates"])


def test_source_does_not_import_river() -> None:
    sources = sorted(Path(str(changepoint.__file__)).parent.glob("*.py"))
    assert len(sources) == 5  # the package and its four modules
    imported: list[str] = []
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert "numpy" in imported  # the walk found the modules' imports
    assert not [m for m in imported if m.split(".")[0] == "river"]


@pytest.mark.parametrize("alpha", [1 - 1e-4, 0.999999, 0.99, 0.5, 1.0])
def test_forgetting_sum_equals_scipy_lfilter(alpha: float) -> None:
    # The Page-Hinkley sums are polars' exponentially weighted mean, rescaled; scipy's linear
    # filter computes the recurrence S_t = alpha·S_{t−1} + u_t step by step.
    from scipy import signal

    from mlaudit.stats.changepoint._page_hinkley import _forgetting_sum

    u = np.random.default_rng(7).normal(0.01, 1.0, 200_000)
    expected = signal.lfilter([1.0], [1.0, -alpha], u)
    got = _forgetting_sum(u, alpha)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * np.max(np.abs(expected)))


def test_page_hinkley_does_not_import_scipy_signal() -> None:
    # scipy.signal costs nearly a second to import; the drift command must not pay for it.
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from mlaudit.stats.changepoint import page_hinkley\n"
        "page_hinkley(np.r_[np.zeros(500), np.ones(500)])\n"
        "print('scipy.signal' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("block", [7, 64, 1000])
def test_blocked_scans_find_what_one_block_finds(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DDM and Page-Hinkley read long streams a block at a time, carrying their state: with
    # tiny blocks (a state carried thousands of times) the detections are the same as with
    # the whole stream in one block, on the river test streams and on a long random stream.
    from mlaudit.stats.changepoint import _ddm, _page_hinkley

    rng = np.random.default_rng(block)
    shift = np.where(np.arange(20_000) < 12_000, 0.1, 0.3)
    errors = (rng.random(20_000) < shift).astype(np.float64)
    noisy = rng.normal(np.where(np.arange(20_000) < 9_000, 0.0, 0.05), 0.1)
    whole_ddm = [ddm(x) for x in (*BINARY.values(), errors)]
    ph_cases = [(x, {}) for x in STREAMS.values()]
    ph_cases += [(noisy, {}), (noisy, {"mode": "up"}), (noisy, {"mode": "down"})]
    ph_cases += [(noisy, {"alpha": 1.0, "threshold": 5.0}), (noisy, {"min_instances": 150})]
    whole_ph = [page_hinkley(x, **kw) for x, kw in ph_cases]
    monkeypatch.setattr(_ddm, "BLOCK", block)
    monkeypatch.setattr(_page_hinkley, "BLOCK", block)
    assert [ddm(x) for x in (*BINARY.values(), errors)] == whole_ddm
    assert [page_hinkley(x, **kw) for x, kw in ph_cases] == whole_ph
    assert sum(len(f) for f in whole_ddm) > 5 and sum(len(f) for f in whole_ph) > 5
