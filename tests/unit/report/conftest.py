"""Hand-built, realistic audit results for the renderer tests (no audit is run)."""

from __future__ import annotations

import math

import pytest

from mlaudit.results import (
    AuditResult,
    Bound,
    Cell,
    CheckResult,
    CurveDetail,
    DistributionDetail,
    ExamplesDetail,
    InputInfo,
    NoteDetail,
    SeriesDetail,
    Severity,
    Status,
    TableDetail,
    Threshold,
)

EVIL = "<script>alert('x')</script>"
UNICODE_COL = "revenu_annuel_€_日本"

SCHEMA = {
    "age": {"dtype": "int64", "type": "integer", "role": "feature", "personal": False,
            "inferred": True, "reason": "whole numbers"},
    "income": {"dtype": "double", "type": "numeric", "role": "feature", "personal": False,
               "inferred": True, "reason": "floats"},
    UNICODE_COL: {"dtype": "double", "type": "numeric", "role": "feature", "personal": False,
                  "inferred": False, "reason": "declared"},
    EVIL: {"dtype": "large_string", "type": "categorical", "role": "feature",
           "personal": False, "inferred": True, "reason": "few labels"},
    "email": {"dtype": "large_string", "type": "text", "role": "id", "personal": True,
              "inferred": True, "reason": "looks like e-mail addresses"},
    "default": {"dtype": "int64", "type": "boolean", "role": "target", "personal": False,
                "inferred": False, "reason": "declared"},
}  # fmt: skip

MISSING = {"age": 0.0, "income": 0.25, UNICODE_COL: 0.02, EVIL: 0.5, "email": 0.0, "default": 0.0}


def completeness(col: str, share: float) -> CheckResult:
    status = Status.FAIL if share > 0.2 else Status.WARN if share > 0.01 else Status.PASS
    return CheckResult(
        id="quality.completeness", family="quality", title="Values are present",
        status=status, severity=Severity.HIGH, column=col,
        metrics={"missing_share": share, "missing": round(share * 1000)},
        threshold=Threshold(metric="missing_share", direction="max", warn=0.01, fail=0.2),
        message=f"{share:.1%} of the values of {col} are missing",
        why="Missing values are imputed or dropped silently by many models.",
        controls=["EU-AI-ACT-10.3"],
    )  # fmt: skip


def make_result(columns: dict[str, dict[str, object]] | None = None) -> AuditResult:
    """A result with every kind of detail, an error, unicode and ``<script>`` column names."""
    schema = columns or SCHEMA
    missing = MISSING if columns is None else {c: (i % 7) / 20 for i, c in enumerate(columns)}
    checks = [completeness(c, s) for c, s in missing.items()]
    checks += [
        CheckResult(
            id="quality.required_columns", family="quality", title="Required columns are present",
            status=Status.FAIL, severity=Severity.HIGH,
            metrics={"required": 7, "missing": 1}, message="1 of 7 required columns is missing",
            details=[TableDetail(name="missing_columns", title="Missing columns",
                                 columns=["column", "rank"], rows=[["zeta", 3], ["alpha", 10],
                                                                   ["mid", 2]])],
        ),
        CheckResult(
            id="quality.duplicates", family="quality", title="No duplicated rows",
            status=Status.WARN, severity=Severity.LOW,
            metrics={"duplicate_share": 0.1 + 0.2, "undefined": math.nan,
                     "ratio": math.inf, "neg": -math.inf, "none": None},
            bounds={"duplicate_share": Bound(low=0.28, high=0.32, kind="error_bound",
                                             method="HLL sketch")},
            exact=False, message="about 30% of rows are duplicated",
            details=[ExamplesDetail(name="dup_rows", title="Duplicated rows",
                                    columns=["email", "age"], rows=[["***@***", 41],
                                                                    ["***@***", None]],
                                    masked_columns=["email"])],
        ),
        CheckResult(
            id="quality.value_range", family="quality", title="Values within range",
            status=Status.ERROR, severity=Severity.MEDIUM, column="age",
            message="check crashed: ValueError: could not compare <NA> & 'x'",
        ),
        CheckResult(
            id="drift.univariate", family="drift", title="Distribution is stable",
            status=Status.FAIL, severity=Severity.HIGH, column="income",
            metrics={"psi": 0.31, "ks_pvalue": 0.0004},
            bounds={"psi": Bound(low=0.25, high=0.37, kind="confidence_interval", level=0.95,
                                 method="bootstrap")},
            threshold=Threshold(metric="psi", direction="max", warn=0.1, fail=0.25),
            message="income drifted: PSI 0.31 > 0.25",
            details=[
                DistributionDetail(name="hist", column="income", edges=[0, 10, 20, 30, 40],
                                   counts={"reference": [10, 40, 30, 20],
                                           "current": [30, 30, 20, 20]}),
                SeriesDetail(name="psi_over_time", title="PSI per month", x_label="month",
                             y_label="PSI", x=["2024-01", "2024-02", "2024-03", "2024-04"],
                             series={"psi": [0.02, 0.05, 0.12, 0.31]},
                             lower={"psi": [0.01, 0.03, 0.09, 0.25]},
                             upper={"psi": [0.04, 0.08, 0.16, 0.37]},
                             limits={"warn": 0.1, "fail": 0.25}),
            ],
        ),
        CheckResult(
            id="drift.univariate", family="drift", title="Distribution is stable",
            status=Status.PASS, column=EVIL, metrics={"psi": 0.01},
            message="no drift",
            details=[DistributionDetail(name="cats", column=EVIL, categories=["a", "b", "<c>"],
                                        counts={"reference": [5, 3, 2], "current": [4, 4, 2]})],
        ),
        CheckResult(
            id="performance.roc", family="performance", title="Model discriminates",
            status=Status.PASS, metrics={"roc_auc_score": 0.8125},
            threshold=Threshold(metric="roc_auc_score", direction="min", warn=0.75, fail=0.7),
            message="ROC AUC 0.8125 ≥ 0.75",
            details=[
                CurveDetail(name="roc", title="ROC curve", x_label="false positive rate",
                            y_label="true positive rate",
                            curves={"model": {"x": [0, 0.1, 0.4, 1], "y": [0, 0.5, 0.9, 1]},
                                    "chance": {"x": [0, 1], "y": [0, 1]}}),
                NoteDetail(name="method", text="AUC by the trapezoidal rule <b>not bold</b>."),
            ],
        ),
        CheckResult(
            id="custom.thing", family="custom", title="A plug-in check", status=Status.SKIPPED,
            severity=Severity.INFO, message="no labels were given",
        ),
    ]  # fmt: skip
    n_rows = 1000
    return AuditResult(
        run_id="3f2a6c1e-0000-4000-8000-000000000001",
        created_at="2025-03-01T10:00:00Z",
        finished_at="2025-03-01T10:00:05Z",
        mlaudit_version="0.1.0",
        inputs=[
            InputInfo(name="reference", source="ref.parquet", format="parquet",
                      fingerprint="sha256:" + "a" * 64, rows=n_rows, columns=len(schema),
                      schema=schema),
            InputInfo(name="current", source="cur.parquet", format="parquet",
                      fingerprint="sha256:" + "b" * 64, rows=n_rows, columns=len(schema),
                      schema=schema),
        ],
        config={"suite": "full", "checks": {"quality.completeness": {"warn": 0.01}},
                "limit": math.inf},
        environment={"python": "3.11.9", "platform": "linux"},
        summary=AuditResult.summarise(checks),
        checks=checks,
    )  # fmt: skip


@pytest.fixture
def result() -> AuditResult:
    return make_result()


@pytest.fixture
def wide_result() -> AuditResult:
    """100 columns, one completeness result and one distribution per column."""
    cols = {
        f"feature_{i:03d}": {"dtype": "double", "type": "numeric", "role": "feature",
                             "personal": False, "inferred": True, "reason": ""}
        for i in range(100)
    }  # fmt: skip
    base = make_result(cols)
    drift = [
        CheckResult(
            id="drift.univariate", family="drift", title="Distribution is stable",
            status=Status.PASS, column=c, metrics={"psi": 0.01 * (i % 5)}, message="stable",
            details=[DistributionDetail(name="hist", column=c,
                                        edges=[float(e) for e in range(21)],
                                        counts={"reference": [float(i % 7 + k) for k in range(20)],
                                                "current": [float(i % 5 + k) for k in range(20)]})],
        )
        for i, c in enumerate(cols)
    ]  # fmt: skip
    checks = [*base.checks, *drift]
    return base.model_copy(update={"checks": checks, "summary": AuditResult.summarise(checks)})


def _hist(column: str, shift: int) -> DistributionDetail:
    ref = [1.0, 4.0, 10.0, 4.0, 1.0, 0.0, 0.0]
    cur = ref[-shift:] + ref[:-shift] if shift else ref
    return DistributionDetail(name="distribution", title=f"{column}: reference vs current",
                              column=column, edges=[float(e) for e in range(8)],
                              counts={"reference": ref, "current": cur})  # fmt: skip


def _drift_column(column: str, status: Status, effect: float, shift: int) -> CheckResult:
    return CheckResult(
        id="drift.univariate", family="drift", title="Column distributions match the reference",
        status=status, severity=Severity.HIGH, column=column,
        metrics={"effect_size": effect, "wasserstein_normalized": effect,
                 "drifted": int(status in (Status.WARN, Status.FAIL))},
        bounds={"effect_size": Bound(low=effect - 0.006, high=effect + 0.006)},
        exact=status is not Status.INCONCLUSIVE,
        threshold=Threshold(metric="effect_size", direction="max", warn=0.1, fail=0.3),
        message=f"{column}: {status.value}", details=[_hist(column, shift)],
        params={"role": "feature", "method_used": "ks"},
    )  # fmt: skip


def _over_time(column: str, status: Status, alerts: list[bool]) -> CheckResult:
    x = [f"2025-W{27 + i}" for i in range(len(alerts))]
    effects = [0.3 if a else 0.02 for a in alerts]
    rows: list[list[Cell]] = [
        [w, 500, None, None, e, "alert" if a else "ok"]
        for w, e, a in zip(x, effects, alerts, strict=True)
    ]
    return CheckResult(
        id="drift.over_time", family="drift", title="No column drifts in any window",
        status=status, column=column, metrics={"max_effect_size": max(effects)},
        message=f"{column} over time: {status.value}",
        details=[SeriesDetail(name="effect_over_time", title=f"{column}: effect per window",
                              x=x, series={"effect size": effects},
                              limits={"effect floor": 0.1}),
                 TableDetail(name="windows", title="windows",
                             columns=["window", "rows", "statistic", "p_value_adjusted",
                                      "effect_size", "verdict"], rows=rows)],
    )  # fmt: skip


DRIFT_PASSING = ["age", "tenure", "region"]


def make_drift_result() -> AuditResult:
    """A drift-only result: 2 drifted columns, 1 inconclusive, 3 passing; over-time for two."""
    checks = [
        _drift_column("age", Status.PASS, 0.02, 0),
        _drift_column("income", Status.FAIL, 2.0, 2),
        _drift_column("tenure", Status.PASS, 0.05, 0),
        _drift_column("balance", Status.INCONCLUSIVE, 0.1, 1),
        _drift_column("channel", Status.WARN, 0.2, 1),
        _drift_column("region", Status.PASS, 0.01, 0),
        CheckResult(id="drift.over_time", family="drift", title="No column drifts in any window",
                    status=Status.WARN, metrics={"windows": 4}, message="1 of 4 windows"),
        _over_time("income", Status.WARN, [False, True, True, False]),
        _over_time("age", Status.PASS, [False, False, False, False]),
    ]  # fmt: skip
    base = make_result()
    return base.model_copy(update={"checks": checks, "summary": AuditResult.summarise(checks)})
