"""Operational checks: what the audited model costs to run, and what a smaller one would give."""
