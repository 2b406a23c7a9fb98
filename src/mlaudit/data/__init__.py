"""Data access (:class:`Dataset`), schema inference and comparison, content fingerprints."""

from mlaudit.data._dialect import CsvDialect, CsvOptions
from mlaudit.data._files import ROW_COLUMN
from mlaudit.data._fingerprint import (
    fingerprint_batches,
    fingerprint_file,
    fingerprint_files,
    fingerprint_frame,
)
from mlaudit.data._formats import FORMATS, format_by_name, format_valid, value_shape
from mlaudit.data._markers import (
    KNOWN_MARKERS,
    MissingMarkers,
    apply_missing_markers,
    is_sentinel_like,
    marker_text,
    normalise_marker,
)
from mlaudit.data._names import placeholder_names
from mlaudit.data._schema import SchemaComparison, SchemaOverrides, compare_schemas, infer_schema
from mlaudit.data._sources import Dataset, DerivedColumns
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.data._windows import WindowSpec, timestamps_us, window_keys, window_label

__all__ = [
    "FORMATS",
    "KNOWN_MARKERS",
    "ROW_COLUMN",
    "ColumnSchema",
    "ColumnType",
    "CsvDialect",
    "CsvOptions",
    "Dataset",
    "DerivedColumns",
    "MissingMarkers",
    "Role",
    "Schema",
    "SchemaComparison",
    "SchemaOverrides",
    "WindowSpec",
    "apply_missing_markers",
    "compare_schemas",
    "fingerprint_batches",
    "fingerprint_file",
    "fingerprint_files",
    "fingerprint_frame",
    "format_by_name",
    "format_valid",
    "infer_schema",
    "is_sentinel_like",
    "marker_text",
    "normalise_marker",
    "placeholder_names",
    "timestamps_us",
    "value_shape",
    "window_keys",
    "window_label",
]
