"""mlaudit.engines."""
