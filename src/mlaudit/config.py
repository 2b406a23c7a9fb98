"""Settings from the environment and the audit configuration file.

``Settings`` reads ``MLAUDIT_*`` environment variables (batch size, sample size, ...).
``AuditConfig`` is what an ``audit.yaml`` (or ``.toml``) holds; unknown keys and wrong types are
rejected with the offending key named, so a typo never silently changes an audit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mlaudit._safeyaml import load_mapping_file
from mlaudit.errors import ConfigError

__all__ = [
    "AuditConfig",
    "ColumnConfig",
    "DataConfig",
    "FairnessConfig",
    "FormatName",
    "OutputConfig",
    "SchemaConfig",
    "ScoreDirection",
    "Settings",
    "WindowConfig",
    "fairness_config",
    "format_validation_error",
    "load_config",
]

ReportFormat = Literal["html", "json", "md", "junit"]
FailOn = Literal["fail", "warn", "never"]
ScoreDirection = Literal["higher_is_positive", "higher_is_negative"]
FormatName = Literal["email", "phone", "postal_code", "ssn", "iban", "date"]
"""Well-known value formats (defined in :mod:`mlaudit.data._formats`)."""
_DEFAULT_FORMATS: tuple[ReportFormat, ...] = ("html", "json")


class Settings(BaseSettings):
    """Process-wide settings, overridable with ``MLAUDIT_<NAME>`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="MLAUDIT_", extra="ignore")

    batch_size: int = Field(default=262_144, gt=0, description="rows per Arrow batch")
    sample_size: int = Field(default=20_000, gt=0, description="rows kept in the seeded sample")
    category_cap: int = Field(default=10_000, gt=0, description="exact category counts up to")
    progress: bool = Field(default=True, description="show progress bars on a terminal")
    threads: int | None = Field(
        default=None,
        gt=0,
        description="worker threads of a scan (default: the CPU count, between 2 and 8)",
    )

    def __init__(self, **values: Any) -> None:
        # A bad MLAUDIT_* variable is a usage error naming the variable, not a traceback.
        try:
            super().__init__(**values)
        except ValidationError as exc:
            problems = [
                f"MLAUDIT_{'_'.join(map(str, e['loc'])).upper()}={e.get('input')!r}: "
                + e["msg"].removeprefix("Value error, ")
                for e in exc.errors()
            ]
            raise ConfigError(
                "invalid environment variable: " + "; ".join(problems),
                fix="correct or unset it (see docs/configuration.md, Environment variables)",
            ) from None


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SqlConfig(_Strict):
    """A SQL query on a SQLAlchemy URL."""

    url: str
    query: str


class DataConfig(_Strict):
    """Where one input comes from."""

    path: str | None = None
    sql: SqlConfig | None = None
    format: Literal["csv", "tsv", "parquet", "jsonl", "arrow"] | None = None
    encoding: str = "utf-8"
    separator: str | None = Field(default=None, min_length=1, max_length=1)
    """CSV field separator (``"\\t"`` for a tab); default: detected."""
    decimal: Literal[".", ","] | None = None
    """CSV decimal mark; default: detected (``,`` only with a ``;``, tab or ``|`` separator)."""
    quote: str | None = Field(default=None, min_length=1, max_length=1)
    header: bool | None = None
    """Whether the first CSV line names the columns; default: detected."""
    null_values: list[str] | None = None
    """Strings read as missing in a CSV (default: empty, NA, NULL, NaN, ...)."""
    missing_markers: list[str] = Field(default_factory=list)
    """Values read as missing in every column of this input, whatever its format (CSV,
    Parquet, SQL): text compared after stripping surrounding whitespace (``' ?'`` matches
    ``'?'``); markers that read as numbers (``-999``) also apply to numeric columns."""
    skip_initial_space: bool = False
    """Strip the space after each CSV separator (``a, b``) from values and names."""
    rename_duplicates: bool = False
    """Suffix repeated CSV column names (``NAME_2``) with a warning instead of an error."""

    def csv_options(self) -> dict[str, Any] | None:
        """The CSV reading options that were set, or None when none was."""
        keys = ("separator", "decimal", "quote", "header", "null_values")
        out: dict[str, Any] = {k: getattr(self, k) for k in keys if getattr(self, k) is not None}
        out |= {k: True for k in ("skip_initial_space", "rename_duplicates") if getattr(self, k)}
        return out or None

    @field_validator("sql")
    @classmethod
    def _one_source(cls, v: SqlConfig | None, info: Any) -> SqlConfig | None:
        if v is not None and info.data.get("path") is not None:
            raise ValueError("give either 'path' or 'sql', not both")
        return v


class ColumnConfig(_Strict):
    """Declarations about one column (``schema.columns.NAME``)."""

    missing_markers: list[str | float] = Field(default_factory=list)
    """Values of this column read as missing in both inputs (numbers for numeric columns,
    e.g. ``[99999]``; text compared after stripping surrounding whitespace)."""


class SchemaConfig(_Strict):
    """Declared column roles and types; anything not declared is inferred."""

    target: str | None = None
    prediction: str | None = None
    score: str | None = None
    sensitive: list[str] = Field(default_factory=list)
    id: list[str] = Field(default_factory=list)
    timestamp: str | None = None
    ignore: list[str] = Field(default_factory=list)
    personal: list[str] = Field(default_factory=list)
    types: dict[str, str] = Field(default_factory=dict)
    columns: dict[str, ColumnConfig] = Field(default_factory=dict)
    """Per-column declarations, e.g. ``{capital_gain: {missing_markers: [99999]}}``."""
    formats: dict[str, FormatName] = Field(default_factory=dict)
    """Column → its well-known format (``contact: email``), checked by
    ``quality.format_validity``; without it a format is inferred from the column's name."""
    challenger_prediction: str | None = None
    """A challenger model's predicted class (or value) column, compared with the audited model
    by ``performance.challenger``; kept out of the other checks."""
    challenger_score: str | None = None
    """A challenger model's score column (the positive class's probability)."""
    score_threshold: float | None = None
    """Score at which a row is predicted positive when there is no prediction column; any real
    number (deciles 1–10, logits, points).  Default: 0.5 for probabilities; none otherwise."""
    score_direction: ScoreDirection = "higher_is_positive"
    """``higher_is_positive``: a score at or above the threshold predicts the positive class;
    ``higher_is_negative`` (e.g. a credit score, positive = default): a score below it does."""
    grade: str | None = None
    """Rating grade column (e.g. ``rating``: A, B, C or 1–10): ``performance.rating_grades``
    back-tests the default rate per grade against the mean predicted probability, and shows the
    grades' migration from reference to current (row by row when an ``id`` column is declared).
    The column keeps its own role (a feature, usually); a grade the data lacks skips the check."""
    class_scores: dict[str, str] = Field(default_factory=dict)
    """A multiclass model's probability of each class: class label → column (``{setosa:
    p_setosa, versicolor: p_versicolor, virginica: p_virginica}``), read by
    ``performance.metrics`` for the one-vs-rest ROC AUC and the log loss; without a prediction
    column the predicted class is the most probable one.  The columns are kept out of the
    feature checks.  With ``--model`` a multiclass model's ``model_proba_<class>`` columns are
    declared here by themselves."""
    class_score_prefix: str | None = Field(default=None, min_length=1)
    """Columns named ``<prefix><class>`` hold the probability of ``<class>`` (``proba_`` for
    ``proba_setosa``, ``proba_versicolor``...): added to ``class_scores``, whose explicit
    entries win."""

    @field_validator("score_threshold")
    @classmethod
    def _finite_threshold(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("score_threshold must be a finite number")
        return v

    @field_validator("class_scores")
    @classmethod
    def _one_column_per_class(cls, v: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for label, column in v.items():
            if column in seen:
                raise ValueError(
                    f"column {column!r} is declared for the classes {seen[column]!r} and {label!r}"
                )
            seen[column] = label
        return v


class WindowConfig(_Strict):
    """How monitoring cuts the data into windows: by a timestamp and a period, or by rows."""

    every: Literal["hour", "day", "week", "month"] | None = None
    rows: int | None = Field(default=None, gt=0)
    column: str | None = None
    """Timestamp column; default: the schema's timestamp column."""
    min_rows: int = Field(default=100, gt=0)
    """Windows with fewer rows are listed but not judged."""

    @model_validator(mode="after")
    def _one_kind(self) -> WindowConfig:
        if (self.rows is None) == (self.every is None):
            raise ValueError("set exactly one of 'every' (hour, day, week, month) or 'rows'")
        return self


class OutputConfig(_Strict):
    """Where and how the reports are written."""

    dir: str = "mlaudit-report"
    formats: list[ReportFormat] = Field(default_factory=lambda: list(_DEFAULT_FORMATS))
    fail_on: FailOn = "fail"


class FairnessConfig(_Strict):
    """Declarations every fairness check reads (``fairness:``), below the checks' own options.

    The same data give different disparate-impact figures under different declarations, so
    they are set once for the audit and recorded with every fairness result.
    """

    favourable: str | None = None
    """The favourable outcome (e.g. "0" for a risk model's 'no default'); default 1/True."""
    reference_group: str | None = None
    """"largest", "best_rate" or a group's name (fairness.group_metrics)."""
    min_group_size: int | None = Field(default=None, ge=1)
    """Groups with fewer rows are insufficient evidence (default 30)."""
    intersections: bool | None = None
    """Also compare the groups of each pair of sensitive attributes."""
    positive_label: str | None = None
    """The class a score is the probability of (default 1/True)."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score at which the positive class is predicted, when there is no prediction column."""
    population: str | None = None
    """Audit only the rows this SQL condition keeps (e.g. "age >= 18"); stated in every
    fairness result with the rows it kept."""

    @field_validator("population")
    @classmethod
    def _parse_population(cls, value: str | None) -> str | None:
        from mlaudit._population import population_filter

        if value is None or not value.strip():
            return None
        population_filter(value)  # a ValueError names the problem and the fix
        return value.strip()


class AuditConfig(_Strict):
    """An audit as written in ``audit.yaml``.

    ``checks`` maps a check id to its options (``{}`` for defaults, ``false`` to turn it off);
    the suite adds its own checks with default options, and ``exclude`` removes ids.
    """

    version: Literal[1] = 1
    title: str = "Model audit"
    current: DataConfig
    reference: DataConfig | None = None
    schema_: SchemaConfig = Field(default_factory=SchemaConfig, alias="schema")
    suite: Literal["data_quality", "drift", "full", "none"] = "full"
    checks: dict[str, dict[str, Any] | bool] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)
    seed: int = 0
    sample_size: int | None = Field(default=None, gt=0)
    output: OutputConfig = Field(default_factory=OutputConfig)
    windows: WindowConfig | None = None
    """Cut the current (and reference) data into windows for the checks over time."""
    history: list[str] = Field(default_factory=list)
    """Saved profiles of earlier periods (files, or folders of ``*.profile`` files), oldest
    first, for ``quality.metric_history``."""
    model: str | None = None
    """A model file to audit (.skops, .onnx, XGBoost .json/.ubj, LightGBM .txt); its outputs
    become the prediction and score columns of both inputs."""
    trust_model: bool = False
    """Load model formats that can run code when loaded (pickle, joblib, skops files with
    types outside skops' defaults); the report records that one was."""
    model_format: Literal["skops", "onnx", "xgboost", "lightgbm", "pickle", "joblib"] | None = None
    """The model file's format, when its name and first bytes do not tell it."""
    challenger: str | None = None
    """A second model file, compared with the audited one on the same rows
    (``performance.challenger``); loaded as ``model`` is, its outputs added as the columns
    ``challenger_prediction`` and ``challenger_score``."""
    fairness: FairnessConfig = Field(default_factory=FairnessConfig)
    """Declarations of the fairness checks (docs/fairness.md)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, protected_namespaces=()
    )


def fairness_config(value: FairnessConfig | Mapping[str, Any] | None) -> FairnessConfig:
    """``value`` as fairness declarations (``Audit(fairness=...)``).

    Raises
    ------
    ConfigError
        A declaration is invalid (the message names it and says why).
    """
    if isinstance(value, FairnessConfig):
        return value
    try:
        return FairnessConfig.model_validate(dict(value or {}))
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, source="fairness"),
            fix="see docs/fairness.md for the declarations",
        ) from None


def format_validation_error(err: ValidationError, *, source: str) -> str:
    """Turn a pydantic error into one line per problem: where, what, and the value given."""
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"])
        if not where:  # a rule across options: its message names them
            lines.append(f"{source}: {e['msg'].removeprefix('Value error, ')}")
        elif e["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key '{where}'")
        else:
            given = e.get("input")
            shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
            msg = e["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: '{where}': {msg}{shown}")
    return "\n".join(lines)


_DATA_SUFFIXES = frozenset(
    {".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".arrow", ".feather"}
    | {".ipc", ".gz", ".zst", ".bz2", ".xz", ".zip", ".xlsx", ".xls", ".db", ".sqlite"}
)


def _parse(path: Path) -> Any:
    return load_mapping_file(
        path,
        "configuration file",
        fix="check the indentation and quoting near the line named above",
    )


def load_config(path: str | Path) -> AuditConfig:
    """Read an audit configuration file (YAML or TOML) and validate it.

    Relative data paths, saved history profiles and the report folder are resolved against
    the configuration file's directory.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"configuration file {str(p)!r} does not exist",
            fix="pass the path of an audit.yaml, or use --current DATA without a file",
        )
    if p.suffix.lower() in _DATA_SUFFIXES:
        raise ConfigError(
            f"{str(p)!r} looks like a data file, not a configuration file",
            fix=f"to audit it without a configuration, pass it as data: --current {p}",
        )
    raw = _parse(p)
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{p} must hold a mapping of keys (current, reference, schema, checks...)",
            fix="see docs/configuration.md for an example",
        )
    for key in ("current", "reference"):
        if isinstance(raw.get(key), str):
            raw[key] = {"path": raw[key]}
        if isinstance(raw.get(key), dict) and isinstance(raw[key].get("path"), str):
            data_path = Path(raw[key]["path"])
            if not data_path.is_absolute():
                raw[key]["path"] = str(p.parent / data_path)
    if isinstance(raw.get("model"), str) and not Path(raw["model"]).is_absolute():
        raw["model"] = str(p.parent / raw["model"])
    if isinstance(raw.get("history"), list):  # saved profiles are relative to the file too
        raw["history"] = [
            str(p.parent / h) if isinstance(h, str) and not Path(h).is_absolute() else h
            for h in raw["history"]
        ]
    if isinstance(raw.get("challenger"), str) and not Path(raw["challenger"]).is_absolute():
        raw["challenger"] = str(p.parent / raw["challenger"])
    output = raw.get("output")
    if output is None or isinstance(output, dict):
        # the report folder, given or default, is relative to the file too (as documented)
        out_dir = (output or {}).get("dir", OutputConfig().dir)
        if isinstance(out_dir, str) and not Path(out_dir).is_absolute():
            raw["output"] = {**(output or {}), "dir": str(p.parent / out_dir)}
    try:
        return AuditConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, source=str(p)),
            fix="see docs/configuration.md for the keys and their types",
        ) from None
