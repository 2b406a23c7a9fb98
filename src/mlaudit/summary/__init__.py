"""Mergeable summaries of data sets: build batch by batch, merge, serialise, save as baselines.

>>> import polars as pl
>>> from mlaudit.data import infer_schema
>>> from mlaudit.summary import from_bytes, merge, profile_frame, to_bytes
>>> df = pl.DataFrame({"x": [1.0, 2.0, None, 4.0]})
>>> schema = infer_schema(df)
>>> both = merge(profile_frame(df[:2], schema), profile_frame(df[2:], schema))
>>> both.n_rows, both.columns["x"].null_count, both.columns["x"].numeric.max
(4, 1, 4.0)
>>> from_bytes(to_bytes(both)).columns["x"].null_count
1
"""

from mlaudit.summary._baseline import Baseline, is_baseline, load_baseline, save_baseline
from mlaudit.summary._build import ProfileBuilder, batch_profile, profile_frame
from mlaudit.summary._columns import (
    PADDING_KINDS,
    Extremes,
    histogram_from_sorted,
    outlier_counts_from_sorted,
    reference_over,
)
from mlaudit.summary._correlation import LEVEL_CAP, NUMERIC_CAP, Correlations
from mlaudit.summary._hashing import mask_strings
from mlaudit.summary._merge import merge
from mlaudit.summary._model import (
    CategoryCounts,
    ColumnSummary,
    DatasetProfile,
    FormatTally,
    Histogram,
    LengthTally,
    Moments,
    NumericSummary,
    OutlierCounts,
    ScanPlan,
    ShapeCounts,
    SpecialTally,
    TextSummary,
)
from mlaudit.summary._quantiles import QuantileSketch
from mlaudit.summary._sample import row_priorities
from mlaudit.summary._serialize import from_bytes, to_bytes
from mlaudit.summary._shapes import format_shape, learned_formats, shape_regex
from mlaudit.summary._strings import SPECIAL_KINDS, SYMBOLS, bucket_end
from mlaudit.summary._windows import ORDER, WINDOW, WINDOW_DTYPE, Window, WindowedData

__all__ = [
    "LEVEL_CAP",
    "NUMERIC_CAP",
    "ORDER",
    "PADDING_KINDS",
    "SPECIAL_KINDS",
    "SYMBOLS",
    "WINDOW",
    "WINDOW_DTYPE",
    "Baseline",
    "CategoryCounts",
    "ColumnSummary",
    "Correlations",
    "DatasetProfile",
    "Extremes",
    "FormatTally",
    "Histogram",
    "LengthTally",
    "Moments",
    "NumericSummary",
    "OutlierCounts",
    "ProfileBuilder",
    "QuantileSketch",
    "ScanPlan",
    "ShapeCounts",
    "SpecialTally",
    "TextSummary",
    "Window",
    "WindowedData",
    "batch_profile",
    "bucket_end",
    "format_shape",
    "from_bytes",
    "histogram_from_sorted",
    "is_baseline",
    "learned_formats",
    "load_baseline",
    "mask_strings",
    "merge",
    "outlier_counts_from_sorted",
    "profile_frame",
    "reference_over",
    "row_priorities",
    "save_baseline",
    "shape_regex",
    "to_bytes",
]
