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
    """Generate a credit-scoring sample with planted defects and drift, and audit it.

    Two audits run: the data with the model's stored outputs (``audit.yaml`` into ``report/``)
    and the model itself with a challenger, both saved with skops (``audit-model.yaml`` into
    ``report-model/``).
    """
    from mlaudit.datasets import (  # scikit-learn: on use
        make_credit_sample,
        save_credit_models,
        save_credit_sample,
    )

    data_dir = out / "data"
    if not state["quiet"]:
        console.print(f"Generating the credit-scoring sample in {shown(data_dir)} ...")
    sample = make_credit_sample(seed=seed)
    save_credit_sample(sample, data_dir)
    models = save_credit_models(sample, data_dir)
    cfg = load_config(_write_config(out / "audit.yaml", "credit_audit.yaml"))
    _write_history(sample, cfg, out / "history", seed)
    result = Audit.from_config(cfg, progress=not state["quiet"]).run()
    written = write_reports(result, out / "report", formats=["html", "json", "md", "junit"])
    print_summary(result, written)
    model_cfg = load_config(_write_config(out / "audit-model.yaml", "credit_model_audit.yaml"))
    if not state["quiet"]:
        console.print(
            f"\nAuditing the model itself ({shown(models['model'])}) against a challenger "
            f"({shown(models['challenger'])}) ..."
        )
    model_result = Audit.from_config(model_cfg, progress=not state["quiet"]).run()
    model_written = write_reports(
        model_result, out / "report-model", formats=list(model_cfg.output.formats)
    )
    print_summary(model_result, model_written)
    if not state["quiet"]:
        console.print(
            "\nThe sample's planted defects and drift are listed in "
            f"{shown(data_dir / 'ground_truth.json')}; open {shown(written['html'])} (the data "
            f"and the model's stored outputs) and {shown(model_written['html'])} (the model "
            "run over the data, against a challenger) in a browser to read the reports."
        )
    raise typer.Exit(EXIT_OK)


def _write_config(path: Path, template: str) -> Path:
    """Copy the packaged configuration ``template`` to ``path`` (paths in it are relative)."""
    text = files("mlaudit.datasets").joinpath(template).read_text("utf-8")
    path.write_text(text, encoding="utf-8")
    return path


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
