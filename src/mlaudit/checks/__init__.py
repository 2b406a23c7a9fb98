"""Checks by family (``quality``, ``drift``, ``performance``), registered by id.

The public API is the check contract: subclass :class:`Check`, implement ``compute``, and
:func:`register` it.  Each check lives in the module of its family named in
``checks/_index.py``; an audit imports only the modules of the checks it runs.
"""

from mlaudit.checks._base import (
    Check,
    CheckContext,
    check_class,
    check_ids,
    list_checks,
    register,
)

__all__ = ["Check", "CheckContext", "check_class", "check_ids", "list_checks", "register"]
