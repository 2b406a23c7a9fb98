"""``python -m mlaudit``."""

from mlaudit.cli import main

main()
