"""``fairness.bias_audit``: the NYC Local Law 144 bias-audit tables, as the rule defines them.

New York City's rules for automated employment decision tools (6 RCNY § 5-300 ff.) ask an
independent bias audit to publish, for sex, for race/ethnicity and for their intersections:

* per category, the number of people assessed and its **selection rate** (the share selected,
  or given the favourable classification), and its **impact ratio**: the selection rate divided
  by that of the most selected category;
* for a tool that scores rather than selects, the **scoring rate** (the share of the category
  scoring above the median score of the full sample) and the impact ratio of scoring rates;
* the number of people whose category is **unknown**, left out of the calculations;
* a category under 2 % of the data *may* be excluded from the impact ratios; the table then
  still shows its count and rate, and says it was excluded (``exclude_under``; 0 excludes
  none).

``basis`` chooses the rate: ``selection`` (decisions: the prediction, or the score against its
threshold), ``scoring`` (the score's median), or ``auto`` (selection when the data has a
prediction column, else scoring).  The rule sets no pass mark: the results are informational
(``pass``), and ``fairness.four_fifths`` judges the same ratios against 80 %.  One result each
for sex, race/ethnicity and their intersection; the groups detail holds each category with
``n``, ``selection_rate`` or ``scoring_rate``, ``impact_ratio`` and ``excluded``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

import polars as pl

from mlaudit.checks._base import CheckContext, register
from mlaudit.checks._options import Share
from mlaudit.checks.fairness._common import FairnessOptions, declared_note
from mlaudit.checks.fairness._rows import FairRows
from mlaudit.errors import ConfigError
from mlaudit.results import CheckResult, GroupsDetail, Severity, Status, TableDetail
from mlaudit.stats import wilson_arrays

__all__ = ["BiasAudit"]

_SEX = re.compile(r"(^|_)(sex|gender)($|_)", re.IGNORECASE)
_RACE = re.compile(r"(^|_)(race|ethnicity|ethnic)($|_)", re.IGNORECASE)


@register
class BiasAudit(FairnessOptions):
    """The Local Law 144 tables: selection or scoring rates and impact ratios per category."""

    id: ClassVar[str] = "fairness.bias_audit"
    title: ClassVar[str] = "Bias-audit tables (NYC Local Law 144)"
    why: ClassVar[str] = (
        "Employers in New York City must publish a yearly independent bias audit of automated "
        "hiring tools: impact ratios by sex, race/ethnicity and their intersection."
    )
    severity: ClassVar[Severity] = Severity.INFO

    sex: str | None = None
    """The sex column (default: the sensitive column named like sex or gender)."""
    race: str | None = None
    """The race/ethnicity column (default: the sensitive column named like race or ethnicity)."""
    basis: Literal["auto", "selection", "scoring"] = "auto"
    """Selection rates (decisions) or scoring rates (share above the full sample's median)."""
    exclude_under: Share = 0.0
    """Exclude from the impact ratios the categories under this share of the rows (the rule
    allows 0.02); they are still listed with their count and rate."""

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """The sex, race/ethnicity and intersectional tables."""
        rows = self.fair_rows(ctx)
        if isinstance(rows, str):
            return [self.skipped(rows)]
        sex = self._column(self.sex, _SEX, rows.attributes, "sex")
        race = self._column(self.race, _RACE, rows.attributes, "race")
        if sex is None and race is None:
            return [
                self.skipped(
                    "no sex or race/ethnicity column among the sensitive attributes "
                    f"({', '.join(rows.attributes)}): name them with the sex and race options"
                )
            ]
        basis = self.basis
        if basis == "auto":
            basis = "selection" if rows.from_prediction else "scoring"
        if basis == "scoring" and "score" not in rows.frame.columns:
            return [self.skipped("scoring rates need a score column: declare schema.score")]
        frame = self._with_rate(rows, basis)
        keys = [k for k in (sex, race) if k is not None]
        sets = [[k] for k in keys] + ([keys] if len(keys) == 2 else [])
        return [self._table(rows, frame, k, basis) for k in sets]

    def _column(
        self, given: str | None, pattern: re.Pattern[str], attributes: list[str], what: str
    ) -> str | None:
        if given is not None:
            if given not in attributes:
                raise ConfigError(
                    f"fairness.bias_audit: {what} column {given!r} is not a sensitive attribute "
                    f"of the data ({', '.join(attributes)})",
                    fix="declare it sensitive (--sensitive / schema.sensitive) or name another",
                )
            return given
        return next((a for a in attributes if pattern.search(a)), None)

    def _with_rate(self, rows: FairRows, basis: str) -> pl.DataFrame:
        if basis == "selection":
            return rows.frame.with_columns(pl.col("decision").alias("hit"))
        score = pl.col("score") if rows.score_favours else -pl.col("score")
        oriented = rows.frame.select(score.alias("s"))["s"]
        median = oriented.median()
        return rows.frame.with_columns((score > median).cast(pl.Int8).alias("hit"))

    def _table(
        self, rows: FairRows, frame: pl.DataFrame, keys: list[str], basis: str
    ) -> CheckResult:
        name = " × ".join(keys)
        known = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
        unknown = int(frame.select((~known).sum()).item())
        counted = frame.filter(known).with_columns(
            pl.concat_str([pl.col(k) for k in keys], separator=" × ").alias("category")
        )
        table = (
            counted.group_by("category")
            .agg(pl.len().alias("n"), pl.col("hit").sum().alias("hits"))
            .sort("n", "category", descending=[True, False])
        )
        total = int(table["n"].sum())
        rate_name = "selection_rate" if basis == "selection" else "scoring_rate"
        cats: list[dict[str, Any]] = []
        for cat, n, hits in table.iter_rows():
            cats.append({
                "attribute": name, "group": cat, "n": int(n), rate_name: hits / n,
                "excluded": bool(total and n / total < self.exclude_under),
            })  # fmt: skip
        best = max((c[rate_name] for c in cats if not c["excluded"]), default=0.0)
        ci = wilson_arrays(table["hits"].to_numpy(), table["n"].to_numpy())
        top = next((c["group"] for c in cats if not c["excluded"] and c[rate_name] == best), None)
        for i, c in enumerate(cats):
            c["impact_ratio"] = c[rate_name] / best if best > 0 and not c["excluded"] else None
            c[f"{rate_name}_ci"] = [float(ci.low[i]), float(ci.high[i])]
            c["reference"] = c["group"] == top and best > 0
        ratios = [c["impact_ratio"] for c in cats if c["impact_ratio"] is not None]
        excluded = [c for c in cats if c["excluded"]]
        label = "Selection rate" if basis == "selection" else "Scoring rate"
        rows_out = [
            [c["group"], c["n"], c[rate_name], c["impact_ratio"], "excluded (< "
             f"{self.exclude_under:.0%} of the data)" if c["excluded"] else ""]
            for c in cats
        ]  # fmt: skip
        details = [
            TableDetail(
                name="ll144", title=f"{label}s and impact ratios by {name}",
                columns=["category", "applicants", label.lower(), "impact ratio", "note"],
                rows=rows_out,
                note=f"Unknown category: {unknown:,} people, not included in the calculations.",
            ),
            GroupsDetail(
                name="groups", title=f"Categories of {name}", attribute=name,
                favourable=rows.favourable,
                reference_group=top if best > 0 else None,
                groups=cats,
            ),
            declared_note(rows, "the highest rate"),
        ]  # fmt: skip
        worst = min(ratios) if ratios else None
        text = (
            f"{name}: {len(cats)} categories, {total:,} people assessed, {unknown:,} of unknown "
            f"category (not included); {label.lower()}s from "
            f"{min(c[rate_name] for c in cats):.1%} to {max(c[rate_name] for c in cats):.1%}"
            if cats
            else f"{name}: no person of known category"
        )
        if worst is not None:
            text += f"; lowest impact ratio {worst:.3f}"
        if excluded:
            text += (
                f"; {len(excluded)} categor{'y' if len(excluded) == 1 else 'ies'} under "
                f"{self.exclude_under:.0%} of the data excluded from the impact ratios (listed "
                "with their count and rate)"
            )
        return self.result(
            Status.PASS,
            text + ".",
            column=name,
            metrics={
                "categories": len(cats),
                "assessed": total,
                "unknown": unknown,
                "min_impact_ratio": worst,
                "excluded_categories": len(excluded),
            },
            details=details,
        )
