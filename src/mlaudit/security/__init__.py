"""mlaudit.security."""
