"""mlaudit.store."""
