"""``python -m mlaudit.cli``."""

from mlaudit.cli import main

main()
