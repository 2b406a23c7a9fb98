"""Test-wide settings."""

from __future__ import annotations

import os

# Rich sizes its consoles when mlaudit.cli is first imported; a wide console keeps table cells
# and messages on one line so tests can search the printed text.
os.environ["COLUMNS"] = "250"
