"""Checks by family (``quality``, ``drift``, ``performance``), registered by id.

The public API is the check contract: subclass :class:`Check`, implement ``compute``, and
:func:`register` it.  Declare options with the typed values (``warn: Share = 0.05``,
``alpha: Alpha = 0.01``) so a value outside its meaning is a configuration error.  Each check
lives in the module of its family named in ``checks/_index.py``; an audit imports only the
modules of the checks it runs.
"""

from mlaudit.checks._base import (
    Check,
    CheckContext,
    check_class,
    check_ids,
    list_checks,
    register,
)
from mlaudit.checks._options import (
    Alpha,
    Bounds,
    Count,
    NonNegative,
    Positive,
    PositiveCount,
    PsiLimits,
    Share,
    ShareLimits,
)

__all__ = [
    "Alpha",
    "Bounds",
    "Check",
    "CheckContext",
    "Count",
    "NonNegative",
    "Positive",
    "PositiveCount",
    "PsiLimits",
    "Share",
    "ShareLimits",
    "check_class",
    "check_ids",
    "list_checks",
    "register",
]
