"""mlaudit.compliance."""
