"""mlaudit.report."""
