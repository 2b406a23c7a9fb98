"""Plain result models: what a check found and what an audit produced.

These are the artifact.  Every renderer works from an :class:`AuditResult` alone, and
``report.json`` is its canonical JSON form (see :mod:`mlaudit.report._jsonio`).  The model is
designed for every family, present and future:

* a result per column (``column`` set) or for the data set (``column`` null);
* ``metrics`` (name → number) with optional ``bounds`` (confidence intervals or sketch error
  bounds) and an ``exact`` flag;
* ``details``: typed blocks the report knows how to draw — tables (per group, per column),
  series (per time window), bars, distributions (reference vs current), curves (ROC,
  calibration), examples (rows, masked), notes and fairness groups (defined in
  :mod:`mlaudit._details`, exported here);
* ``controls``: the regulatory control ids the result is evidence for.

Adding a family means adding checks and renderers, never changing this schema.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from mlaudit._details import (
    MAX_CELL_CHARS,
    MAX_MESSAGE_CHARS,
    BarsDetail,
    Cell,
    CurveDetail,
    Detail,
    DistributionDetail,
    ExamplesDetail,
    FrozenModel,
    GroupsDetail,
    GroupValue,
    NoteDetail,
    Number,
    SeriesDetail,
    TableDetail,
    clip_text,
)

__all__ = [
    "MAX_CELL_CHARS",
    "SCHEMA_VERSION",
    "AuditResult",
    "AuditSummary",
    "BarsDetail",
    "Bound",
    "Cell",
    "CheckResult",
    "CsvDialectInfo",
    "CurveDetail",
    "Detail",
    "DistributionDetail",
    "ExamplesDetail",
    "GroupValue",
    "GroupsDetail",
    "InputInfo",
    "MissingMarkersInfo",
    "ModelRecord",
    "NoteDetail",
    "Number",
    "SeriesDetail",
    "Severity",
    "Status",
    "TableDetail",
    "Threshold",
    "clip_text",
    "register_notebook_renderer",
    "show_padding",
    "worst_status",
]

SCHEMA_VERSION = "1.0"


class Status(StrEnum):
    """Outcome of a check, from best to worst for ordering purposes.

    ``inconclusive``: the value is approximate (a sketch or a sample) and its error bound covers
    a threshold, so the verdict would differ between the ends of the bound; it is neither a pass
    nor a finding, and ranks between the two (see :func:`worst_status`).
    """

    PASS = "pass"
    INCONCLUSIVE = "inconclusive"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


class Severity(StrEnum):
    """How much a failure of this check matters."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


_STATUS_RANK = {
    Status.SKIPPED: 0,
    Status.PASS: 1,
    Status.INCONCLUSIVE: 2,
    Status.WARN: 3,
    Status.FAIL: 4,
    Status.ERROR: 5,
}


def worst_status(statuses: list[Status]) -> Status:
    """Return the worst of ``statuses``; pass if empty.

    Order: error > fail > warn > inconclusive > pass > skipped.  An undecided result outranks a
    pass (someone should look at it) but not a warning (nothing was found for certain).
    """
    if not statuses:
        return Status.PASS
    return max(statuses, key=_STATUS_RANK.__getitem__)


def show_padding(value: str) -> str:
    """``value`` quoted as a Python string literal when it starts or ends with whitespace.

    The one convention for values with padding in reports (JSON, Markdown, HTML): a padded
    value is written in quotes with its spaces kept and other whitespace escaped, so that it
    cannot vanish or pass for a plain space: ``' Private'``, ``'Male\\t'``, ``'\\xa0Yes'``.
    Other values are returned unchanged.
    """
    if value and (value[0].isspace() or value[-1].isspace()):
        return repr(value)
    return value


class Bound(FrozenModel):
    """An interval around a metric: a confidence interval or a sketch's error bound."""

    low: Number
    high: Number
    kind: Literal["confidence_interval", "error_bound"] = "error_bound"
    level: float | None = Field(default=None, description="confidence level, e.g. 0.95")
    method: str = ""


class Threshold(FrozenModel):
    """The rule a metric was held to.

    ``direction`` ``"max"`` means the metric must stay at or below the limits (a missing share),
    ``"min"`` at or above them (an accuracy).
    """

    metric: str
    direction: Literal["max", "min"] = "max"
    warn: Number = None
    fail: Number = None

    def status_for(self, value: float | None) -> Status:
        """Classify ``value`` against the limits; NaN or None gives ``skipped``."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return Status.SKIPPED

        def breached(limit: Number) -> bool:
            if limit is None:
                return False
            return value > limit if self.direction == "max" else value < limit

        if breached(self.fail):
            return Status.FAIL
        if breached(self.warn):
            return Status.WARN
        return Status.PASS


class CheckResult(FrozenModel):
    """What one check found, for one column or for the whole data set."""

    id: str = Field(description="check id, family.name")
    family: str
    title: str
    status: Status
    severity: Severity = Severity.MEDIUM
    column: str | None = None
    metrics: dict[str, Number] = Field(default_factory=dict)
    bounds: dict[str, Bound] = Field(default_factory=dict)
    exact: bool = True
    threshold: Threshold | None = None
    message: str
    why: str = Field(default="", description="why the finding matters, in plain words")
    details: list[Detail] = Field(default_factory=list)
    controls: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("message")
    @classmethod
    def _clip_message(cls, v: str) -> str:
        return clip_text(v, MAX_MESSAGE_CHARS)


class CsvDialectInfo(FrozenModel):
    """How a CSV input was read; ``detected`` names the settings not given by the user."""

    separator: str
    quote: str
    decimal: str
    header: bool
    padded: bool = False
    """Values start with a space after the separator (``a, b``)."""
    skip_initial_space: bool = False
    """That space was stripped (on request only)."""
    null_values: list[str] | None = None
    detected: list[str] = Field(default_factory=list)
    renamed_columns: list[str] = Field(default_factory=list)
    """Repeated column names that were suffixed (``NAME_2``) on request."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class MissingMarkersInfo(FrozenModel):
    """Declared missing markers of an input and how many values each turned into a null."""

    every_column: list[str] = Field(default_factory=list)
    """Markers declared for every column of the input."""
    columns: dict[str, list[str]] = Field(default_factory=dict)
    """Markers declared for one column."""
    counts: dict[str, dict[str, int]] = Field(default_factory=dict)
    """Column → marker → values read as missing (columns and markers that matched)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _is_empty(value: object) -> bool:
    return not value


class InputInfo(FrozenModel):
    """One input of the audit: where it came from and what it held."""

    name: Literal["reference", "current"] | str
    source: str
    format: str
    fingerprint: str
    rows: int
    columns: int
    schema_: dict[str, dict[str, Any]] = Field(default_factory=dict, alias="schema")
    dialect: CsvDialectInfo | None = None
    """CSV inputs: the separator, quote, decimal mark and header, given or detected."""
    missing_markers: MissingMarkersInfo | None = None
    """Declared missing markers, read as nulls, with the values each replaced."""
    placeholder_columns: dict[str, str] = Field(default_factory=dict, exclude_if=_is_empty)
    """Columns without a name in the source (empty or blank): placeholder → source name.
    Written to the report only when there is one."""
    mask_key_id: str | None = None
    """Id of the secret key that masked the personal columns (first 8 hex digits of its
    SHA-256; never the key); None when the input has no personal column."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ModelRecord(FrozenModel):
    """A model the audit loaded: what it was, so a reader can tell which model was judged."""

    role: str = "model"
    """``model`` (the audited one), later ``challenger``."""
    source: str
    format: str
    """``skops``, ``onnx``, ``xgboost``, ``lightgbm``, ``pickle``, ``joblib`` or ``object``."""
    fingerprint: str
    """``sha256:<hex>`` of the model file (of its skops serialisation for an object)."""
    model_type: str
    task: str
    classes: list[str] = Field(default_factory=list)
    features: list[str] = Field(default_factory=list)
    """The columns the model reads, in its order."""
    ignored_columns: list[str] = Field(default_factory=list)
    """Columns of the data the model does not read (besides the declared target, ids and
    timestamps)."""
    libraries: dict[str, str] = Field(default_factory=dict)
    trusted_format: bool = True
    """False when a format that can run code when loaded (pickle, joblib, a skops file with
    types outside skops' defaults) was loaded at the user's request (``--trust-model``)."""
    untrusted_types: list[str] = Field(default_factory=list)
    positive_class: str | None = None
    """Binary models: the class whose probability is the score column."""
    columns: dict[str, str] = Field(default_factory=dict)
    """The columns the audit added with the model's outputs: ``prediction``, ``score``, or a
    class's probability → column name."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class AuditSummary(FrozenModel):
    """Overall outcome and counts by status."""

    status: Status
    counts: dict[str, int]
    total: int


class AuditResult(FrozenModel):
    """The artifact of an audit run; renderers and ``load_result`` work from it alone."""

    schema_version: str = SCHEMA_VERSION
    run_id: str
    created_at: str
    finished_at: str
    mlaudit_version: str
    inputs: list[InputInfo]
    models: list[ModelRecord] = Field(default_factory=list, exclude_if=_is_empty)
    """The models the audit loaded and ran (none on the predictions-only path)."""
    config: dict[str, Any]
    environment: dict[str, str] = Field(default_factory=dict)
    summary: AuditSummary
    checks: list[CheckResult]
    compliance: dict[str, Any] = Field(default_factory=dict)
    signature: dict[str, str] | None = None

    @staticmethod
    def summarise(checks: list[CheckResult]) -> AuditSummary:
        """Build the summary block for ``checks``.

        Counts every status, zeros and ``inconclusive`` included; the overall status is the
        worst one (:func:`worst_status`).
        """
        counts = {s.value: 0 for s in Status}
        for c in checks:
            counts[Status(c.status).value] += 1
        return AuditSummary(
            status=worst_status([Status(c.status) for c in checks]),
            counts=counts,
            total=len(checks),
        )

    def by_family(self) -> dict[str, list[CheckResult]]:
        """Group the check results by family, keeping their order."""
        out: dict[str, list[CheckResult]] = {}
        for c in self.checks:
            out.setdefault(c.family, []).append(c)
        return out

    def failed(self) -> list[CheckResult]:
        """The results whose status is fail or error."""
        return [c for c in self.checks if c.status in (Status.FAIL, Status.ERROR)]

    def _repr_html_(self) -> str | None:
        """The notebook view, drawn by the renderer the report layer registered (if loaded)."""
        return _NOTEBOOK_RENDERER(self) if _NOTEBOOK_RENDERER is not None else None


_NOTEBOOK_RENDERER: Callable[[AuditResult], str] | None = None


def register_notebook_renderer(render: Callable[[AuditResult], str] | None) -> None:
    """Set how notebooks draw an :class:`AuditResult` (``_repr_html_``).

    The report layer registers its HTML fragment renderer when it is imported (``import mlaudit``
    does), so results stay plain data and never import a renderer.  With none registered,
    notebooks fall back to the plain ``repr``.
    """
    global _NOTEBOOK_RENDERER
    _NOTEBOOK_RENDERER = render
