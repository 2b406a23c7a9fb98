"""The check contract, the context checks read, and the registry of checks by id.

A check is a frozen pydantic model holding its configuration (columns, thresholds).  Its
``compute(ctx)`` reads the :class:`CheckContext` (profiles, schema, bounded sample) and returns
one :class:`~mlaudit.results.CheckResult` or a list of them (one per column).  Checks do no I/O.
The math lives in pure functions beside the check or in :mod:`mlaudit.stats`.
"""

from __future__ import annotations

import importlib
import threading
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, TypeVar

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mlaudit.data import Role, Schema
from mlaudit.errors import ConfigError
from mlaudit.models import Model
from mlaudit.results import CheckResult, Severity, Status, Threshold
from mlaudit.summary import DatasetProfile, ScanPlan, WindowedData

__all__ = [
    "Check",
    "CheckContext",
    "check_class",
    "check_ids",
    "list_checks",
    "register",
]


_T = TypeVar("_T")


@dataclass
class CheckContext:
    """What checks may read: computed once per run, shared by every check."""

    current: DatasetProfile
    schema: Schema
    reference: DatasetProfile | None = None
    reference_schema: Schema | None = None
    seed: int = 0
    current_windows: WindowedData | None = None
    """The current data cut into windows (profiles and model rows), when the audit has them."""
    reference_windows: WindowedData | None = None
    """The reference cut the same way (for control limits and calibration), when available."""
    history: list[tuple[str, DatasetProfile]] = field(default_factory=list)
    """Profiles of earlier periods (label, profile), oldest first, when the audit has them."""
    model: Model | None = None
    """The audited model (``--model``), reading the current data's columns, when there is one;
    its outputs are also the prediction and score columns of both inputs."""
    model_samples: dict[str, pl.DataFrame] = field(default_factory=dict)
    """With a model: each input's seeded sample of whole rows as read (``"current"``,
    ``"reference"``): the model's features unmasked, the target, the model's outputs and
    ``__row__``; the same rows as the profile's sample.  In memory only: a check may run the
    model on it, and must never put a personal value from it in a result."""
    progress: Any = None
    """The audit's progress reporter (``start``/``advance``/``finish`` by key), for a check whose
    own work is long (a time-boxed search); None when the audit shows no progress."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Work shared by several checks, by key (filled through :meth:`shared`)."""
    _locks: dict[str, threading.Lock] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _guard: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def shared(self, key: str, compute: Callable[[], _T]) -> _T:
        """``extras[key]``, computed by ``compute()`` by the first check that asks for it.

        Checks run side by side: a second check asking for the same key waits for the first
        one's value instead of computing it again.
        """
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self.extras:
                self.extras[key] = compute()
            value: _T = self.extras[key]
            return value


class Check(BaseModel):
    """Base class of every check.

    Subclasses set ``id``, ``family``, ``title``, ``why`` and ``severity`` as class variables,
    declare their options as fields, and implement :meth:`compute`.  ``needs_reference`` checks
    are skipped when the audit has no reference data.  ``scan_plan`` lets a check ask the scan
    for extra work (patterns, rules, keys) before the data is read.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    id: ClassVar[str]
    family: ClassVar[str]
    title: ClassVar[str]
    why: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.MEDIUM
    needs_reference: ClassVar[bool] = False
    needs_windows: ClassVar[bool] = False
    """The check reads a profile per window (``ctx.current_windows[...].profile``)."""
    needs_model: ClassVar[bool] = False
    """The check runs the model object (``ctx.model``); skipped when the audit has none."""
    needs_rows: ClassVar[bool] = False
    """The check reads the model columns row by row (``ctx.current_windows.rows``)."""
    row_roles: ClassVar[frozenset[Role]] = frozenset()
    """Columns of these roles are kept row by row beside the model columns (``needs_rows``
    checks only): the sensitive attributes, for the fairness checks."""
    cost: ClassVar[int] = 1
    """Relative work on large data, for scheduling only: checks run side by side, costlier
    ones started first so that the threads finish together (longest first)."""
    reads: ClassVar[frozenset[str]] = frozenset({"distinct", "duplicates"})
    """Optional profile parts the check reads: ``"distinct"`` (distinct counts beyond the
    category cap) and ``"duplicates"`` (row and key hashes).  The scan computes a part only when
    some check of the audit reads it; a check that needs neither says ``frozenset()``."""
    controls: ClassVar[tuple[str, ...]] = ()

    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = (("warn", "fail"),)
    """Options ``(lower, upper)`` that must be in order when both are set: a warn limit above
    its fail limit would make the check fail what it never warned about.  Pairs naming an
    option the check does not have are ignored."""
    limits_apply_with: ClassVar[str | None] = None
    """The option without which the fail limit is never used (``quality.value_range``'s
    ``bounds``): when it is empty, the warn limit alone counts and is not ordered."""

    columns: list[str] | None = Field(default=None, min_length=1)
    """Columns to check; None means every column the check applies to."""

    @model_validator(mode="after")
    def _limits_in_order(self) -> Self:
        if self.limits_apply_with is not None and not getattr(self, self.limits_apply_with):
            return self
        for low, high in self.limit_pairs:
            a, b = getattr(self, low, None), getattr(self, high, None)
            if isinstance(a, int | float) and isinstance(b, int | float) and a > b:
                raise ValueError(_disorder(low, a, high, b, self.model_fields_set))
        return self

    @abstractmethod
    def compute(self, ctx: CheckContext) -> CheckResult | list[CheckResult]:
        """Run the check on ``ctx``; return one result or one per column."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Return ``plan`` extended with what this check needs from the scan (default: nothing)."""
        return plan

    def row_columns(self) -> frozenset[str]:
        """Columns this configured check also reads row by row (``needs_rows`` checks only),
        beside the model columns and :attr:`row_roles` (e.g. a population filter's)."""
        return frozenset()

    # -- helpers for subclasses -------------------------------------------------------------

    def result(
        self,
        status: Status,
        message: str,
        *,
        column: str | None = None,
        metrics: dict[str, float | int | None] | None = None,
        threshold: Threshold | None = None,
        **extra: Any,
    ) -> CheckResult:
        """Build a result carrying this check's id, family, title, severity and controls."""
        return CheckResult(
            id=self.id,
            family=self.family,
            title=self.title,
            status=status,
            severity=extra.pop("severity", self.severity),
            column=column,
            metrics=metrics or {},
            threshold=threshold,
            message=message,
            why=extra.pop("why", self.why),
            controls=list(extra.pop("controls", self.controls)),
            params=self.model_dump(exclude_none=True),
            **extra,
        )

    def skipped(self, reason: str, *, column: str | None = None) -> CheckResult:
        """A ``skipped`` result that says why."""
        return self.result(Status.SKIPPED, reason, column=column)

    def target_columns(self, ctx: CheckContext, candidates: list[str]) -> list[str]:
        """Restrict ``candidates`` to ``self.columns`` when given, checking the names exist."""
        if self.columns is None:
            return candidates
        missing = [c for c in self.columns if c not in ctx.schema]
        if missing:
            raise ConfigError(
                f"check {self.id!r} names column(s) {missing} that the data does not have",
                fix=f"use one of: {', '.join(ctx.schema.names[:20])}",
            )
        return [c for c in self.columns if c in candidates] if candidates else list(self.columns)


def _disorder(low: str, a: float, high: str, b: float, given: set[str]) -> str:
    """Why ``low`` above ``high`` is refused, saying which of the two is a default."""
    shown = [
        f"'{n}' ({v:g}{'' if n in given else ', its default'})" for n, v in [(low, a), (high, b)]
    ]
    return (
        f"{shown[0]} is above {shown[1]}: the check would fail before it warns; "
        f"set '{low}' at or below '{high}'"
    )


_REGISTRY: dict[str, type[Check]] = {}
C = TypeVar("C", bound=type[Check])


def register(cls: C) -> C:
    """Class decorator: make a check available by its id."""
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise ValueError(f"two checks share the id {cls.id!r}")
    _REGISTRY[cls.id] = cls
    return cls


def _load_all() -> None:
    # Importing a check's module registers it.
    from mlaudit.checks._index import CHECK_MODULES

    for module in sorted(set(CHECK_MODULES.values())):
        importlib.import_module(module)


def check_ids() -> list[str]:
    """Every check id, sorted, without importing the checks' modules."""
    from mlaudit.checks._index import CHECK_MODULES

    return sorted(CHECK_MODULES)


def list_checks() -> list[type[Check]]:
    """Every registered check class, sorted by id."""
    _load_all()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def check_class(check_id: str) -> type[Check]:
    """The check class registered as ``check_id``; a clear error naming close ids otherwise.

    Only the module of that check is imported (see :mod:`mlaudit.checks._index`).
    """
    from mlaudit.checks._index import CHECK_MODULES

    if check_id not in _REGISTRY:
        if check_id in CHECK_MODULES:
            importlib.import_module(CHECK_MODULES[check_id])
        else:
            _load_all()
    try:
        return _REGISTRY[check_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(check_id, list(_REGISTRY), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "run 'mlaudit checks' to list ids"
        raise ConfigError(f"unknown check id {check_id!r}", fix=hint) from None
