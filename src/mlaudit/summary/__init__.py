"""Mergeable summaries of data sets: build batch by batch, merge, serialise.

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

from mlaudit.summary.build import ProfileBuilder, batch_profile, profile_frame
from mlaudit.summary.merge import merge
from mlaudit.summary.model import (
    CategoryCounts,
    ColumnSummary,
    DatasetProfile,
    Histogram,
    Moments,
    NumericSummary,
    OutlierCounts,
    ScanPlan,
    TextSummary,
)
from mlaudit.summary.serialize import from_bytes, to_bytes

__all__ = [
    "CategoryCounts",
    "ColumnSummary",
    "DatasetProfile",
    "Histogram",
    "Moments",
    "NumericSummary",
    "OutlierCounts",
    "ProfileBuilder",
    "ScanPlan",
    "TextSummary",
    "batch_profile",
    "from_bytes",
    "merge",
    "profile_frame",
    "to_bytes",
]
