"""mlaudit.summary."""
