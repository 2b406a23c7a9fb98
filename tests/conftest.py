"""Test-wide settings."""

from __future__ import annotations

import os
import tempfile

# Rich sizes its consoles when mlaudit.cli is first imported; a wide console keeps table cells
# and messages on one line so tests can search the printed text.
os.environ["COLUMNS"] = "250"

# Masks of personal values are keyed by a secret key (mlaudit._maskkey): tests use a fixed one,
# so reports are reproducible across runs and machines, and never create ~/.mlaudit.
os.environ["MLAUDIT_MASK_KEY"] = "6d6c61756469742d746573742d6d61736b2d6b65792d30303030303030303031"
os.environ.setdefault("MLAUDIT_HOME", os.path.join(tempfile.gettempdir(), "mlaudit-test-home"))
