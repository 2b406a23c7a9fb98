"""mlaudit.checks.quality."""
