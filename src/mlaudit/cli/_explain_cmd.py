"""``mlaudit explain``: reason codes of one decision, or of every unfavourable decision."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from mlaudit.audit import explain_rows, export_reasons, make_progress
from mlaudit.checks.explain import RowReasons
from mlaudit.cli._common import (
    NO_INPUT_OPTIONS,
    ModelFile,
    TrustModel,
    console,
    handle_errors,
    input_config,
    input_options,
    shown,
    split_list,
    state,
)
from mlaudit.config import SchemaConfig
from mlaudit.errors import ConfigError

__all__ = ["explain"]


@handle_errors
@input_options
def explain(
    data: Annotated[str, typer.Argument(help="data file, directory or glob")],
    model: ModelFile = None,
    row_id: Annotated[
        list[str] | None,
        typer.Option(
            "--row-id",
            help="the row to explain: its value in the id column, or its position (0 first) "
            "without one; repeat for several",
        ),
    ] = None,
    id_column: Annotated[
        str | None, typer.Option(help="the column that identifies a row (default: inferred)")
    ] = None,
    favourable: Annotated[
        str | None,
        typer.Option(help="the favourable outcome, e.g. 0 for a risk model (default 1/True)"),
    ] = None,
    top: Annotated[int, typer.Option(help="reasons per decision at most", min=1)] = 4,
    export: Annotated[
        Path | None,
        typer.Option(
            help="write every unfavourable decision's reasons here (.csv or .parquet), "
            "personal values masked"
        ),
    ] = None,
    personal: Annotated[
        str | None, typer.Option(help="comma-separated columns holding personal data")
    ] = None,
    trust_model: TrustModel = False,
    seed: Annotated[int, typer.Option(help="seed of the model-agnostic explainer")] = 0,
    inputs: Mapping[str, Any] = NO_INPUT_OPTIONS,
) -> None:
    """Reason codes: the features that pushed a decision toward the unfavourable outcome.

    With --row-id, print the row's decision and its reasons; with --export, write the reasons
    of every unfavourable decision to a CSV or Parquet file (personal columns masked).
    """
    if model is None:
        raise ConfigError("explaining decisions needs the model", fix="add --model model.skops")
    if not row_id and export is None:
        raise ConfigError(
            "nothing to explain: name a row or ask for the export",
            fix="add --row-id ID (one decision) or --export reasons.csv (every unfavourable one)",
        )
    if row_id and export is not None:
        raise ConfigError(
            "--row-id prints one decision and --export writes every unfavourable one",
            fix="give one of them",
        )
    schema = SchemaConfig(personal=split_list(personal) if personal else [])
    options: dict[str, Any] = {
        "model": model,
        "id_column": id_column,
        "favourable": favourable,
        "top": top,
        "trust_model": trust_model,
        "schema": schema,
        "seed": seed,
    }
    source = input_config(data, inputs)
    if export is not None:
        with make_progress(not state["quiet"]) as bars:
            seen = [0]

            def tick(read: int, total: int | None) -> None:
                if not seen[0]:
                    bars.start("explain", "Explaining unfavourable decisions", total)
                bars.advance("explain", read - seen[0])
                seen[0] = read

            lines = export_reasons(export, source, progress=tick, **options)
            if seen[0]:
                bars.finish("explain")
        if not state["quiet"]:
            console.print(
                f"{lines:,} unfavourable decision(s) with their reasons written to {shown(export)}"
            )
        return
    for got in explain_rows(source, row_ids=list(row_id or []), **options):
        _print(got)


def _print(got: RowReasons) -> None:
    who = f"row {got.row}" + (f" (id {shown(got.row_id)})" if got.row_id is not None else "")
    if got.favourable:
        console.print(f"{who}: decision {shown(got.decision)}, favourable: no adverse reasons")
        return
    console.print(f"{who}: decision {shown(got.decision)}, unfavourable ({got.explainer})")
    if not got.reasons:
        console.print("  no feature pushed the decision toward the unfavourable outcome")
    for k, reason in enumerate(got.reasons, 1):
        console.print(f"  {k}. {shown(reason.text)}", highlight=False, soft_wrap=True)
