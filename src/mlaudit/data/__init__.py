"""Data access (:class:`Dataset`), schema inference and comparison, content fingerprints."""

from mlaudit.data.fingerprint import (
    fingerprint_batches,
    fingerprint_file,
    fingerprint_files,
    fingerprint_frame,
)
from mlaudit.data.schema import SchemaComparison, SchemaOverrides, compare_schemas, infer_schema
from mlaudit.data.sources import Dataset
from mlaudit.data.types import ColumnSchema, ColumnType, Role, Schema

__all__ = [
    "ColumnSchema",
    "ColumnType",
    "Dataset",
    "Role",
    "Schema",
    "SchemaComparison",
    "SchemaOverrides",
    "compare_schemas",
    "fingerprint_batches",
    "fingerprint_file",
    "fingerprint_files",
    "fingerprint_frame",
    "infer_schema",
]
