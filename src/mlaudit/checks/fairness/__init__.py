"""Fairness checks: group metrics with intervals, regulatory bias-audit tables, proxies."""
