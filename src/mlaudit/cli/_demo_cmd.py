"""``mlaudit demo``: generate the bundled credit-scoring sample and audit it end to end."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

from mlaudit.audit import Audit
from mlaudit.cli._common import EXIT_OK, console, handle_errors, print_summary, shown, state
from mlaudit.config import load_config
from mlaudit.report import write_reports

__all__ = ["demo"]


@handle_errors
def demo(
    out: Annotated[Path, typer.Option(help="directory for the sample data and reports")] = Path(
        "mlaudit-demo"
    ),
    seed: Annotated[int, typer.Option(help="seed of the generated sample")] = 7,
) -> None:
    """Generate a credit-scoring sample with planted defects and drift, and audit it."""
    from mlaudit.datasets import write_credit_sample  # scikit-learn: imported on use

    data_dir = out / "data"
    if not state["quiet"]:
        console.print(f"Generating the credit-scoring sample in {shown(data_dir)} ...")
    write_credit_sample(data_dir, seed=seed)
    config_path = out / "audit.yaml"
    template = files("mlaudit.datasets").joinpath("credit_audit.yaml").read_text("utf-8")
    config_path.write_text(template, encoding="utf-8")
    cfg = load_config(config_path)
    result = Audit.from_config(cfg, progress=not state["quiet"]).run()
    written = write_reports(result, out / "report", formats=["html", "json", "md", "junit"])
    print_summary(result, written)
    if not state["quiet"]:
        console.print(
            "\nThe sample's planted defects and drift are listed in "
            f"{shown(data_dir / 'ground_truth.json')}; open {shown(written['html'])} in a browser "
            "to read the report."
        )
    raise typer.Exit(EXIT_OK)
