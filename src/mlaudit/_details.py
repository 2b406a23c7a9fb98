"""The detail blocks of a check result: tables, series, bars, distributions, curves, examples,
notes and fairness groups, and the plain values they hold.

Part of the result model; :mod:`mlaudit.results` exports every name a caller uses.  Strings in
tables and category lists are clipped (:func:`clip_text`), so a report never copies huge values.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_MESSAGE_CHARS",
    "BarsDetail",
    "Cell",
    "CurveDetail",
    "Detail",
    "DistributionDetail",
    "ExamplesDetail",
    "FrozenModel",
    "GroupValue",
    "GroupsDetail",
    "NoteDetail",
    "Number",
    "SeriesDetail",
    "TableDetail",
    "clip_text",
]

Number = float | int | None
Cell = str | float | int | bool | None

MAX_CELL_CHARS = 200
"""Longer strings in tables and category lists are clipped: a report never copies huge values."""

MAX_MESSAGE_CHARS = 2_000


def clip_text(value: str, limit: int = MAX_CELL_CHARS) -> str:
    """``value`` unchanged when short, else its start and the original length."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value):,} characters)"


def _clip_rows(rows: list[list[Cell]]) -> list[list[Cell]]:
    return [[clip_text(c) if isinstance(c, str) else c for c in row] for row in rows]


class FrozenModel(BaseModel):
    """The base of every result model: immutable, no unknown field."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class TableDetail(FrozenModel):
    """A table: per column, per group, per category, example rows."""

    kind: Literal["table"] = "table"
    name: str
    title: str = ""
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""

    _clip = field_validator("rows")(_clip_rows)


class SeriesDetail(FrozenModel):
    """Values over an ordered axis, typically time windows, with optional bands and limits."""

    kind: Literal["series"] = "series"
    name: str
    title: str = ""
    x_label: str = ""
    y_label: str = ""
    x: list[str | float | int]
    series: dict[str, list[Number]]
    lower: dict[str, list[Number]] = Field(default_factory=dict)
    upper: dict[str, list[Number]] = Field(default_factory=dict)
    limits: dict[str, float] = Field(default_factory=dict)


class DistributionDetail(FrozenModel):
    """Distribution of one column in one or more samples (reference, current, windows).

    Numeric: ``edges`` has one more entry than each count list.  Categorical: ``categories``
    has as many entries as each count list, and ``edges`` is empty.
    """

    kind: Literal["distribution"] = "distribution"
    name: str
    title: str = ""
    column: str
    edges: list[float] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    counts: dict[str, list[float]]
    exact: bool = True

    @field_validator("categories")
    @classmethod
    def _clip_categories(cls, v: list[str]) -> list[str]:
        return [clip_text(c) for c in v]


class BarsDetail(FrozenModel):
    """Horizontal bars: one row a label (a feature, a category), in the order given (largest
    first for a ranking), one bar a series in each row, with an optional interval each.

    ``series`` maps a series name (``importance``; ``reference`` and ``current``) to one value a
    label; ``lower`` and ``upper``, for the series that have intervals, as many (``null`` for a
    bar without one).  ``share`` says the values are shares of 0-1, drawn as percentages.
    """

    kind: Literal["bars"] = "bars"
    name: str
    title: str = ""
    value_label: str = ""
    labels: list[str]
    series: dict[str, list[Number]]
    lower: dict[str, list[Number]] = Field(default_factory=dict)
    upper: dict[str, list[Number]] = Field(default_factory=dict)
    share: bool = False

    @field_validator("labels")
    @classmethod
    def _clip_labels(cls, v: list[str]) -> list[str]:
        return [clip_text(c) for c in v]


class CurveDetail(FrozenModel):
    """A curve such as ROC, precision-recall, calibration or partial dependence.

    ``diagonal`` asks for the line y = x on equal axes: the chance line of a ROC curve, perfect
    calibration on a reliability diagram.  ``x_scale`` / ``y_scale`` ``"log"`` draw an axis on
    a logarithmic scale (timings over batch sizes that span decades); values at or below 0 have
    no place on it and are not drawn.
    """

    kind: Literal["curve"] = "curve"
    name: str
    title: str = ""
    x_label: str = ""
    y_label: str = ""
    curves: dict[str, dict[str, list[float]]] = Field(
        description="curve name → {'x': [...], 'y': [...]}"
    )
    diagonal: bool = Field(default=False, description="draw y = x on equal axes")
    x_scale: Literal["linear", "log"] = "linear"
    y_scale: Literal["linear", "log"] = "linear"


class ExamplesDetail(FrozenModel):
    """Example rows that illustrate a finding; personal data is masked before it gets here."""

    kind: Literal["examples"] = "examples"
    name: str
    title: str = ""
    columns: list[str]
    rows: list[list[Cell]]
    masked_columns: list[str] = Field(default_factory=list)

    _clip = field_validator("rows")(_clip_rows)


class NoteDetail(FrozenModel):
    """A paragraph of explanation (assumptions, method, caveats)."""

    kind: Literal["note"] = "note"
    name: str
    text: str


GroupValue = str | int | float | bool | list[float] | None


class GroupsDetail(FrozenModel):
    """The groups of one sensitive attribute (or intersection) with their metrics.

    ``groups`` holds one object a group: ``attribute``, ``group``, ``n`` and the metrics as
    numbers under short names (``selection_rate``, ``tpr``, ``fpr``, ``fnr``, ``ppv``, ``npv``,
    ``accuracy``, ``auc``, ``mean_score``), each with ``<name>_ci`` (``[low, high]``), and the
    comparison with the reference group (docs/report-format.md lists every key).
    """

    kind: Literal["groups"] = "groups"
    name: str
    title: str = ""
    attribute: str
    favourable: str
    reference_group: str | None = None
    groups: list[dict[str, GroupValue]]

    @field_validator("groups")
    @classmethod
    def _clip_groups(cls, v: list[dict[str, GroupValue]]) -> list[dict[str, GroupValue]]:
        return [{k: clip_text(x) if isinstance(x, str) else x for k, x in g.items()} for g in v]


Detail = Annotated[
    TableDetail
    | SeriesDetail
    | BarsDetail
    | DistributionDetail
    | CurveDetail
    | ExamplesDetail
    | NoteDetail
    | GroupsDetail,
    Field(discriminator="kind"),
]
