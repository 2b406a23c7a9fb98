"""mlaudit.checks.quality.

The checks are imported one module at a time, when an audit runs them
(:mod:`mlaudit.checks._index`); importing this package registers none of them.
"""
