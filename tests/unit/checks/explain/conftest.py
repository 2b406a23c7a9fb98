"""Shared by the explanation tests: the model libraries run on one thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import threadpoolctl


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    """scikit-learn's own threads fight the test workers' on a busy machine."""
    with threadpoolctl.threadpool_limits(limits=1):
        yield
