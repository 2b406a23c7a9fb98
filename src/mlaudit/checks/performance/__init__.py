"""mlaudit.checks.performance: how well does the model do, over time and before labels arrive?

The checks are imported one module at a time, when an audit runs them
(:mod:`mlaudit.checks._index`); importing this package registers none of them.
"""
