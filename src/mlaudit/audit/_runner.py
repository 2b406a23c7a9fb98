"""The audit runner: configuration → schema → scan plan → profiles → check results.

Data is read once per pass and summarised; every check reads the shared summaries.  A check
that crashes becomes an ``error`` result and the audit goes on; a mistake in the configuration
stops the audit before any data is read.
"""

from __future__ import annotations

import logging
import platform
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from mlaudit._maskkey import require_same_key
from mlaudit._secrets import RedactingFilter, redact_data
from mlaudit._warnings import capture_warnings
from mlaudit.audit._checks_run import run_checks
from mlaudit.audit._history import load_history
from mlaudit.audit._inputs import (
    Input,
    known_formats,
    open_dataset,
    open_inputs,
    overrides,
    scan,
)
from mlaudit.audit._model import (
    CHALLENGER,
    AttachedModels,
    BothColumns,
    ModelColumns,
    bind_model,
    model_record,
    with_challenger_roles,
    with_model_roles,
)
from mlaudit.audit._plan import build_checks, validate_columns
from mlaudit.audit._progress import NullProgress, ProgressReporter, make_progress
from mlaudit.audit._windows import cut_windows, profile_windows, window_config
from mlaudit.checks import Check, CheckContext
from mlaudit.config import (
    AuditConfig,
    FairnessConfig,
    SchemaConfig,
    Settings,
    WindowConfig,
    fairness_config,
)
from mlaudit.data import Dataset, Role, Schema, infer_schema
from mlaudit.models import load_model
from mlaudit.results import (
    AuditResult,
    CheckResult,
    InputInfo,
)
from mlaudit.suites import MODEL_CHECKS, require_reference
from mlaudit.summary import DatasetProfile, ScanPlan

__all__ = ["Audit", "open_dataset", "profile_data", "profile_windows", "run_checks"]

log = logging.getLogger("mlaudit")
log.addFilter(RedactingFilter())

_ENV_PACKAGES = ("polars", "pyarrow", "numpy", "scipy", "scikit-learn")


class Audit:
    """An audit of one data set, or of a current data set against a reference.

    Parameters
    ----------
    current
        The data to audit: a path, a pandas/polars/pyarrow frame, or a :class:`Dataset`.
    reference
        Optional baseline data (e.g. the training period) for comparisons.
    schema
        Declared roles and types (target, prediction, score, sensitive, id, ...).
    suite
        Preset of checks: ``"full"`` (default), ``"data_quality"`` or ``"none"``.
    checks
        Options per check id (``{"quality.completeness": {"warn": 0.1}}``); ``False`` turns a
        check off; ids outside the suite are added.
    extra_checks
        Ready-made :class:`~mlaudit.checks._base.Check` objects to run as well.
    seed
        Seed for every random choice (samples, models); same seed, same report.
    progress
        Show progress bars on a terminal, or a custom :class:`ProgressReporter`.
    windows
        Cut the data into windows for the checks over time: ``{"every": "week"}`` (by the
        timestamp column) or ``{"rows": 10000}``; see :class:`~mlaudit.config.WindowConfig`.
    history
        Saved profiles of earlier periods (paths, folders of ``*.profile`` files, or profiles),
        oldest first: ``quality.metric_history`` compares this period's figures with them.
    challenger
        A second model (a file or a fitted object, loaded as ``model`` is): its outputs become
        the columns ``challenger_prediction`` and ``challenger_score``, and
        ``performance.challenger`` compares it with the audited model on the same rows.
    fairness
        Declarations of the fairness checks (``{"favourable": "0"}``; see
        :class:`~mlaudit.config.FairnessConfig`), below each check's own options.

    Examples
    --------
    >>> from mlaudit import Audit
    >>> result = Audit("current.parquet", reference="reference.parquet").run()
    >>> result.summary.status
    <Status.FAIL: 'fail'>
    """

    def __init__(
        self,
        current: Any,
        *,
        reference: Any = None,
        schema: SchemaConfig | Mapping[str, Any] | None = None,
        suite: str = "full",
        checks: Mapping[str, Mapping[str, Any] | bool] | None = None,
        exclude: Sequence[str] = (),
        extra_checks: Sequence[Check] = (),
        seed: int = 0,
        sample_size: int | None = None,
        title: str = "Model audit",
        progress: bool | ProgressReporter = False,
        settings: Settings | None = None,
        config: dict[str, Any] | None = None,
        windows: WindowConfig | Mapping[str, Any] | None = None,
        history: Sequence[Any] = (),
        model: Any = None,
        trust_model: bool = False,
        model_format: str | None = None,
        challenger: Any = None,
        fairness: FairnessConfig | Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.current = current
        self.reference = reference
        if isinstance(schema, SchemaConfig):
            self.schema_config = schema
        else:
            self.schema_config = SchemaConfig.model_validate(dict(schema or {}))
        # The model is loaded before any data is read: a refused or corrupt file stops here.
        self.model = (
            None if model is None else load_model(model, trust=trust_model, format=model_format)
        )
        if self.model is not None:
            self.schema_config = with_model_roles(self.schema_config, self.model)
        self.challenger = None if challenger is None else load_model(challenger, trust=trust_model)
        if self.challenger is not None:
            self.schema_config = with_challenger_roles(self.schema_config, self.challenger)
        require_reference(suite, has_reference=reference is not None)
        self.history = list(history)
        if self.history and suite != "none":  # earlier periods given: compare with them
            checks = {"quality.metric_history": {}, **(checks or {})}
        if model is not None and suite != "none":  # a model given: audit the model itself
            checks = {**{i: {} for i in MODEL_CHECKS}, **(checks or {})}
        if _has_challenger(self.schema_config) and suite != "none":  # compare the two
            checks = {"performance.challenger": {}, **(checks or {})}
        fair = fairness_config(fairness)
        declared = fair.model_dump(exclude_none=True)
        self.checks = build_checks(
            suite, checks or {}, exclude=exclude, extra=extra_checks,
            defaults={  # the favourable outcome is also the one reason codes explain away from
                "fairness": declared,
                "explain": {k: v for k, v in declared.items() if k == "favourable"},
            },
        )  # fmt: skip
        self.seed = seed
        self.sample_size = sample_size or self.settings.sample_size
        self.title = title
        self.progress = progress
        if windows is None or isinstance(windows, WindowConfig):
            self.windows = windows
        else:
            self.windows = window_config(windows)
        self._config = (
            redact_data(config)
            if config
            else {
                "title": title,
                "suite": suite,
                "checks": dict(checks or {}),
                "exclude": list(exclude),
                "schema": self.schema_config.model_dump(exclude_defaults=True),
                "seed": seed,
                "sample_size": self.sample_size,
            }
        )
        if declared and config is None:
            self._config["fairness"] = declared
        if self.windows is not None and config is None:
            self._config["windows"] = self.windows.model_dump(exclude_none=True)

    @classmethod
    def from_config(cls, config: AuditConfig, **kwargs: Any) -> Audit:
        """Build an audit from a validated :class:`~mlaudit.config.AuditConfig`."""
        return cls(
            config.current,
            reference=config.reference,
            schema=config.schema_,
            suite=config.suite,
            checks=config.checks,
            exclude=config.exclude,
            seed=config.seed,
            sample_size=config.sample_size,
            title=config.title,
            windows=config.windows,
            history=config.history,
            model=config.model,
            trust_model=config.trust_model,
            model_format=config.model_format,
            challenger=config.challenger,
            fairness=config.fairness,
            config=config.model_dump(mode="json", by_alias=True, exclude_defaults=True),
            **kwargs,
        )

    # -- running -------------------------------------------------------------------------------

    def run(self) -> AuditResult:
        """Read the data, run every check and return the :class:`AuditResult`.

        The audit keeps no state between runs: calling ``run()`` again reads the inputs again
        and gives the same result (apart from run id and times).
        """
        started = _now()
        attached = AttachedModels()
        with self._progress() as progress, capture_warnings():
            inputs, checks = self._execute(progress, attached)
        return AuditResult(
            run_id=str(uuid.uuid4()),
            created_at=started,
            finished_at=_now(),
            mlaudit_version=_version("mlaudit"),
            inputs=inputs,
            models=attached.records,
            config=self._config,
            environment=_environment(),
            summary=AuditResult.summarise(checks),
            checks=checks,
        )

    @contextmanager
    def _progress(self) -> Iterator[ProgressReporter]:
        if isinstance(self.progress, bool):
            with make_progress(self.progress and self.settings.progress) as reporter:
                yield reporter
        else:
            yield self.progress

    def _execute(
        self, progress: ProgressReporter, attached: AttachedModels
    ) -> tuple[list[InputInfo], list[CheckResult]]:
        """Open → plan → scan → windows → checks; each step's values passed to the next.

        ``attached`` receives the model, bound to the current data, and its description when
        the audit has one.
        """

        def attach(dataset: Dataset) -> Dataset:
            return self._attach_model(dataset, attached)

        cur, ref = open_inputs(
            self.current,
            self.reference,
            schema=overrides(self.schema_config),
            prepare=attach if self.model is not None or self.challenger is not None else None,
        )
        validate_columns(self.checks, cur.schema)
        plan = self._plan(cur, ref)
        ref_profile = scan(ref, plan, progress, reference=None) if ref is not None else None
        cur_profile = scan(cur, plan, progress, reference=ref_profile)
        if ref_profile is not None:
            what = "the reference and the current data"
            require_same_key(ref_profile.mask_key_id, cur_profile.mask_key_id, what=what)
        cur_windows, ref_windows = cut_windows(
            self.checks, self.windows, (cur, cur_profile), ref, plan=plan, progress=progress
        )
        ctx = CheckContext(
            current=cur_profile,
            schema=cur.schema,
            reference=ref_profile,
            reference_schema=ref.schema if ref is not None else None,
            seed=self.seed,
            current_windows=cur_windows,
            reference_windows=ref_windows,
            history=load_history(self.history),
            model=attached.model,
            model_samples=attached.sample_frames(),
            progress=progress,
        )
        results = run_checks(self.checks, ctx, progress)
        inputs = [cur.info(cur_profile)]
        if ref is not None and ref_profile is not None:
            inputs.insert(0, ref.info(ref_profile))
        return inputs, results

    def _attach_model(self, dataset: Dataset, attached: AttachedModels) -> Dataset:
        """``dataset`` with the model's outputs appended as columns; the model bound to the
        current data is what the checks get."""
        if self.model is None:
            return self._attach_challenger(dataset, attached, None)
        model = bind_model(self.model, dataset, self.schema_config)
        target = self.schema_config.target
        columns = ModelColumns(
            model, keep=[target] if target else [], sample_size=self.sample_size, seed=self.seed
        )
        attached.samples[dataset.name] = columns
        if dataset.name == "current":
            names = dataset.arrow_schema.names
            attached.records = [model_record(model, columns, names, self.schema_config)]
            attached.model = model
        if self.challenger is not None:
            return self._attach_challenger(dataset, attached, columns)
        return dataset.with_derived(columns)

    def _attach_challenger(
        self, dataset: Dataset, attached: AttachedModels, first: ModelColumns | None
    ) -> Dataset:
        """``dataset`` with the challenger's outputs appended (after the model's, if any)."""
        assert self.challenger is not None
        challenger = bind_model(self.challenger, dataset, self.schema_config)
        columns = ModelColumns(challenger, prefix=CHALLENGER)
        if dataset.name == "current":
            names = dataset.arrow_schema.names
            record = model_record(challenger, columns, names, self.schema_config, role=CHALLENGER)
            attached.records = [*attached.records, record]
            attached.challenger = challenger
        return dataset.with_derived(columns if first is None else BothColumns(first, columns))

    def _plan(self, cur: Input, ref: Input | None) -> ScanPlan:
        personal = set(cur.schema.personal)
        if ref is not None:
            personal |= set(ref.schema.personal)
        plan = ScanPlan(
            sample_size=self.sample_size,
            category_cap=self.settings.category_cap,
            seed=self.seed,
            personal=frozenset(personal),
            keys=[(c.name,) for c in cur.schema.with_role(Role.ID)],
            distinct=any("distinct" in c.reads for c in self.checks),
            duplicates=any("duplicates" in c.reads for c in self.checks),
            formats=known_formats(cur.schema, self.schema_config.formats),
            declared_formats=frozenset(self.schema_config.formats),
            shapes=False,  # asked by the checks that read them (their scan_plan)
        )
        for check in self.checks:
            plan = check.scan_plan(plan)
        return plan


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "0+unknown"


def _environment() -> dict[str, str]:
    env = {"python": platform.python_version(), "platform": platform.system().lower()}
    env.update({p: _version(p) for p in _ENV_PACKAGES})
    return env


def profile_data(
    data: Any,
    *,
    schema: SchemaConfig | None = None,
    name: str = "current",
    seed: int = 0,
    settings: Settings | None = None,
    progress: ProgressReporter | None = None,
) -> tuple[Dataset, Schema, DatasetProfile]:
    """Open, infer the schema of, and profile one data set (both passes).

    See :func:`profile_windows` for the same data cut into windows (for a baseline).
    """
    settings = settings or Settings()
    declared = schema or SchemaConfig()
    given = overrides(declared)
    columns = {c: tuple(d.missing_markers) for c, d in given.columns.items()}
    dataset = open_dataset(data, name=name, columns=columns)
    inferred = infer_schema(dataset, overrides=given)
    plan = ScanPlan(
        sample_size=settings.sample_size,
        category_cap=settings.category_cap,
        seed=seed,
        personal=frozenset(inferred.personal),
        formats=known_formats(inferred, declared.formats),
        declared_formats=frozenset(declared.formats),
        correlations=True,  # a saved baseline carries the feature pairs to compare with
    )
    inp = Input(dataset.name, inferred, dataset=dataset)
    with capture_warnings():
        prof = scan(inp, plan, progress or NullProgress(), reference=None)
    return dataset, inferred, prof


def _has_challenger(schema: SchemaConfig) -> bool:
    """Whether the audit compares the model with a challenger (a file or declared columns)."""
    return schema.challenger_prediction is not None or schema.challenger_score is not None
