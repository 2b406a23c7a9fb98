"""Explainability checks: what drives the model, globally and for each decision, and how stable the explanations are."""
