"""The "What changed" sentences, from hand-built results: every expected sentence is written out
from the numbers put into the results."""

from __future__ import annotations

from typing import Any

from mlaudit.report._drift_summary import effect_in_words, what_changed
from mlaudit.report._markdown import render_markdown
from mlaudit.results import AuditResult, Bound, CheckResult, Status, TableDetail

from .conftest import make_result


def _uni(column: str, status: Status, role: str = "feature", **kw: Any) -> CheckResult:
    method = kw.pop("method", "ks")
    metrics = kw.pop("metrics", {})
    return CheckResult(
        id="drift.univariate", family="drift", title="Column distributions match the reference",
        status=status, column=column, metrics=metrics, message=f"{column}: {status.value}",
        params={"role": role, "method_used": method}, **kw,
    )  # fmt: skip


def _numeric(column: str, status: Status, effect: float, role: str = "feature") -> CheckResult:
    metrics = {"effect_size": effect, "wasserstein_normalized": effect, "drifted": 0}
    if status in (Status.WARN, Status.FAIL):
        metrics["drifted"] = 1
    return _uni(column, status, role, metrics=metrics)


def _changes(rows: list[list[Any]]) -> TableDetail:
    return TableDetail(name="category_changes", columns=["category", "change",
                       "reference_count", "current_count"], rows=rows)  # fmt: skip


def _windows(verdicts: list[str]) -> TableDetail:
    rows: list[list[Any]] = [
        [f"2025-0{i + 1}", 100, 0.1, 0.01, 0.2, v] for i, v in enumerate(verdicts)
    ]
    return TableDetail(name="windows", columns=["window", "rows", "statistic",
                       "p_value_adjusted", "effect_size", "verdict"], rows=rows)  # fmt: skip


def _check(check_id: str, status: Status, column: str | None = None, **kw: Any) -> CheckResult:
    family = check_id.split(".")[0]
    message = kw.pop("message", f"{check_id} {status.value}")
    return CheckResult(id=check_id, family=family, title=check_id, status=status, column=column,
                       message=message, **kw)  # fmt: skip


def _result(checks: list[CheckResult]) -> AuditResult:
    base = make_result()
    return base.model_copy(update={"checks": checks, "summary": AuditResult.summarise(checks)})


def _full() -> AuditResult:
    channel = _uni("channel", Status.FAIL, method="chi2",
                   metrics={"effect_size": 0.47, "cramers_v": 0.47, "new_categories": 1,
                            "vanished_categories": 0, "drifted": 1},
                   details=[_changes([["partner", "new", 0, 310]])])  # fmt: skip
    checks = [
        _numeric("age", Status.PASS, 0.02),
        channel,
        _numeric("income", Status.FAIL, 11.0),
        _numeric("balance", Status.INCONCLUSIVE, 0.1),
        _numeric("score", Status.WARN, 0.4, role="score"),
        _numeric("default", Status.PASS, 0.01, role="target"),
        _check("drift.univariate", Status.SKIPPED, "prediction", params={"role": "prediction"}),
        _check("drift.multivariate", Status.FAIL,
               metrics={"auc": 0.83, "auc_low": 0.81, "auc_high": 0.85},
               bounds={"auc": Bound(low=0.81, high=0.85, kind="confidence_interval",
                                    level=0.95)},
               details=[TableDetail(name="drift_columns",
                                    columns=["column", "auc_drop", "auc_drop_std"],
                                    rows=[["income", 0.12, 0.01], ["channel", 0.05, 0.01],
                                          ["age", 0.0, 0.0]])]),
        _check("drift.pca", Status.PASS, metrics={"current_error": 1.02, "reference_error": 1.0,
                                                  "lower_limit": 0.9, "upper_limit": 1.1}),
        _check("drift.over_time", Status.WARN, metrics={"windows": 3}),
        _check("drift.over_time", Status.WARN, "income", details=[_windows(["ok", "alert", "ok"])],
               metrics={"max_effect_size": 0.2}),
        _check("drift.over_time", Status.FAIL, "channel",
               details=[_windows(["alert", "alert", "ok"])], metrics={"max_effect_size": 0.5}),
        _check("drift.over_time", Status.PASS, "age", details=[_windows(["ok", "ok", "ok"])]),
        _check("performance.over_time", Status.FAIL,
               message="roc_auc fell below its limits in 2 window(s), first 2025-02 (worst "
                       "0.61); lower control limit 0.7. Labels came late."),
        _check("performance.change_points", Status.PASS),
    ]  # fmt: skip
    return _result(checks)


def test_every_line_from_the_numbers() -> None:
    assert what_changed(_full()) == [
        # hand: 6 compared (prediction skipped); fail income (11) before fail channel (0.47),
        # then warn score; balance is inconclusive
        "3 of 6 compared columns drifted, most severe first: income: distribution shifted by "
        "11 standard deviations; channel: category shares changed (Cramér's V 0.47), new "
        "category 'partner'; score: distribution shifted by 0.4 standard deviations.",
        "1 column is inconclusive (the sketch's error bound covers a threshold; counted neither "
        "as drifted nor as clean): balance.",
        "Model outputs and target: the score 'score' drifted (distribution shifted by 0.4 "
        "standard deviations); the target 'default' did not drift.",
        "A domain classifier tells the two periods apart: ROC AUC 0.830 (95% interval "
        "0.810–0.850; 0.5 means indistinguishable), mostly by income and channel.",
        "The columns still move together as they did: the PCA reconstruction error 1.02 is "
        "within the control limits 0.9–1.1.",
        "Over time, 2 of 3 columns drifted in at least one window, first: channel in 2025-01; "
        "income in 2025-02.",
        "Performance: roc_auc fell below its limits in 2 window(s), first 2025-02 (worst 0.61).",
    ]


def test_quiet_periods() -> None:
    checks = [
        _numeric("age", Status.PASS, 0.02),
        _numeric("income", Status.PASS, 0.05),
        _check("drift.multivariate", Status.PASS,
               metrics={"auc": 0.502, "auc_low": 0.49, "auc_high": 0.514}),
        _check("drift.pca", Status.WARN, metrics={"current_error": 2.5, "reference_error": 1.0,
                                                  "lower_limit": 0.9, "upper_limit": 1.1}),
        _check("drift.over_time", Status.PASS, metrics={"windows": 4}),
        _check("drift.over_time", Status.PASS, "age", details=[_windows(["ok"] * 4)]),
        _check("performance.change_points", Status.PASS),
        _check("performance.estimated", Status.PASS),
    ]  # fmt: skip
    assert what_changed(_result(checks)) == [
        "None of the 2 compared columns drifted.",
        "A domain classifier cannot tell the two periods apart: ROC AUC 0.502 (95% interval "
        "0.490–0.514; 0.5 means indistinguishable).",
        "The columns no longer move together as they did: the PCA reconstruction error is 2.5 "
        "against 1 in the reference, above the control limits 0.9–1.1.",
        "Over time: no column drifted in any of the 4 windows.",
        "Performance: no finding (2 checks passed).",
    ]


def test_no_drift_result_no_summary() -> None:
    checks = [_check("performance.change_points", Status.FAIL, message="Errors rose.")]
    assert what_changed(_result(checks)) == []
    assert "What changed" not in render_markdown(_result(checks))


def test_more_than_five_drifted_columns_are_counted_not_listed() -> None:
    checks = [_numeric(f"c{i}", Status.WARN, 0.2 + i / 100) for i in range(7)]
    (line,) = what_changed(_result(checks))
    # larger effect first: c6 (0.26) ... c2 (0.22); c1 and c0 are "2 more"
    assert line == (
        "7 of 7 compared columns drifted, most severe first: "
        + "; ".join(f"c{i}: distribution shifted by 0.{20 + i} standard deviations"
                    for i in (6, 5, 4, 3, 2))
        + "; and 2 more."
    )  # fmt: skip


def test_effect_words_for_each_method() -> None:
    cats = _uni("k", Status.WARN, method="chi2",
                metrics={"cramers_v": 0.2, "new_categories": 5, "vanished_categories": 1},
                details=[_changes([["a", "new", 0, 1], ["b", "new", 0, 2], ["c", "new", 0, 3],
                                   ["d", "new", 0, 4], ["e", "new", 0, 5],
                                   ["z", "vanished", 9, 0]])])  # fmt: skip
    assert effect_in_words(cats) == (
        "category shares changed (Cramér's V 0.2), new categories 'a', 'b', 'c' and 2 more, "
        "vanished category 'z'"
    )
    psi = _uni("p", Status.WARN, method="psi", metrics={"psi": 0.314, "effect_size": 0.314})
    assert effect_in_words(psi) == "PSI 0.31"
    js = _uni("j", Status.WARN, method="js", metrics={"js_distance": 0.123, "psi": 0.5})
    assert effect_in_words(js) == "Jensen-Shannon distance 0.12"
    one = _numeric("o", Status.FAIL, 1.04)
    assert effect_in_words(one) == "distribution shifted by 1 standard deviation"
    big = _numeric("b", Status.FAIL, 1234.5)
    assert effect_in_words(big) == "distribution shifted by 1,234 standard deviations"
    # a result without method_used (an older report): read from the metrics it has
    old = CheckResult(id="drift.univariate", family="drift", title="t", status=Status.FAIL,
                      column="x", metrics={"psi": 0.31}, message="m")  # fmt: skip
    assert effect_in_words(old) == "PSI 0.31"


def test_markdown_repeats_the_lines_in_the_drift_section() -> None:
    md = render_markdown(_full())
    drift = md[md.index("## Drift") : md.index("## Model performance")]
    assert "**What changed**" in drift
    bullets = [ln for ln in drift.splitlines() if ln.startswith("- ")]
    assert len(bullets) == 7
    assert bullets[1] == (
        "- 1 column is inconclusive (the sketch's error bound covers a threshold; counted "
        "neither as drifted nor as clean): balance."
    )
    # inconclusive results have their own icon, and the family table lists fails first
    assert "| ❔ inconclusive | Column distributions match the reference" in drift
    rows = [ln for ln in drift.splitlines() if ln.startswith("| ") and "drift.univariate" in ln]
    assert [r.split(" | ")[2] for r in rows[:3]] == ["income", "channel", "score"]
