"""Mergeable summaries of data sets: build batch by batch, merge, serialise.

>>> from mlaudit.summary import profile_frame, merge, to_bytes, from_bytes  # doctest: +SKIP
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
