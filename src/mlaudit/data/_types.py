"""Column types, roles and the schema model shared by every layer above ``data``.

Inference lives in :mod:`mlaudit.data._schema`; this module only holds the vocabulary.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from mlaudit.config import ScoreDirection

__all__ = ["ColumnSchema", "ColumnType", "Role", "Schema"]


class ColumnType(StrEnum):
    """What kind of values a column holds, as mlaudit reasons about them."""

    NUMERIC = "numeric"  # floating point measurements
    INTEGER = "integer"  # whole numbers with order and arithmetic meaning
    BOOLEAN = "boolean"
    CATEGORICAL = "categorical"  # few distinct labels (strings or small-cardinality codes)
    TEXT = "text"  # free text: many distinct, long strings
    DATETIME = "datetime"
    ID = "id"  # identifiers: (nearly) unique per row, no order meaning
    UNKNOWN = "unknown"

    @property
    def is_numeric(self) -> bool:
        """True for types summarised with moments and quantiles."""
        return self in (ColumnType.NUMERIC, ColumnType.INTEGER)


class Role(StrEnum):
    """What a column is for in the model's life."""

    FEATURE = "feature"
    TARGET = "target"
    PREDICTION = "prediction"
    SCORE = "score"
    SENSITIVE = "sensitive"
    TIMESTAMP = "timestamp"
    ID = "id"
    IGNORED = "ignored"


class ColumnSchema(BaseModel):
    """One column: its storage type, mlaudit type, role and whether it holds personal data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    dtype: str = Field(description="storage type as Arrow names it, e.g. 'int64', 'large_string'")
    type: ColumnType
    role: Role = Role.FEATURE
    personal: bool = False
    inferred: bool = Field(default=True, description="False when type and role were declared")
    reason: str = Field(default="", description="why this type and role were chosen")


class Schema(BaseModel):
    """Ordered columns of a data set with their types and roles."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: list[ColumnSchema]
    _index: dict[str, ColumnSchema] = PrivateAttr(default_factory=dict)
    _index_key: tuple[int, int] = PrivateAttr(default=(0, -1))
    score_threshold: float | None = Field(
        default=None, description="declared score at which a row is predicted positive"
    )
    score_direction: ScoreDirection = Field(
        default="higher_is_positive", description="whether a higher score means positive"
    )
    grade: str | None = Field(default=None, description="declared rating grade column")
    challenger_prediction: str | None = Field(
        default=None, description="a challenger model's predicted class or value column"
    )
    challenger_score: str | None = Field(
        default=None, description="a challenger model's score column"
    )
    class_scores: dict[str, str] = Field(
        default_factory=dict,
        description="a multiclass model's probability of each class: class label → column",
    )

    @property
    def names(self) -> list[str]:
        """Column names in order."""
        return [c.name for c in self.columns]

    def __eq__(self, other: object) -> bool:
        # The fields only: the lookup index (a private cache) must not make equal schemas
        # differ (pydantic compares private attributes too).
        if not isinstance(other, Schema):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in type(self).model_fields)

    __hash__ = None  # type: ignore[assignment]  # mutable list of columns: never hashable

    def _by_name(self) -> dict[str, ColumnSchema]:
        """Name → column, built once per list of columns (lookups on wide data stay O(1))."""
        key = (id(self.columns), len(self.columns))
        if self._index_key != key:
            self._index = {c.name: c for c in self.columns}
            self._index_key = key
        return self._index

    def __getitem__(self, name: str) -> ColumnSchema:
        return self._by_name()[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._by_name()

    def with_role(self, *roles: Role) -> list[ColumnSchema]:
        """Columns whose role is one of ``roles``."""
        return [c for c in self.columns if c.role in roles]

    def of_type(self, *types: ColumnType) -> list[ColumnSchema]:
        """Columns whose type is one of ``types``."""
        return [c for c in self.columns if c.type in types]

    @property
    def personal(self) -> list[str]:
        """Names of columns holding personal data."""
        return [c.name for c in self.columns if c.personal]
