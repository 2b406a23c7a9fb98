"""``quality.allowed_values``: category values outside an allowed set (or unseen before).

A declared set (``allowed``, from the user or a data contract) is a hard limit.  Without one,
the current values are compared with those seen in the reference, and that comparison is a
test: a column with many rare values (charge descriptions, countries) shows values in any new
sample that the reference happened not to contain.  When both samples come from one population
(exchangeable), a value seen ``k`` times in the pooled ``n + m`` values lies only in the current
``m`` with probability ``C(m, k) / C(n + m, k)`` (about ``2^-k`` for two halves).  Two things
warn, each at ``alpha``: one new value seen so often that this probability is below ``alpha``
divided by the number of pooled values (Bonferroni); or more current rows holding new values
than chance gives, ``sum_v k_v p_v`` expected with variance ``sum_v k_v^2 p_v (1 - p_v)``
(values taken independently; one-sided normal test, used only when at least 5 such rows are
expected, so that the normal approximation holds).  Both need exact value counts; with
heavy-hitter counts any new value warns, as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, ClassVar

import polars as pl
from pydantic import Field, field_validator

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.quality._chance import all_in_current_p
from mlaudit.checks.quality.completeness import (
    checked_columns,
    format_count,
    format_share,
    sample_examples,
)
from mlaudit.data import ColumnType
from mlaudit.results import (
    Bound,
    CheckResult,
    Detail,
    DistributionDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)
from mlaudit.summary import CategoryCounts, ColumnSummary

__all__ = ["AllowedValues", "Disallowed", "disallowed", "unseen_categories"]

_LISTED = 20
_MIN_EXPECTED = 5.0
"""Fewest new rows expected by chance for the normal test on their total to be used."""


@dataclass(frozen=True)
class Disallowed:
    """Values outside an allowed set: a point estimate with lower and upper limits."""

    values: dict[str, int]
    """Each value seen that is not allowed → its (possibly under-estimated) count."""
    low: int
    high: int

    @property
    def exact(self) -> bool:
        """True when the count is known exactly."""
        return self.low == self.high


def disallowed(cats: CategoryCounts, allowed: set[str], non_null: int) -> Disallowed:
    """Count values of ``cats`` not in ``allowed``, out of ``non_null`` values.

    With exact counts this is a sum.  With heavy-hitter counts (each an under-estimate by at
    most ``cats.error``, rare values possibly absent) the true count lies between the sum over
    the disallowed values listed and ``non_null`` minus the listed allowed counts.
    """
    bad = {k: v for k, v in cats.counts.items() if k not in allowed}
    low = sum(bad.values())
    if cats.exact:
        return Disallowed(bad, low, low)
    good = sum(v for k, v in cats.counts.items() if k in allowed)
    return Disallowed(bad, low, max(low, non_null - good))


def unseen_categories(current: CategoryCounts, reference: CategoryCounts) -> dict[str, int]:
    """Values of ``current`` that ``reference`` never listed, with their current counts."""
    return {k: v for k, v in current.counts.items() if k not in reference.counts}


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@register
class AllowedValues(Check):
    """Share of values outside the allowed set; without one, categories new since the
    reference."""

    id: ClassVar[str] = "quality.allowed_values"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Values are in the allowed set"
    why: ClassVar[str] = (
        "A category the model was never trained on (a new product code, a misspelt region) is "
        "mapped to a default or dropped, so the model scores those records blindly."
    )
    limits_apply_with: ClassVar[str | None] = "allowed"
    severity: ClassVar[Severity] = Severity.MEDIUM

    allowed: dict[str, list[str]] = Field(default_factory=dict)
    """Allowed values per column (e.g. from a data contract); values are compared as text."""
    warn: Share = 0.0
    """Warn when the share of disallowed values is above this (default 0)."""
    fail: Share = 0.0
    """Fail when the share of disallowed values is above this (default 0: any fails). Values
    new since the reference only ever warn."""
    alpha: Alpha = 0.01
    """Without an allowed set: values new since the reference warn only when chance explains
    them at no more than this level (see the module notes)."""

    @field_validator("allowed", mode="before")
    @classmethod
    def _stringify(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: [_as_text(v) for v in vs] if isinstance(vs, list | tuple) else vs
                for k, vs in value.items()
            }
        return value

    def compute(self, ctx: CheckContext) -> CheckResult | list[CheckResult]:
        """One result per configured column, or per categorical column shared with the
        reference."""
        if self.allowed:
            return [self._configured(ctx, col, set(vals)) for col, vals in self.allowed.items()]
        if ctx.reference is None:
            return self.skipped("no allowed values were configured and there is no reference data")
        out = []
        for name in checked_columns(self, ctx):
            s, ref = ctx.current.columns.get(name), ctx.reference.columns.get(name)
            if (
                s is not None
                and ref is not None
                and s.categories is not None
                and ref.categories is not None
                and s.type in (ColumnType.CATEGORICAL, ColumnType.BOOLEAN)
            ):
                out.append(self._against_reference(ctx, s, ref.categories))
        return out or self.skipped("no categorical column is shared with the reference data")

    def _usable(self, s: ColumnSummary | None, name: str) -> CheckResult | None:
        if s is None or s.count == 0:
            return self.skipped(f"{name} has no rows to check", column=name)
        if s.categories is None:
            return self.skipped(
                f"{name} has no value counts ({s.dtype}); allowed values apply "
                "to categorical columns",
                column=name,
            )
        if s.categories.hashed:
            return self.skipped(
                f"{name} holds personal data whose values are hashed, so they "
                "cannot be compared with a list",
                column=name,
            )
        if s.non_null == 0:
            return self.skipped(f"{name} has no non-missing values", column=name)
        return None

    def _configured(self, ctx: CheckContext, name: str, allowed: set[str]) -> CheckResult:
        s = ctx.current.columns.get(name)
        unusable = self._usable(s, name)
        if unusable is not None or s is None or s.categories is None:
            return unusable or self.skipped(f"{name} cannot be checked", column=name)
        found = disallowed(s.categories, allowed, s.non_null)
        n = s.non_null
        threshold = Threshold(
            metric="disallowed_share", direction="max", warn=self.warn, fail=self.fail
        )
        share = found.low / n
        status = threshold.status_for(share)
        about = "" if found.exact else "at least "
        message = (
            f"{name} has {about}{format_count(found.low)} of {format_count(n)} values "
            f"({format_share(share)}) outside the {len(allowed)} allowed values"
        )
        bounds: dict[str, Bound] = {}
        if not found.exact:
            bounds["disallowed_share"] = Bound(
                low=share, high=found.high / n, method="Misra-Gries frequent items"
            )
            if threshold.status_for(share) != threshold.status_for(found.high / n):
                status = Status.WARN
                message += (
                    f" and at most {format_count(found.high)} "
                    f"({format_share(found.high / n)}): inconclusive"
                )
        message += _listing(found.values)
        metrics: dict[str, float | int | None] = {
            "disallowed_share": share,
            "disallowed": found.low,
            "values": n,
            "disallowed_distinct": len(found.values),
        }
        details = self._details(
            ctx, s, found.values, "disallowed", "Values not allowed", excluded=allowed
        )
        return self.result(
            status,
            message + ".",
            column=name,
            metrics=metrics,
            threshold=threshold,
            bounds=bounds,
            exact=found.exact,
            details=details,
        )

    def _against_reference(
        self, ctx: CheckContext, s: ColumnSummary, ref: CategoryCounts
    ) -> CheckResult:
        unusable = self._usable(s, s.name)
        if unusable is not None or s.categories is None:
            return unusable or self.skipped(f"{s.name} cannot be checked", column=s.name)
        if ref.hashed != s.categories.hashed:
            return self.skipped(f"{s.name} is hashed in one data set only", column=s.name)
        new = unseen_categories(s.categories, ref)
        n = s.non_null
        count = sum(new.values())
        share = count / n
        threshold = Threshold(metric="unseen_share", direction="max", warn=self.warn)
        status = threshold.status_for(share)
        chance = _unseen_by_chance(new, s.categories, ref, self.alpha)
        if chance is not None and not chance.significant:
            status = Status.PASS
        if new:
            message = (
                f"{s.name} has {len(new)} value(s) never seen in the reference data, in "
                f"{format_count(count)} of {format_count(n)} rows ({format_share(share)})"
                + _listing(new, hashed=s.categories.hashed)
            )
        else:
            message = f"every value of {s.name} was seen in the reference data"
        if chance is not None and new:
            message += chance.text(status)
        if not ref.exact and new:
            message += (
                f"; the reference kept only frequent values, so a value seen up to "
                f"{ref.error} times there may be listed as new"
            )
        metrics: dict[str, float | int | None] = {
            "unseen_share": share,
            "unseen": count,
            "unseen_distinct": len(new),
            "values": n,
            **(chance.metrics if chance is not None else {}),
        }
        details = self._details(
            ctx,
            s,
            new,
            "unseen",
            "Values not seen in the reference",
            excluded=set(ref.counts),
            reference=ref,
        )
        return self.result(
            status,
            message + ".",
            column=s.name,
            metrics=metrics,
            threshold=threshold,
            exact=ref.exact and s.categories.exact,
            details=details,
        )

    def _details(
        self,
        ctx: CheckContext,
        s: ColumnSummary,
        values: dict[str, int],
        name: str,
        title: str,
        *,
        excluded: set[str],
        reference: CategoryCounts | None = None,
    ) -> list[Detail]:
        assert s.categories is not None
        if not values:
            return []
        ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        details: list[Detail] = [
            TableDetail(
                name=name,
                title=title,
                columns=["value", "count"],
                rows=[[k, v] for k, v in ordered[:100]],
                note="" if len(ordered) <= 100 else f"{len(ordered) - 100} more not listed",
            )
        ]
        top = s.categories.top(30)
        counts = {"current": [float(v) for _, v in top]}
        if reference is not None:
            counts["reference"] = [float(reference.counts.get(k, 0)) for k, _ in top]
        details.append(
            DistributionDetail(
                name="categories",
                title=f"{s.name}: most frequent values",
                column=s.name,
                categories=[k for k, _ in top],
                counts=counts,
                exact=s.categories.exact and (reference is None or reference.exact),
            )
        )
        if not s.categories.hashed:
            bad = pl.col(s.name).is_not_null() & ~pl.col(s.name).cast(pl.String).is_in(
                sorted(excluded)
            )
            ex = sample_examples(
                ctx, bad, [s.name], name=f"{name}_examples", title=f"{title} (sample rows)"
            )
            if ex is not None:
                details.append(ex)
        return details


@dataclass(frozen=True)
class _Chance:
    """How the values new since the reference compare with what chance gives."""

    expected: float
    sd: float
    observed: int
    z_limit: float
    strongest_p: float
    """Bonferroni-adjusted probability of the most frequent new value being new by chance."""
    alpha: float

    @property
    def significant(self) -> bool:
        """True when a new value is too frequent, or new values too many, for chance."""
        if self.expected < _MIN_EXPECTED:  # the normal approximation would not hold
            return self.strongest_p < self.alpha
        too_many = self.observed > self.expected + self.z_limit * self.sd
        return self.strongest_p < self.alpha or too_many

    @property
    def metrics(self) -> dict[str, float | int | None]:
        """Figures for the result."""
        return {"expected_unseen": self.expected, "unseen_p_value": self.strongest_p}

    def text(self, status: Status) -> str:
        """Sentence for the message."""
        verdict = "more than chance explains" if status == Status.WARN else "what chance gives"
        return (
            f"; about {self.expected:.1f} such rows are expected by chance alone when both "
            f"samples come from one population (most frequent new value: p = "
            f"{self.strongest_p:.2g} after Bonferroni): {verdict}"
        )


def _unseen_by_chance(
    new: dict[str, int], cur: CategoryCounts, ref: CategoryCounts, alpha: float
) -> _Chance | None:
    """Compare the new values with exchangeability; None without exact counts."""
    if not (cur.exact and ref.exact) or cur.hashed != ref.hashed:
        return None
    n, m = sum(ref.counts.values()), sum(cur.counts.values())
    pooled = {k: ref.counts.get(k, 0) + cur.counts.get(k, 0) for k in {*ref.counts, *cur.counts}}
    expected = var = 0.0
    for k in pooled.values():
        p = all_in_current_p(k, n, m)
        expected += k * p
        var += k * k * p * (1.0 - p)
    top = max(new.values(), default=0)
    strongest = min(1.0, len(pooled) * all_in_current_p(top, n, m)) if top else 1.0
    z = NormalDist().inv_cdf(1.0 - alpha)
    return _Chance(expected, math.sqrt(var), sum(new.values()), z, strongest, alpha)


def _listing(values: dict[str, int], *, hashed: bool = False) -> str:
    if not values or hashed:
        return ""
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{k!r} ({format_count(v)})" for k, v in ordered[:_LISTED])
    more = f" and {len(ordered) - _LISTED} more" if len(ordered) > _LISTED else ""
    return f": {text}{more}"
