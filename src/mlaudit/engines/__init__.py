"""Engines: turn a data source into profiles, batch by batch (local: polars / Arrow streaming).

:func:`profile` makes the two passes of a whole-data profile; :func:`scan_windows` cuts the data
into windows (a profile per window and the model's columns per row).
"""

from mlaudit.engines._local import BatchSource, profile
from mlaudit.engines._windows import MAX_WINDOWS, model_columns, scan_windows, window_columns

__all__ = [
    "MAX_WINDOWS",
    "BatchSource",
    "model_columns",
    "profile",
    "scan_windows",
    "window_columns",
]
