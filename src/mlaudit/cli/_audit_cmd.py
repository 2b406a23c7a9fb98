"""``mlaudit audit``: run an audit from a config file or from options, write the reports."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from mlaudit.audit import Audit
from mlaudit.cli._common import (
    CSV_OPTION_NAMES,
    NO_INPUT_OPTIONS,
    WINDOW_HELP,
    ModelFile,
    ScoreDirectionOpt,
    ScoreThresholdOpt,
    TrustModel,
    check_fail_on,
    exit_code_for,
    handle_errors,
    input_config,
    input_options,
    parse_window,
    print_summary,
    report_formats,
    score_schema,
    split_list,
    state,
)
from mlaudit.config import AuditConfig, format_validation_error, load_config
from mlaudit.errors import ConfigError
from mlaudit.report import write_reports

__all__ = ["audit"]


@handle_errors
@input_options
def audit(
    config: Annotated[
        Path | None, typer.Argument(help="audit.yaml or .toml; options below override it")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="baseline data (path)")] = None,
    current: Annotated[str | None, typer.Option(help="data to audit (path)")] = None,
    target: Annotated[str | None, typer.Option(help="label column")] = None,
    prediction: Annotated[str | None, typer.Option(help="predicted class column")] = None,
    score: Annotated[str | None, typer.Option(help="predicted score/probability column")] = None,
    score_threshold: ScoreThresholdOpt = None,
    score_direction: ScoreDirectionOpt = None,
    sensitive: Annotated[
        str | None, typer.Option(help="sensitive columns, comma-separated")
    ] = None,
    suite: Annotated[
        str | None,
        typer.Option(help="full | data_quality | drift (needs --reference) | none"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="directory for the reports")] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="html,json,md,junit (comma-separated)")
    ] = None,
    fail_on: Annotated[
        str | None, typer.Option(help="exit 1 on: fail (default) | warn | never")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="seed for samples and models")] = None,
    window: Annotated[str | None, typer.Option(help=WINDOW_HELP)] = None,
    timestamp: Annotated[str | None, typer.Option(help="timestamp column for --window")] = None,
    history: Annotated[
        str | None,
        typer.Option(help="saved profiles of earlier periods: a folder or comma-separated files"),
    ] = None,
    model: ModelFile = None,
    trust_model: TrustModel = False,
    model_format: Annotated[
        str | None, typer.Option(help="the model file's format when its name does not tell it")
    ] = None,
    challenger: Annotated[
        str | None,
        typer.Option(help="a second model file, compared with the audited one on the same rows"),
    ] = None,
    favourable: Annotated[
        str | None,
        typer.Option(
            help="the favourable outcome the fairness checks count (e.g. 0 for a risk model); "
            "default 1/True"
        ),
    ] = None,
    population: Annotated[
        str | None,
        typer.Option(help='audit fairness on the rows this SQL condition keeps, e.g. "age >= 18"'),
    ] = None,
    inputs: Mapping[str, Any] = NO_INPUT_OPTIONS,
) -> None:
    """Audit data and models: quality, drift and performance checks, reports, exit code."""
    check_fail_on(fail_on)
    cfg = _merge_config(config, {**locals(), **inputs})
    formats = report_formats(format, cfg.output.formats)
    out_dir = out or Path(cfg.output.dir)
    result = Audit.from_config(cfg, progress=not state["quiet"]).run()
    written = write_reports(result, out_dir, formats=formats)
    print_summary(result, written)
    raise typer.Exit(exit_code_for(result, fail_on or cfg.output.fail_on))


def _merge_config(path: Path | None, opts: dict[str, Any]) -> AuditConfig:
    """Load the config file if any and apply the command-line options on top."""
    if path is not None:
        base = load_config(path).model_dump(by_alias=True, exclude_unset=True)
    else:
        base = {}
        if not opts["current"]:
            raise ConfigError(
                "nothing to audit: give a config file or --current DATA",
                fix="mlaudit audit --current data.parquet [--reference ref.parquet]",
            )
    given = {k: opts[k] for k in CSV_OPTION_NAMES if opts[k] not in (None, False, "utf-8")}
    for key in ("current", "reference"):
        if opts[key]:
            base[key] = input_config(opts[key], opts).model_dump()
        elif isinstance(base.get(key), dict) and given and "sql" not in base[key]:
            merged = {**base[key], **given}
            base[key] = input_config(merged.pop("path"), merged).model_dump(exclude_unset=True)
    schema = dict(base.get("schema", {}))
    for role in ("target", "prediction", "score", "timestamp"):
        if opts[role]:
            schema[role] = opts[role]
    schema |= score_schema(opts["score_threshold"], opts["score_direction"])
    if opts["sensitive"]:
        schema["sensitive"] = split_list(opts["sensitive"])
    base["schema"] = schema
    if opts["suite"]:
        base["suite"] = opts["suite"]
    if opts["seed"] is not None:
        base["seed"] = opts["seed"]
    if opts["history"]:
        base["history"] = split_list(opts["history"])
    for key in ("model", "model_format", "challenger"):
        if opts[key]:
            base[key] = opts[key]
    if opts["trust_model"]:
        base["trust_model"] = True
    for key in ("favourable", "population"):
        if opts[key] is not None:
            base["fairness"] = {**base.get("fairness", {}), key: opts[key]}
    windows = parse_window(opts["window"])
    if windows is not None:
        base["windows"] = windows
    try:
        return AuditConfig.model_validate(base)
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, source="options"), fix="see 'mlaudit audit --help'"
        ) from None
