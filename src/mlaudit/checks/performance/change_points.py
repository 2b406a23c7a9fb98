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

A detection only counts when the error *rose* (the mean error after the change is above the mean
before).  The result warns when one detector sees a rise and fails when at least two agree
(within ``agree_rows`` rows of each other's start).  Detector parameters are the published
defaults (also river's); they can be changed per detector.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from mlaudit.checks.base import Check, CheckContext, register
from mlaudit.checks.performance._labels import model_rows
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail
from mlaudit.stats.changepoint import ChangePoint, adwin, ddm, page_hinkley

__all__ = ["ChangePoints"]

_DETECTORS = ("ddm", "page_hinkley", "adwin")


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
    needs_rows: ClassVar[bool] = True

    detectors: list[str] = Field(default_factory=lambda: list(_DETECTORS))
    """Detectors to run: ddm (classifiers), page_hinkley, adwin."""
    ddm: dict[str, float] = Field(default_factory=dict)
    """Options for DDM (warm_start, warning_threshold, drift_threshold)."""
    page_hinkley: dict[str, float] = Field(default_factory=dict)
    """Options for Page–Hinkley (delta, threshold, alpha, min_instances)."""
    adwin: dict[str, float] = Field(default_factory=dict)
    """Options for ADWIN (delta, clock, max_buckets, min_window_length, grace_period)."""
    positive_label: str | None = None
    """Positive class of a binary target (needed when the classes are text)."""
    threshold: float = Field(default=0.5, ge=0, le=1)
    """Score threshold for the predicted class when there is no prediction column."""
    agree_rows: int = Field(default=2000, ge=1)
    """Two detections agree when their estimated starts are at most this many rows apart."""
    min_rows: int = Field(default=200, ge=1)
    """Fewest labelled rows to run the detectors on."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: every detection with where it began, in time and in rows."""
        cur = ctx.current_windows
        if cur is None:
            return self.skipped("no labelled rows to read (the data has no model columns)")
        unknown = sorted(set(self.detectors) - set(_DETECTORS))
        if unknown:
            return self.skipped(f"unknown detector(s) {unknown}: use {', '.join(_DETECTORS)}")
        rows = model_rows(
            cur, ctx.schema, positive_label=self.positive_label, threshold=self.threshold
        )
        if isinstance(rows, str):
            return self.skipped(rows)
        if rows.window.size < self.min_rows:
            return self.skipped(
                f"only {rows.window.size:,} labelled rows (fewer than min_rows={self.min_rows})"
            )
        assert rows.y is not None and rows.y_pred is not None
        if rows.task == "regression":
            errors = np.abs(rows.y_pred.astype(np.float64) - rows.y.astype(np.float64))
        else:
            errors = (rows.y != rows.y_pred).astype(np.float64)
        found: list[tuple[ChangePoint, float, float]] = []
        for name in self.detectors:
            if name == "ddm" and rows.task == "regression":
                continue
            for cp in self._run(name, errors):
                before = float(errors[: max(cp.began_at, 1)].mean())
                after = float(errors[cp.began_at : cp.detected_at + 1].mean())
                found.append((cp, before, after))
        rises = [(cp, b, a) for cp, b, a in found if a > b]
        status = Status.PASS
        if rises:
            status = Status.FAIL if _agree(rises, self.agree_rows) else Status.WARN
        table: list[list[Cell]] = []
        for cp, before, after in found:
            start = self._when(cur, rows, cp.began_at)
            table.append(
                [cp.detector, cp.kind, cp.began_at, cp.detected_at, start, before, after,
                 "rise" if after > before else "fall"]
            )  # fmt: skip
        n = errors.size
        what = "error rate" if rows.task != "regression" else "absolute error"
        if rises:
            first = min(rises, key=lambda r: r[0].began_at)
            cp, before, after = first
            msg = (
                f"{len({r[0].detector for r in rises})} detector(s) saw the {what} rise; the "
                f"earliest change began near row {cp.began_at:,} of {n:,} "
                f"({self._when(cur, rows, cp.began_at)}): {what} {before:.3g} before, "
                f"{after:.3g} after ({cp.detector})."
            )
        else:
            msg = (
                f"No detector saw the {what} rise over {n:,} labelled rows in time order "
                f"({', '.join(self.detectors)})."
            )
            if found:
                msg += f" {len(found)} detection(s) of a fall are listed."
        return self.result(
            status,
            msg,
            metrics={
                "rows": n,
                "detections": len(found),
                "rises": len(rises),
                "first_change_row": min(r[0].began_at for r in rises) if rises else None,
                "error_rate": float(errors.mean()),
            },
            details=[
                TableDetail(
                    name="change_points",
                    title="Detections on the error stream (rows in time order)",
                    columns=[
                        "detector",
                        "kind",
                        "began_at_row",
                        "detected_at_row",
                        "began_in",
                        "error_before",
                        "error_after",
                        "direction",
                    ],
                    rows=table,
                )
            ],
        )

    def _run(self, name: str, errors: np.ndarray) -> list[ChangePoint]:
        opts: dict[str, Any] = dict(getattr(self, name))
        if name == "ddm":
            return ddm(errors.astype(np.int8), **opts)
        if name == "page_hinkley":
            opts.setdefault("mode", "up")
            return page_hinkley(errors, **opts)
        return adwin(errors, **opts)

    @staticmethod
    def _when(cur: Any, rows: Any, index: int) -> str:
        i = min(max(index, 0), rows.window.size - 1)
        if not cur.configured:
            return f"row {i:,} in time order"
        return f"window {cur.windows[int(rows.window[i])].label}"


def _agree(rises: list[tuple[ChangePoint, float, float]], rows: int) -> bool:
    return any(
        a.detector != b.detector and abs(a.began_at - b.began_at) <= rows
        for a, _, _ in rises
        for b, _, _ in rises
    )
