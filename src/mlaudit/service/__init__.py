"""mlaudit.service."""
