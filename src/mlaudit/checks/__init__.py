"""mlaudit.checks."""
