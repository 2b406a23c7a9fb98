"""mlaudit.data."""
