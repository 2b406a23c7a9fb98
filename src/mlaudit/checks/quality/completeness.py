"""``quality.completeness``: how many values are missing, per column and per row.

Without reference data a column's missing share is held to the ``warn`` and ``fail`` levels.
With reference data the judgement is of the change: missingness that is structural (a field
that only applies to some records) is just as high in the reference and is no finding.  The rise
``current share - reference share`` is then held to the same levels, and only counts when a
one-sided pooled two-proportion z test finds it significant at ``alpha``
(:func:`~mlaudit.checks.quality._chance.increase_p`).  Per-column limits (``max_missing``, e.g.
from a data contract) stay hard limits on the level.

Also home of the small formatting and example helpers the other quality checks of this family
share (:func:`format_share`, :func:`format_count`, :func:`checked_columns`,
:func:`sample_examples`).
"""

from __future__ import annotations

import math
from typing import ClassVar

import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._format import format_count, format_share
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.quality._chance import increase_p, rise_finding
from mlaudit.checks.quality._disguised import show_value, text_markers
from mlaudit.data import Role
from mlaudit.results import (
    Cell,
    CheckResult,
    ExamplesDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)
from mlaudit.summary import ColumnSummary, DatasetProfile

__all__ = [
    "Completeness",
    "checked_columns",
    "format_count",
    "format_share",
    "missing_table",
    "sample_examples",
]

_EXAMPLE_ROWS = 5


def checked_columns(check: Check, ctx: CheckContext) -> list[str]:
    """Columns of the schema a per-column check applies to: not IGNORED, restricted to
    ``check.columns`` when given."""
    names = [c.name for c in ctx.schema.columns if c.role != Role.IGNORED]
    return check.target_columns(ctx, names)


def text_columns(check: Check, ctx: CheckContext) -> list[str]:
    """Like :func:`checked_columns`, but only the columns whose summary has string values."""
    cols = ctx.current.columns
    names = [n for n in checked_columns(check, ctx) if n in cols and cols[n].text is not None]
    return names


def sample_examples(
    ctx: CheckContext,
    offending: pl.Expr,
    columns: list[str],
    *,
    name: str = "examples",
    title: str = "Example rows",
) -> ExamplesDetail | None:
    """Up to five rows of the (masked) sample where ``offending`` holds; None if there are none.

    Only ``columns`` (plus the row index) are shown, so no more data leaves the scan than the
    finding needs.  Personal columns arrive masked; they are listed in ``masked_columns``.
    """
    sample = ctx.current.sample
    if sample is None or sample.height == 0 or not set(columns) <= set(sample.columns):
        return None
    try:
        rows = sample.filter(offending.fill_null(False)).head(_EXAMPLE_ROWS)
    except pl.exceptions.PolarsError:
        return None
    if rows.height == 0:
        return None
    index = ["__row__"] if "__row__" in rows.columns else []
    shown = rows.select([*index, *columns])
    out_rows = [[_cell(v) for v in row] for row in shown.iter_rows()]
    personal = set(ctx.schema.personal)
    return ExamplesDetail(
        name=name,
        title=title,
        columns=["row" if c == "__row__" else c for c in shown.columns],
        rows=out_rows,
        masked_columns=[c for c in columns if c in personal],
    )


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def missing_table(profile: DatasetProfile, columns: list[str]) -> list[list[Cell]]:
    """Rows ``[column, nulls, NaN, missing, share]`` for ``columns``, most missing first."""
    rows: list[list[Cell]] = []
    for name in columns:
        s = profile.columns.get(name)
        if s is None:
            continue
        nan = s.numeric.nan_count if s.numeric is not None else 0
        share = s.missing_share if s.count else 0.0
        rows.append([name, s.null_count, nan, s.missing, share])
    rows.sort(key=lambda r: (-int(r[3] or 0), str(r[0])))
    return rows


@register
class Completeness(Check):
    """Share of missing values (nulls and NaN) per column, and rows with any missing value."""

    id: ClassVar[str] = "quality.completeness"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values are present"
    why: ClassVar[str] = (
        "Missing values are filled in by the model pipeline with defaults or dropped; when many "
        "are missing, the model decides on made-up data and its accuracy and fairness change."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM

    warn: Share = 0.05
    """Warn when a column's missing share is above this (default 5%); with reference data,
    when its significant rise since the reference is."""
    fail: Share = 0.20
    """Fail when a column's missing share is above this (default 20%); with reference data,
    when its significant rise since the reference is."""
    alpha: Alpha = 0.01
    """With reference data: a rise of the missing share counts only when significant at this
    level (one-sided two-proportion z test)."""
    max_missing: dict[str, Share] = Field(default_factory=dict)
    """Per-column limits (e.g. from a data contract): a share above the limit fails."""
    max_rows_missing: Share | None = None
    """Fail when the share of rows with at least one missing value is above this; by default
    that figure is reported for information only."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per column, then one for the data set."""
        columns = checked_columns(self, ctx)
        refs = ctx.reference.columns if ctx.reference is not None else {}
        out = [
            self._column(ctx.current.columns.get(name), name, refs.get(name)) for name in columns
        ]
        out.append(self._rows(ctx.current, columns))
        return out

    def _column(
        self, s: ColumnSummary | None, name: str, ref: ColumnSummary | None = None
    ) -> CheckResult:
        if s is None:
            return self.skipped(f"{name} was not profiled", column=name)
        if s.count == 0:
            return self.skipped(
                f"the data set has no rows, so {name} cannot be checked", column=name
            )
        if ref is not None and ref.count and name not in self.max_missing:
            return self._against_reference(s, ref)
        share = s.missing / s.count
        if name in self.max_missing:
            limit = self.max_missing[name]
            threshold = Threshold(metric="missing_share", direction="max", fail=limit)
            limit_text = f"the limit of {format_share(limit)}"
        else:
            threshold = Threshold(
                metric="missing_share", direction="max", warn=self.warn, fail=self.fail
            )
            limit_text = ""
        status = threshold.status_for(share)
        if not limit_text:
            limit_text = (
                f"the {format_share(self.fail)} failure limit"
                if status == Status.FAIL
                else f"the {format_share(self.warn)} warning limit"
            )
        relation = "above" if status in (Status.WARN, Status.FAIL) else "within"
        message = (
            f"{name} is missing in {format_count(s.missing)} of {format_count(s.count)} "
            f"rows ({format_share(share)}), {relation} {limit_text}."
        )
        metrics = _missing_metrics(s)
        message += _disguised_note(s)
        return self.result(status, message, column=name, metrics=metrics, threshold=threshold)

    def _against_reference(self, s: ColumnSummary, ref: ColumnSummary) -> CheckResult:
        """Judge the rise of the missing share since the reference, not its level."""
        share, ref_share = s.missing / s.count, ref.missing / ref.count
        rise = share - ref_share
        p = increase_p(s.missing, s.count, ref.missing, ref.count)
        threshold = Threshold(
            metric="missing_share_increase", direction="max", warn=self.warn, fail=self.fail
        )
        status = threshold.status_for(rise) if p < self.alpha else Status.PASS
        message = (
            f"{s.name} is missing in {format_count(s.missing)} of {format_count(s.count)} "
            f"rows ({format_share(share)}), against {format_share(ref_share)} in the reference"
        )
        if rise <= 0:
            message += ": no rise."
        elif status == Status.PASS:
            message += (
                f"; the change is within what chance and the {format_share(self.warn)} "
                f"warning limit on a rise allow (one-sided p = {p:.2g})."
            )
        else:
            message += rise_finding(rise, p, self.fail if status == Status.FAIL else self.warn)
        message += _disguised_note(s)
        metrics = {
            **_missing_metrics(s),
            "reference_missing_share": ref_share,
            "missing_share_increase": rise,
            "p_value": p,
        }
        return self.result(status, message, column=s.name, metrics=metrics, threshold=threshold)

    def _rows(self, profile: DatasetProfile, columns: list[str]) -> CheckResult:
        n = profile.n_rows
        if n == 0:
            return self.skipped("the data set has no rows")
        share = profile.rows_with_missing / n
        threshold = Threshold(
            metric="rows_missing_share", direction="max", fail=self.max_rows_missing
        )
        status = threshold.status_for(share)
        message = (
            f"{format_count(profile.rows_with_missing)} of {format_count(n)} rows "
            f"({format_share(share)}) have at least one missing value"
        )
        if self.max_rows_missing is not None:
            relation = "above" if status == Status.FAIL else "within"
            message += f", {relation} the {format_share(self.max_rows_missing)} limit"
        table = TableDetail(
            name="missing_by_column",
            title="Missing values by column",
            columns=["column", "nulls", "NaN", "missing", "missing share"],
            rows=missing_table(profile, columns),
        )
        metrics: dict[str, float | int | None] = {
            "rows_missing_share": share,
            "rows_with_missing": profile.rows_with_missing,
            "rows": n,
        }
        return self.result(
            status, message + ".", metrics=metrics, threshold=threshold, details=[table]
        )


def _disguised_note(s: ColumnSummary) -> str:
    """What the share above leaves out: values written as a missing marker (``' ?'``)."""
    found = text_markers(s)
    if not found.total:
        return ""
    top = sorted(found.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    shown = ", ".join(show_value(v) for v, _ in top)
    return (
        f" Besides, {format_count(found.total)} values ({format_share(found.total / s.count)}) "
        f"are written as {shown}, a missing marker not counted here "
        "(see quality.disguised_missing)."
    )


def _missing_metrics(s: ColumnSummary) -> dict[str, float | int | None]:
    nan = s.numeric.nan_count if s.numeric is not None else 0
    return {
        "missing_share": s.missing / s.count,
        "missing": s.missing,
        "nulls": s.null_count,
        "nan": nan,
        "rows": s.count,
    }
