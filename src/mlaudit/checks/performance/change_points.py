"""``performance.change_points``: where did the model's errors start to rise? Streaming detectors.

The labelled current rows are put in time order and turned into an error stream: 1 for a
misclassified row and 0 otherwise (classifiers), the absolute error (regressors).  Three
well-studied detectors read the stream as if it arrived live:

* **DDM** (Gama et al., 2004; classifiers only): watches the running error rate ``p`` and its
  binomial standard deviation ``s``; drift when ``p + s`` exceeds its lowest value by 3 SD,
  warning at 2 SD.  The warning point estimates where the change began.
* **Page–Hinkley** (Page, 1954): a cumulative sum of deviations above the running mean; drift
  when it rises ``threshold`` above its minimum (an increase of the error only, ``mode="up"``).
* **ADWIN** (Bifet & Gavaldà, 2007): keeps a window of recent values and cuts it when two
  sub-windows' means differ by more than a Hoeffding-style bound at confidence ``delta``; the
  cut is where the change began.

Defaults are the published ones (also river's) except two measured on stationary error streams:
DDM waits ``DDM_WARM_START`` (1,000) values before it may alarm, and Page–Hinkley reads the
stream rescaled to a standard deviation of 0.1, the scale its defaults suit.

A detection only counts when the error *rose* (the mean error after the change is above the mean
before).  The result warns when one detector sees a rise and fails when at least two agree
(within ``agree_rows`` rows of each other's start).  The change is dated by a detection another
detector corroborates when there is one: DDM's warning point, else ADWIN's cut (an early bound),
else Page–Hinkley's start.  Detector parameters can be changed per detector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, NamedTuple

import numpy as np
from pydantic import ConfigDict, Field, field_validator, with_config
from typing_extensions import TypedDict

from mlaudit._threads import carry_context, worker_pool
from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, Count, NonNegative, Positive, PositiveCount
from mlaudit.checks.performance._labels import ModelRows, ScoreRule, model_rows, scale_note
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail
from mlaudit.stats.changepoint import ChangePoint, adwin, ddm, page_hinkley
from mlaudit.summary import WindowedData

__all__ = ["ChangePoints"]

Detector = Literal["ddm", "page_hinkley", "adwin"]
_DETECTORS: tuple[Detector, ...] = ("ddm", "page_hinkley", "adwin")


@with_config(ConfigDict(extra="forbid"))
class DdmOptions(TypedDict, total=False):
    """DDM's options: rows before it judges, and its warning and drift levels in sigmas."""

    warm_start: PositiveCount
    warning_threshold: Positive
    drift_threshold: Positive


@with_config(ConfigDict(extra="forbid"))
class PageHinkleyOptions(TypedDict, total=False):
    """Page–Hinkley's options: tolerated change, alarm level, forgetting factor, warm-up rows."""

    delta: NonNegative
    threshold: Positive
    alpha: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    min_instances: PositiveCount


@with_config(ConfigDict(extra="forbid"))
class AdwinOptions(TypedDict, total=False):
    """ADWIN's options: confidence, check interval, bucket and window sizes, warm-up rows."""

    delta: Alpha
    clock: PositiveCount
    max_buckets: PositiveCount
    min_window_length: PositiveCount
    grace_period: Count


DDM_WARM_START = 1000
"""DDM reads this many values before it may alarm: with the published 30, about half of
stationary 10%-error streams raise a false alarm within the first few thousand values."""
PH_SCALE = 0.1
"""Page–Hinkley runs on the error stream rescaled to this standard deviation."""


class _Detection(NamedTuple):
    """A detection, with the stream's mean error before the change began and after it."""

    cp: ChangePoint
    before: float
    after: float

    @property
    def rise(self) -> bool:
        """The error rose (only rises count as findings)."""
        return self.after > self.before


@dataclass(frozen=True)
class _Stream:
    """The labelled rows in time order and their errors (0/1, or absolute for regressors)."""

    windows: WindowedData
    rows: ModelRows
    errors: np.ndarray

    @property
    def what(self) -> str:
        return "error rate" if self.rows.task != "regression" else "absolute error"

    def when(self, index: int) -> str:
        """Where row ``index`` (in time order) lies: its window, or its row number."""
        i = min(max(index, 0), self.rows.window.size - 1)
        if not self.windows.configured:
            return f"row {i:,} in time order"
        return f"window {self.windows.windows[int(self.rows.window[i])].label}"


@register
class ChangePoints(Check):
    """Run change detectors over the error stream in time order; report where changes began."""

    id: ClassVar[str] = "performance.change_points"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "No sudden rise in the model's errors"
    why: ClassVar[str] = (
        "Concept drift (the link between inputs and outcome changing) raises the error rate "
        "while the inputs look the same; detectors on the error stream date the change."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_rows: ClassVar[bool] = True
    cost: ClassVar[int] = 2  # three detectors over every row

    detectors: list[Detector] = Field(default_factory=lambda: list(_DETECTORS), min_length=1)
    """Detectors to run: ddm (classifiers), page_hinkley, adwin."""
    ddm: DdmOptions = Field(default_factory=lambda: DdmOptions())
    """Options for DDM (warm_start, warning_threshold, drift_threshold)."""
    page_hinkley: PageHinkleyOptions = Field(default_factory=lambda: PageHinkleyOptions())
    """Options for Page–Hinkley (delta, threshold, alpha, min_instances)."""
    adwin: AdwinOptions = Field(default_factory=lambda: AdwinOptions())
    """Options for ADWIN (delta, clock, max_buckets, min_window_length, grace_period)."""
    positive_label: str | None = None
    """Positive class of a binary target (needed when the classes are text)."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score threshold for the predicted class when there is no prediction column (any real
    number); default: ``schema.score_threshold``, else 0.5 for probabilities."""
    agree_rows: int = Field(default=2000, ge=1)
    """Two detections agree when their estimated starts are at most this many rows apart."""
    min_rows: int = Field(default=200, ge=1)
    """Fewest labelled rows to run the detectors on."""

    @field_validator("ddm")
    @classmethod
    def _warning_before_drift(cls, v: DdmOptions) -> DdmOptions:
        warning, drift = v.get("warning_threshold", 2.0), v.get("drift_threshold", 3.0)
        if warning > drift:
            raise ValueError(
                f"warning_threshold ({warning:g}) is above drift_threshold ({drift:g}): DDM "
                "would drift before it warns, and the change could not be dated"
            )
        return v

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: every detection with where it began, in time and in rows."""
        stream = self._stream(ctx)
        if isinstance(stream, str):
            return self.skipped(stream)
        found = self._detect(stream)
        rises = [f for f in found if f.rise]
        status = Status.PASS
        if rises:
            status = Status.FAIL if _agree(rises, self.agree_rows) else Status.WARN
        first = _dating(rises, self.agree_rows)
        scale, note = stream.rows.scale, scale_note(stream.rows)
        return self.result(
            status,
            self._message(stream, found, rises, first) + (f" {note}" if note else ""),
            metrics={
                "rows": stream.errors.size,
                "detections": len(found),
                "rises": len(rises),
                "first_change_row": first.cp.began_at if first is not None else None,
                "error_rate": float(stream.errors.mean()),
                "score_threshold": scale.threshold if scale is not None else None,
            },
            details=[_table(stream, found)],
        )

    def _stream(self, ctx: CheckContext) -> _Stream | str:
        """The labelled rows' errors in time order, or why there are none to read."""
        cur = ctx.current_windows
        if cur is None:
            return "no labelled rows to read (the data has no model columns)"
        rows = model_rows(
            cur,
            ctx.schema,
            positive_label=self.positive_label,
            rule=ScoreRule.of(self.threshold, ctx.schema),
        )
        if isinstance(rows, str):
            return rows
        if rows.window.size < self.min_rows:
            return f"only {rows.window.size:,} labelled rows (fewer than min_rows={self.min_rows})"
        assert rows.y is not None and rows.y_pred is not None
        if rows.task == "regression":
            errors = np.abs(rows.y_pred.astype(np.float64) - rows.y.astype(np.float64))
        else:
            errors = (rows.y != rows.y_pred).astype(np.float64)
        return _Stream(cur, rows, errors)

    def _detect(self, stream: _Stream) -> list[_Detection]:
        """Every detector's detections, with the mean error before and after each."""
        errors, found = stream.errors, []
        names = [n for n in self.detectors if not (n == "ddm" and stream.rows.task == "regression")]
        # ADWIN takes longest: it runs on a worker while this thread runs the others.
        aside = {
            n: worker_pool().submit(carry_context(self._run), n, errors)
            for n in names
            if n == "adwin" and len(names) > 1
        }
        points = {n: self._run(n, errors) for n in names if n not in aside}
        points.update({n: future.result() for n, future in aside.items()})
        for name in names:  # in the configured order
            for cp in points[name]:
                before = float(errors[: max(cp.began_at, 1)].mean())
                after = float(errors[cp.began_at : cp.detected_at + 1].mean())
                found.append(_Detection(cp, before, after))
        return found

    def _message(
        self,
        stream: _Stream,
        found: list[_Detection],
        rises: list[_Detection],
        first: _Detection | None,
    ) -> str:
        n, what = stream.errors.size, stream.what
        if first is not None:
            return (
                f"{len({r.cp.detector for r in rises})} detector(s) saw the {what} rise; the "
                f"change began near row {first.cp.began_at:,} of {n:,} "
                f"({stream.when(first.cp.began_at)}): {what} {first.before:.3g} before, "
                f"{first.after:.3g} after ({first.cp.detector})."
            )
        msg = (
            f"No detector saw the {what} rise over {n:,} labelled rows in time order "
            f"({', '.join(self.detectors)})."
        )
        if found:
            msg += f" {len(found)} detection(s) of a fall are listed."
        return msg

    def _run(self, name: str, errors: np.ndarray) -> list[ChangePoint]:
        opts: dict[str, Any] = dict(getattr(self, name))
        if name == "ddm":
            opts.setdefault("warm_start", DDM_WARM_START)
            return ddm(errors.astype(np.int8), **opts)
        if name == "page_hinkley":
            opts.setdefault("mode", "up")
            sd = float(errors.std())
            # The published defaults (delta 0.005, threshold 50) suit a stream whose standard
            # deviation is about 0.1; a 0/1 error stream's is 0.3–0.5 and false alarms follow.
            # The stream is rescaled to SD 0.1 so the defaults keep their meaning.
            scaled = errors * (PH_SCALE / sd) if sd > 0 else errors
            return page_hinkley(scaled, **opts)
        return adwin(errors, **opts)


_DATING_ORDER = ("ddm", "adwin", "page_hinkley")


def _table(stream: _Stream, found: list[_Detection]) -> TableDetail:
    rows: list[list[Cell]] = [
        [f.cp.detector, f.cp.kind, f.cp.began_at, f.cp.detected_at, stream.when(f.cp.began_at),
         f.before, f.after, "rise" if f.rise else "fall"]
        for f in found
    ]  # fmt: skip
    return TableDetail(
        name="change_points",
        title="Detections on the error stream (rows in time order)",
        columns=["detector", "kind", "began_at_row", "detected_at_row", "began_in",
                 "error_before", "error_after", "direction"],
        rows=rows,
    )  # fmt: skip


def _dating(rises: list[_Detection], agree_rows: int) -> _Detection | None:
    """The detection that dates the change.

    Detections another detector corroborates (starts within ``agree_rows``) come first: a lone
    DDM alarm early in a stream is often false.  Among them, DDM's warning point is the closest
    estimate of the start; ADWIN's kept window often starts earlier (an early bound);
    Page–Hinkley's last low of a cumulative sum with forgetting can lie far too early.
    """
    agreed = [
        r for r in rises
        if any(o.cp.detector != r.cp.detector
               and abs(o.cp.began_at - r.cp.began_at) <= agree_rows for o in rises)
    ]  # fmt: skip
    pool = agreed or rises
    for name in _DATING_ORDER:
        found = [r for r in pool if r.cp.detector == name]
        if found:
            return min(found, key=lambda r: r.cp.detected_at)
    return None


def _agree(rises: list[_Detection], rows: int) -> bool:
    return any(
        a.cp.detector != b.cp.detector and abs(a.cp.began_at - b.cp.began_at) <= rows
        for a in rises
        for b in rises
    )
