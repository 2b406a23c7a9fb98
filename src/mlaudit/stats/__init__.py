"""mlaudit.stats."""
