"""Explainability checks: what drives the model, globally and for each decision.

:func:`reason_codes` gives each decision's reasons (the features that pushed it toward the
unfavourable outcome), for ``mlaudit explain`` and :func:`mlaudit.explain_rows`.
"""

from mlaudit.checks.explain._reasons import Reason, RowReasons, default_favourable, reason_codes

__all__ = ["Reason", "RowReasons", "default_favourable", "reason_codes"]
