"""mlaudit.datasets."""
