"""``mlaudit demo``: generate the bundled credit-scoring sample and audit it end to end."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import typer

from mlaudit.audit import Audit, profile_data
from mlaudit.cli._common import EXIT_OK, console, handle_errors, print_summary, shown, state
from mlaudit.config import AuditConfig, load_config
from mlaudit.report import write_reports
from mlaudit.summary import Baseline, save_baseline

__all__ = ["demo"]


@handle_errors
def demo(
    out: Annotated[Path, typer.Option(help="directory for the sample data and reports")] = Path(
        "mlaudit-demo"
    ),
    seed: Annotated[int, typer.Option(help="seed of the generated sample")] = 7,
) -> None:
    """Generate a credit-scoring sample with planted defects and drift, and audit it."""
    from mlaudit.datasets import make_credit_sample, save_credit_sample  # scikit-learn: on use

    data_dir = out / "data"
    if not state["quiet"]:
        console.print(f"Generating the credit-scoring sample in {shown(data_dir)} ...")
    sample = make_credit_sample(seed=seed)
    save_credit_sample(sample, data_dir)
    config_path = out / "audit.yaml"
    template = files("mlaudit.datasets").joinpath("credit_audit.yaml").read_text("utf-8")
    config_path.write_text(template, encoding="utf-8")
    cfg = load_config(config_path)
    _write_history(sample, cfg, out / "history", seed)
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


def _write_history(sample: Any, cfg: AuditConfig, folder: Path, seed: int) -> None:
    """One saved profile per earlier quarter (``history/2023-Q3.profile`` ...), profiled with
    the audit's declared schema, as ``mlaudit profile`` would save them."""
    from mlaudit.datasets import history_frames

    truth = sample.ground_truth
    frames = history_frames(
        seed, sample.reference, sample.model, sample.feature_columns, truth.decision_threshold
    )
    folder.mkdir(parents=True, exist_ok=True)
    for label, frame in frames:
        dataset, schema, prof = profile_data(frame, schema=cfg.schema_, name=label, seed=cfg.seed)
        baseline = Baseline(prof, schema, f"{label}.parquet", dataset.fingerprint())
        save_baseline(folder / f"{label}.profile", baseline)
