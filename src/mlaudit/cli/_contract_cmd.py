"""``mlaudit contract suggest`` and ``mlaudit validate``: learned data contracts."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from mlaudit._atomic import write_file
from mlaudit.audit import Audit, open_dataset, profile_data
from mlaudit.cli._common import (
    NO_INPUT_OPTIONS,
    check_fail_on,
    console,
    exit_code_for,
    handle_errors,
    input_config,
    input_options,
    print_summary,
    report_formats,
    shown,
    state,
)
from mlaudit.data import infer_schema
from mlaudit.errors import ConfigError
from mlaudit.report import write_reports
from mlaudit.suites import contract_checks, dump_contract, load_contract, suggest_contract

__all__ = ["contract_app", "validate"]

contract_app = typer.Typer(help="Learn a data contract from reference data.", no_args_is_help=True)


@contract_app.command("suggest")
@handle_errors
@input_options
def suggest(
    data: Annotated[str, typer.Argument(help="reference data to learn the contract from")],
    out: Annotated[Path | None, typer.Option(help="write here instead of standard output")] = None,
    margin: Annotated[float, typer.Option(help="widen numeric ranges by this share")] = 0.1,
    max_categories: Annotated[int, typer.Option(help="list allowed values up to")] = 50,
    inputs: Mapping[str, Any] = NO_INPUT_OPTIONS,
) -> None:
    """Infer a data contract (types, nulls, ranges, categories, uniqueness) as YAML."""
    if not 0 <= margin <= 10:
        raise ConfigError(f"--margin {margin} is out of range", fix="use a share such as 0.1")
    dataset, schema, prof = profile_data(input_config(data, inputs))
    contract = suggest_contract(
        prof, schema, margin=margin, max_categories=max_categories, source=dataset.source
    )
    text = dump_contract(contract)
    if out is None:
        sys.stdout.write(text)
        return
    write_file(out, text, what="the contract")
    if not state["quiet"]:
        console.print(f"contract with {len(contract.columns)} columns written to {shown(out)}")


@handle_errors
@input_options
def validate(
    data: Annotated[str, typer.Argument(help="data to check")],
    contract: Annotated[Path, typer.Option(help="contract YAML (see 'contract suggest')")],
    out: Annotated[Path, typer.Option(help="directory for the reports")] = Path(
        "mlaudit-validation"
    ),
    format: Annotated[str | None, typer.Option("--format", help="html,json,md,junit")] = None,
    fail_on: Annotated[str, typer.Option(help="exit 1 on: fail | warn | never")] = "fail",
    inputs: Mapping[str, Any] = NO_INPUT_OPTIONS,
) -> None:
    """Check data against a data contract; exit 1 when it breaks the contract."""
    check_fail_on(fail_on)
    formats = report_formats(format, ["html", "json"])
    spec = load_contract(contract)
    declared = {c: tuple(k.missing_markers) for c, k in spec.columns.items() if k.missing_markers}
    dataset = open_dataset(input_config(data, inputs), name="current", columns=declared)
    present = set(infer_schema(dataset).names)
    audit = Audit(
        dataset,
        suite="none",
        checks=contract_checks(spec, present),
        title=f"Data contract validation: {contract.name}",
        progress=not state["quiet"],
    )
    result = audit.run()
    written = write_reports(result, out, formats=formats)
    print_summary(result, written)
    raise typer.Exit(exit_code_for(result, fail_on))
