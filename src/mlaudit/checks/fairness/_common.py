"""What the fairness checks share: their declared semantics, the groupings, the groups detail.

Every fairness figure depends on declarations the data cannot make: which outcome is
favourable, which group the others are compared with, which attributes are sensitive.  The
checks take the same options for them (:class:`FairnessOptions`) and state them in every result
(:func:`declared_note`), so two reports that disagree show why.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from pydantic import Field, field_validator

from mlaudit._population import population_columns, population_filter
from mlaudit.checks._base import Check, CheckContext
from mlaudit.checks._options import PositiveCount
from mlaudit.checks.fairness._groups import GroupTable
from mlaudit.checks.fairness._rows import FairRows, fairness_rows
from mlaudit.data import Role
from mlaudit.results import GroupsDetail, NoteDetail

__all__ = ["FairnessOptions", "declared_note", "groupings", "groups_detail"]


class FairnessOptions(Check):
    """Options every fairness check takes (a base class; not registered)."""

    family: ClassVar[str] = "fairness"
    needs_rows: ClassVar[bool] = True
    row_roles: ClassVar[frozenset[Role]] = frozenset({Role.SENSITIVE})
    reads: ClassVar[frozenset[str]] = frozenset()

    favourable: str | None = None
    """The favourable outcome (a value of the target and prediction, e.g. 1 for approved, 0
    for a risk model's 'no default'); default: the positive class (1/True)."""
    positive_label: str | None = None
    """The class the score is the probability of (default 1/True); read with a score only."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score at which the positive class is predicted (default: schema.score_threshold, else
    0.5 for probabilities); read when there is no prediction column."""
    min_group_size: PositiveCount = 30
    """Groups with fewer rows are listed as insufficient evidence, not judged."""
    intersections: bool = True
    """Also group by each pair of sensitive attributes (e.g. sex × race)."""
    population: str | None = None
    """Audit only the rows this SQL condition keeps (e.g. "age >= 18 AND channel <> 'broker'");
    stated beside every figure with the rows it kept."""

    @field_validator("population")
    @classmethod
    def _parse_population(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            population_filter(value)  # a ValueError names the problem and the fix
            return value.strip()
        return None

    def row_columns(self) -> frozenset[str]:
        """The population condition's columns, kept row by row beside the attributes."""
        return frozenset(population_columns(self.population))

    def fair_rows(self, ctx: CheckContext) -> FairRows | str:
        """The current data's rows as this check's declarations read them (or why none)."""
        return fairness_rows(
            ctx, favourable=self.favourable, positive_label=self.positive_label,
            threshold=self.threshold, population=self.population,
        )  # fmt: skip


def groupings(attributes: list[str], *, intersections: bool) -> list[list[str]]:
    """Each attribute alone, then each pair (when asked and there are two or more)."""
    out = [[a] for a in attributes]
    if intersections:
        out += [list(p) for p in itertools.combinations(attributes, 2)]
    return out


def declared_note(rows: FairRows, reference: str, table: GroupTable | None = None) -> NoteDetail:
    """The declarations behind the figures, in words."""
    fav = rows.favourable + ("" if rows.favourable_declared else " (default: set favourable)")
    ref = reference if table is None or table.reference_group is None else (
        f"{table.reference_group} (named)"
        if table.reference_group == reference
        else f"{table.reference_group} ({reference})"
    )  # fmt: skip
    attributes = ", ".join(
        f"{a} (inferred from its name)" if a in rows.inferred else a for a in rows.attributes
    )
    population = (
        f"rows where {rows.population} ({rows.frame.height:,} of {rows.rows_before:,})"
        if rows.population
        else "all rows (no filter declared)"
    )
    text = (
        f"Favourable outcome: {fav}. Decisions: {rows.decision_from}. "
        f"Reference group: {ref}. Sensitive attributes: {attributes}. "
        f"Population: {population}. "
        f"Rows: {rows.frame.height:,} with a decision, {rows.labelled:,} with a label"
        f"{f' ({rows.target})' if rows.target else ''}."
    )
    return NoteDetail(name="declared", text=text)


def groups_detail(table: GroupTable, favourable: str) -> GroupsDetail:
    """The groups of ``table`` as the JSON contract's ``groups`` detail."""
    rows: list[dict[str, Any]] = table.groups
    return GroupsDetail(
        name="groups",
        title=f"Groups of {table.attribute}",
        attribute=table.attribute,
        favourable=favourable,
        reference_group=table.reference_group,
        groups=rows,
    )
