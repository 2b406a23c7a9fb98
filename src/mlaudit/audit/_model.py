"""A model in an audit: its outputs appended to the data as columns, as the data streams.

With ``--model``, each batch of each input goes through the model and gets the model's outputs
as new columns (``model_prediction``; ``model_score``, the positive class's probability, for a
binary classifier; ``model_proba_<class>`` per class for a multiclass one).  The declared
prediction and score become those columns, so every check of the predictions-only path audits
the model unchanged, and the model sees one batch at a time, never the whole table.

A batch is predicted once: the outputs are kept (about 16 bytes a row for a binary model, up to
:data:`CACHE_ROWS` rows) so the passes that read the data again (histograms, the windows of the
model's columns) reuse them; beyond that they are predicted again on each pass.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from mlaudit.config import SchemaConfig
from mlaudit.data import ROW_COLUMN, Dataset
from mlaudit.errors import ConfigError, SchemaError
from mlaudit.models import Model, Predictions
from mlaudit.results import ModelRecord
from mlaudit.summary import row_priorities

__all__ = [
    "CACHE_ROWS",
    "CHALLENGER",
    "PREDICTION",
    "SCORE",
    "AttachedModels",
    "BothColumns",
    "ModelColumns",
    "bind_model",
    "model_record",
    "with_challenger_roles",
    "with_model_roles",
]

PREDICTION = "model_prediction"
SCORE = "model_score"
PROBA = "model_proba_"
CHALLENGER = "challenger"
"""Prefix of the challenger model's columns (``challenger_prediction``, ``challenger_score``)."""
CACHE_ROWS = 20_000_000
"""Rows whose outputs are kept for the passes that read the data again."""


@dataclass
class AttachedModels:
    """The models of one run: bound to the current data, and as the report records them."""

    model: Model | None = None
    records: list[ModelRecord] = field(default_factory=list)
    samples: dict[str, ModelColumns] = field(default_factory=dict)
    """Each input's model columns, by input name, holding its in-memory sample of rows."""
    challenger: Model | None = None
    """The challenger model (``--challenger``), bound to the current data, when there is one."""

    def sample_frames(self) -> dict[str, pl.DataFrame]:
        """Each input's sample of whole rows (after the scan has read it)."""
        return {k: c.sample for k, c in self.samples.items() if c.sample is not None}


class ModelColumns:
    """The model's outputs for each batch (a :class:`mlaudit.data.DerivedColumns`)."""

    def __init__(
        self,
        model: Model,
        *,
        positive: str | None = None,
        prefix: str = "model",
        keep: Sequence[str] = (),
        sample_size: int = 0,
        seed: int = 0,
    ) -> None:
        self.model = model
        self.prefix = prefix
        """Start of the added columns' names: ``model`` (the audited model), ``challenger``."""
        self._keep = [*model.features, *(c for c in keep if c not in model.features)]
        self._sample_size = sample_size
        self._seed = seed
        self.sample: pl.DataFrame | None = None
        """Seeded sample of whole rows as read (the model's features, ``keep``, the model's
        outputs), the rows of the profile's sample: in memory only, for the checks that run
        the model; personal values stay unmasked here, so nothing of it is saved."""
        self._sample_keys: np.ndarray | None = None
        self._sampled = 0
        self.inputs: list[str] = list(model.features)
        values = np.asarray(getattr(model, "class_values", np.arange(len(model.info.classes))))
        self.class_values = values
        self.positive = _positive_index(model, positive)
        self.fields: list[pa.Field] = _fields(model, values, prefix)
        self._chunks: list[list[pa.Array]] = []
        self._end = 0
        self._lock = threading.Lock()

    @property
    def positive_class(self) -> str | None:
        """The class whose probability is the score (binary models)."""
        return self.model.info.classes[self.positive] if self.model.task == "binary" else None

    @property
    def columns(self) -> dict[str, str]:
        """What each added column holds → its name."""
        pre = self.prefix
        out = {"prediction": f"{pre}_prediction"}
        if self.model.task == "binary":
            out["score"] = f"{pre}_score"
        elif self.model.task == "multiclass":
            out |= {f"probability of {c}": f"{pre}_proba_{c}" for c in self.model.info.classes}
        return out

    def __call__(self, batch: pa.RecordBatch, offset: int) -> list[pa.Array]:
        n = batch.num_rows
        with self._lock:
            if offset + n <= self._end:
                return [pa.chunked_array(c).slice(offset, n).combine_chunks()
                        for c in zip(*self._chunks, strict=True)]  # fmt: skip
        arrays = self._arrays(self.model.predict_batch(batch))
        with self._lock:
            if offset == self._end and self._end + n <= CACHE_ROWS:
                self._chunks.append(arrays)
                self._end += n
            if offset == self._sampled and set(self._keep) <= set(batch.schema.names):
                self._add_to_sample(batch, arrays, offset)
        return arrays

    def _add_to_sample(self, batch: pa.RecordBatch, arrays: list[pa.Array], offset: int) -> None:
        """Keep the batch's rows of lowest priority (bottom-k, as the profile's sample)."""
        self._sampled = offset + batch.num_rows
        k = self._sample_size
        if k <= 0:
            return
        rows = np.arange(offset, offset + batch.num_rows, dtype=np.int64)
        keys = row_priorities(rows, self._seed)
        pick = np.argpartition(keys, k - 1)[:k] if keys.size > k else np.arange(keys.size)
        pick = np.sort(pick)
        table = batch.select(self._keep)
        for f, a in zip(self.fields, arrays, strict=True):
            table = table.append_column(f, a)
        part = pl.from_arrow(table.take(pa.array(pick)))
        assert isinstance(part, pl.DataFrame)
        part = part.insert_column(0, pl.Series(ROW_COLUMN, rows[pick]))
        if self.sample is not None and self._sample_keys is not None:
            part = pl.concat([self.sample, part], how="vertical_relaxed")
            keys = np.concatenate([self._sample_keys, keys[pick]])
        else:
            keys = keys[pick]
        if part.height > k:
            best = np.sort(np.argpartition(keys, k - 1)[:k])
            part, keys = part[best], keys[best]
        self.sample, self._sample_keys = part, keys

    def _arrays(self, out: Predictions) -> list[pa.Array]:
        task = self.model.task
        if task == "regression":
            return [pa.array(out.label, type=pa.float64())]
        label = pa.array(self.class_values[out.label])
        arrays = [label.cast(self.fields[0].type)]
        if out.proba is None:
            if task == "binary":
                arrays.append(pa.nulls(len(out.label), pa.float64()))
            else:
                arrays += [pa.nulls(len(out.label), pa.float64()) for _ in self.fields[1:]]
            return arrays
        if task == "binary":
            return [*arrays, pa.array(out.proba[:, self.positive], type=pa.float64())]
        return [*arrays, *(pa.array(out.proba[:, k], type=pa.float64())
                           for k in range(out.proba.shape[1]))]  # fmt: skip


class BothColumns:
    """Two models' outputs appended side by side (the audited model's, then the challenger's)."""

    def __init__(self, first: ModelColumns, second: ModelColumns) -> None:
        self.parts = (first, second)
        self.inputs: list[str] = list(dict.fromkeys([*first.inputs, *second.inputs]))
        self.fields: list[pa.Field] = [*first.fields, *second.fields]

    def __call__(self, batch: pa.RecordBatch, offset: int) -> list[pa.Array]:
        return [a for part in self.parts for a in part(batch, offset)]


def _fields(model: Model, values: np.ndarray, prefix: str = "model") -> list[pa.Field]:
    if model.task == "regression":
        return [pa.field(f"{prefix}_prediction", pa.float64())]
    kind = pa.array(values).type
    label = pa.large_string() if pa.types.is_string(kind) else kind
    fields = [pa.field(f"{prefix}_prediction", label)]
    if model.task == "binary":
        return [*fields, pa.field(f"{prefix}_score", pa.float64())]
    return [*fields, *(pa.field(f"{prefix}_proba_{c}", pa.float64()) for c in model.info.classes)]


def _positive_index(model: Model, positive: str | None) -> int:
    classes = list(model.info.classes)
    if model.task != "binary":
        return -1
    if positive is None:
        return 1
    if positive not in classes:
        raise ConfigError(
            f"positive_label {positive!r} is not one of the model's classes ({', '.join(classes)})",
            fix="set positive_label to one of the model's classes",
        )
    return classes.index(positive)


def with_model_roles(schema: SchemaConfig, model: Model) -> SchemaConfig:
    """The declared schema with the model's outputs as the prediction and score columns (and,
    for a multiclass model, each class's probability column as ``class_scores``)."""
    if schema.prediction is not None or schema.score is not None:
        raise ConfigError(
            "the audit has a model and also declares prediction/score columns of the data",
            fix="drop schema.prediction and schema.score: the model's outputs take their place",
        )
    if schema.class_scores or schema.class_score_prefix is not None:
        raise ConfigError(
            "the audit has a model and also declares class probability columns of the data",
            fix="drop schema.class_scores and schema.class_score_prefix: the model's "
            "probabilities take their place",
        )
    update: dict[str, Any] = {"prediction": PREDICTION}
    if model.task == "binary":
        update["score"] = SCORE
    elif model.task == "multiclass":
        update["class_scores"] = {c: f"{PROBA}{c}" for c in model.info.classes}
    return schema.model_copy(update=update)


def with_challenger_roles(schema: SchemaConfig, challenger: Model) -> SchemaConfig:
    """The declared schema with the challenger's outputs as its prediction and score columns."""
    if schema.challenger_prediction is not None or schema.challenger_score is not None:
        raise ConfigError(
            "the audit has a challenger model and also declares challenger columns of the data",
            fix="drop schema.challenger_prediction and schema.challenger_score, or --challenger",
        )
    update: dict[str, Any] = {"challenger_prediction": f"{CHALLENGER}_prediction"}
    if challenger.task == "binary":
        update["challenger_score"] = f"{CHALLENGER}_score"
    return schema.model_copy(update=update)


def bind_model(model: Model, dataset: Dataset, schema: SchemaConfig) -> Model:
    """``model`` reading its features from ``dataset``: the ones it records, checked to be
    there, or, for a model that records none, the data's undeclared columns in order."""
    names = [n for n in dataset.arrow_schema.names if not n.startswith(("model_", "challenger_"))]
    if model.features:
        missing = [f for f in model.features if f not in names]
        if missing:
            raise SchemaError(
                f"the model reads column(s) the {dataset.name} data does not have: "
                f"{', '.join(missing[:10])}",
                fix="audit the data the model was built for, or rename those columns",
            )
        return model
    declared = _declared(schema)
    features = [n for n in names if n not in declared]
    expected = model.n_features
    if expected is not None and expected != len(features):
        raise SchemaError(
            f"the model reads {expected} unnamed features but the {dataset.name} data has "
            f"{len(features)} undeclared columns ({', '.join(features[:10])})",
            fix="declare the other columns (target, id, ignore) so the features remain, in the "
            "model's order",
        )
    return model.with_features(features)


def _declared(schema: SchemaConfig) -> set[str]:
    keep: Sequence[str | None] = (schema.target, schema.prediction, schema.score, schema.timestamp)
    keep = (*keep, schema.challenger_prediction, schema.challenger_score)
    return (
        {c for c in keep if c}
        | set(schema.id)
        | set(schema.ignore)
        | {*schema.class_scores.values()}
    )


def model_record(
    model: Model,
    columns: ModelColumns,
    data_columns: Sequence[str],
    schema: SchemaConfig,
    *,
    role: str = "model",
) -> ModelRecord:
    """The model as the report records it (``role``: ``model`` or ``challenger``)."""
    info = model.info
    declared = _declared(schema) | set(columns.columns.values())
    ignored = [c for c in data_columns if c not in info.features and c not in declared]
    return ModelRecord(
        role=role, source=info.source, format=info.format, fingerprint=info.fingerprint,
        model_type=info.model_type, task=info.task, classes=list(info.classes),
        features=list(info.features), ignored_columns=ignored, libraries=dict(info.libraries),
        trusted_format=info.trusted_format, untrusted_types=list(info.untrusted_types),
        columns=columns.columns, positive_class=columns.positive_class,
    )  # fmt: skip
