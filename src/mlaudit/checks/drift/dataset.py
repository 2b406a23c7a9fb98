"""``drift.dataset``: how much of the data set has drifted, column by column.

The share of compared columns that ``drift.univariate`` (same options, same cached table) finds
drifted, optionally weighted by ``weights`` (e.g. feature importance: a drifted column the model
ignores matters less).  With weights, columns not named get weight 0.

Inconclusive columns (``drift.univariate`` could not decide: a sketch's error bound covers a
threshold) are counted separately, neither as drifted nor as clean, unless they drifted for
certain and only their severity is undecided (``drifted`` = 1), which counts as drifted.  The
drifted share then lies between the share without them and the share with them; when a limit
falls in that range the result itself is ``inconclusive`` and the message says so.

Limits: warn when at least 20% of the (weighted) columns drifted — a fifth of the inputs moving
together usually means a change in the population or the pipeline, not noise (with the default
BH correction, expected false alarms are a small share of the drifted columns); fail at 50%: most
of what the model sees has changed and its validation no longer describes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field

from mlaudit.checks._base import CheckContext, register
from mlaudit.checks._format import format_share
from mlaudit.checks._options import NonNegative, Share
from mlaudit.checks.drift.univariate import DriftOptions, univariate_results
from mlaudit.errors import ConfigError
from mlaudit.results import Bound, Cell, CheckResult, Severity, Status, TableDetail, Threshold

__all__ = ["DatasetDrift", "severity_order"]

_RANK = {
    Status.FAIL: 0, Status.WARN: 1, Status.INCONCLUSIVE: 2, Status.PASS: 3, Status.ERROR: 4,
    Status.SKIPPED: 5,
}  # fmt: skip
_COMPARED = (Status.PASS, Status.INCONCLUSIVE, Status.WARN, Status.FAIL)
_TABLE_COLUMNS = [
    "column",
    "role",
    "method",
    "statistic",
    "p_value",
    "p_value_adjusted",
    "effect_size",
    "status",
]


def severity_order(results: list[CheckResult]) -> list[CheckResult]:
    """Drifted first (fail, then warn), then inconclusive, passes, errors, skips; larger effects
    first within a status."""

    def key(r: CheckResult) -> tuple[int, float, str]:
        effect = r.metrics.get("effect_size")
        return (_RANK[Status(r.status)], -(effect if effect is not None else -1.0), r.column or "")

    return sorted(results, key=key)


@dataclass(frozen=True)
class _Tally:
    """The compared columns by verdict, and the drifted share: ``share`` counts the inconclusive
    columns as clean, ``share_high`` as drifted."""

    compared: list[CheckResult]
    drifted: list[CheckResult]
    undecided: list[CheckResult]
    share: float
    share_high: float


@register
class DatasetDrift(DriftOptions):
    """Warn or fail when a large (weighted) share of the columns drifted."""

    id: ClassVar[str] = "drift.dataset"
    family: ClassVar[str] = "drift"
    title: ClassVar[str] = "Few columns drifted"
    why: ClassVar[str] = (
        "Many columns drifting at once signals a new population or a broken pipeline; the "
        "model's validation no longer describes the data it scores."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_reference: ClassVar[bool] = True

    weights: dict[str, NonNegative] = Field(default_factory=dict)
    """Column → weight (e.g. feature importance); empty means every column weighs 1."""
    warn: Share = 0.2
    """Warn when the drifted share is at least this."""
    fail: Share = 0.5
    """Fail when the drifted share is at least this."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """The drifted share with a table of every column, most severe first."""
        unknown = [c for c in self.weights if c not in ctx.schema]
        if unknown:
            raise ConfigError(
                f"drift.dataset weights name column(s) {unknown} that the data does not have",
                fix=f"use column names such as: {', '.join(ctx.schema.names[:10])}",
            )
        results = [r for r in univariate_results(ctx, self) if r.column is not None]
        tally = self._tally(results)
        if isinstance(tally, str):
            return self.skipped(tally)
        low, high = self._status(tally.share), self._status(tally.share_high)
        return self.result(
            low if low == high else Status.INCONCLUSIVE,
            self._message(tally, straddles=low != high),
            metrics={
                "drifted_share": tally.share,
                "drifted_columns": len(tally.drifted),
                "inconclusive_columns": len(tally.undecided),
                "compared_columns": len(tally.compared),
                "skipped_columns": len(results) - len(tally.compared),
            },
            bounds=(
                {
                    "drifted_share": Bound(
                        low=tally.share, high=tally.share_high, method=_BOUND_METHOD
                    )
                }
                if tally.undecided
                else {}
            ),
            threshold=Threshold(
                metric="drifted_share", direction="max", warn=self.warn, fail=self.fail
            ),
            details=[_table(results)],
        )

    def _status(self, share: float) -> Status:
        if share >= self.fail:
            return Status.FAIL
        return Status.WARN if share >= self.warn else Status.PASS

    def _tally(self, results: list[CheckResult]) -> _Tally | str:
        """The compared columns by verdict and the drifted share, or why there is none."""
        compared = [r for r in results if r.status in _COMPARED]
        if not compared:
            return "no column could be compared for drift"
        weight = {r.column: self._weight(r.column or "") for r in compared}
        total = sum(weight.values())
        if total <= 0:
            return "every compared column has weight 0"
        drifted = [r for r in compared if _drifted(r)]
        undecided = [r for r in compared if r.status is Status.INCONCLUSIVE and not _drifted(r)]
        share = sum(weight[r.column] for r in drifted) / total
        share_high = share + sum(weight[r.column] for r in undecided) / total
        return _Tally(compared, drifted, undecided, share, share_high)

    def _message(self, tally: _Tally, *, straddles: bool) -> str:
        compared, drifted, undecided = tally.compared, tally.drifted, tally.undecided
        weighted = " (weighted)" if self.weights else ""
        names = ", ".join(r.column or "" for r in severity_order(drifted)[:10])
        msg = (
            f"{len(drifted)} of {len(compared)} compared columns drifted{weighted}: "
            f"{format_share(tally.share)} against limits {format_share(self.warn)} (warn) and "
            f"{format_share(self.fail)} (fail)" + (f"; drifted: {names}" if drifted else "")
        )
        if undecided:
            listed = ", ".join(r.column or "" for r in severity_order(undecided)[:10])
            msg += (
                f"; {len(undecided)} inconclusive, counted neither as drifted nor as clean (a "
                f"sketch's error bound covers a threshold): {listed}"
            )
        if straddles:
            msg += (
                f". Counted as drifted they would make the share {format_share(tally.share_high)}, "
                "across a limit: the result is inconclusive"
            )
        return msg

    def _weight(self, column: str) -> float:
        return self.weights.get(column, 0.0) if self.weights else 1.0


_BOUND_METHOD = "inconclusive columns counted as clean (low) or as drifted (high)"


def _drifted(r: CheckResult) -> bool:
    """Drifted for certain: warn or fail, or inconclusive only about warn versus fail."""
    if r.status in (Status.WARN, Status.FAIL):
        return True
    return r.status is Status.INCONCLUSIVE and r.metrics.get("drifted") == 1


def _table(results: list[CheckResult]) -> TableDetail:
    rows: list[list[Cell]] = []
    for r in severity_order(results):
        m = r.metrics
        rows.append(
            [
                r.column,
                r.params.get("role"),
                r.params.get("method_used"),
                m.get("statistic"),
                m.get("p_value"),
                m.get("p_value_adjusted"),
                m.get("effect_size"),
                Status(r.status).value,
            ]
        )
    return TableDetail(
        name="columns",
        title="Drift by column, most severe first",
        columns=_TABLE_COLUMNS,
        rows=rows,
        note="skipped and error rows give the reason in drift.univariate's result",
    )
