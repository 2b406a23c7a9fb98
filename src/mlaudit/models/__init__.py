"""mlaudit.models."""
