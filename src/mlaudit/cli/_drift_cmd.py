"""``mlaudit drift``: the drift suite alone, reference against current."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from mlaudit.audit import Audit
from mlaudit.cli._common import (
    NO_INPUT_OPTIONS,
    WINDOW_HELP,
    ScoreDirectionOpt,
    ScoreThresholdOpt,
    check_fail_on,
    exit_code_for,
    handle_errors,
    input_config,
    input_options,
    parse_window,
    print_summary,
    report_formats,
    score_schema,
    state,
)
from mlaudit.report import write_reports

__all__ = ["drift"]


@handle_errors
@input_options
def drift(
    reference: Annotated[str, typer.Argument(help="baseline data, or a saved ref.profile")],
    current: Annotated[str, typer.Argument(help="data to compare with the baseline")],
    out: Annotated[Path, typer.Option(help="directory for the reports")] = Path("mlaudit-drift"),
    target: Annotated[str | None, typer.Option(help="label column")] = None,
    prediction: Annotated[str | None, typer.Option(help="predicted class column")] = None,
    score: Annotated[str | None, typer.Option(help="predicted score column")] = None,
    score_threshold: ScoreThresholdOpt = None,
    score_direction: ScoreDirectionOpt = None,
    format: Annotated[str | None, typer.Option("--format", help="html,json,md,junit")] = None,
    fail_on: Annotated[str, typer.Option(help="exit 1 on: fail | warn | never")] = "fail",
    seed: Annotated[int, typer.Option(help="seed for samples and models")] = 0,
    window: Annotated[str | None, typer.Option(help=WINDOW_HELP)] = None,
    timestamp: Annotated[str | None, typer.Option(help="timestamp column for --window")] = None,
    inputs: Mapping[str, Any] = NO_INPUT_OPTIONS,
) -> None:
    """Has the data drifted? Column by column and as a whole, with sound multiple testing."""
    check_fail_on(fail_on)
    formats = report_formats(format, ["html", "json"])
    schema = {"target": target, "prediction": prediction, "score": score, "timestamp": timestamp}
    opts = inputs
    audit = Audit(
        input_config(current, opts),
        reference=input_config(reference, opts),
        suite="drift",
        schema={k: v for k, v in schema.items() if v}
        | score_schema(score_threshold, score_direction),
        seed=seed,
        title="Drift report",
        windows=parse_window(window),
        progress=not state["quiet"],
    )
    result = audit.run()
    written = write_reports(result, out, formats=formats)
    print_summary(result, written)
    raise typer.Exit(exit_code_for(result, fail_on))
