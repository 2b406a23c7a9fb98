"""mlaudit.checks.drift: has the data changed since the reference?

The checks are imported one module at a time, when an audit runs them
(:mod:`mlaudit.checks._index`); importing this package registers none of them.
"""
