"""Explainability checks: what drives the model, globally and for each decision."""
