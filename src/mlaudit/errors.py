"""The mlaudit exception tree and warnings.

Every error says what was wrong, the offending value where there is one, and how to fix it.
Each also subclasses the builtin a Python user would expect (``ValueError``, ``LookupError``...),
so ``except ValueError`` keeps working.  ``exit_code`` is what the command line returns for it.
"""

from __future__ import annotations

from mlaudit._secrets import redact

__all__ = [
    "ApproximationWarning",
    "CheckError",
    "ConfigError",
    "DataError",
    "DataSourceError",
    "ExtraNotInstalledError",
    "MLAuditError",
    "MLAuditWarning",
    "ModelError",
    "ReportError",
    "SchemaError",
    "UndefinedMetricWarning",
]


class MLAuditError(Exception):
    """Root of every error mlaudit raises on purpose.

    Parameters
    ----------
    message
        What was wrong, naming the offending value.
    fix
        What the user can do about it, in one sentence.
    """

    exit_code: int = 3

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        # Messages often quote a source or a setting: never let a credential through.
        message = redact(message)
        fix = None if fix is None else redact(fix)
        self.message = message
        self.fix = fix
        super().__init__(message if fix is None else f"{message}\nFix: {fix}")


class ConfigError(MLAuditError, ValueError):
    """The configuration or the command line asks for something invalid (exit code 2)."""

    exit_code = 2


class DataError(MLAuditError, ValueError):
    """The data cannot be used as given: empty, malformed, wrong types (exit code 3)."""


class DataSourceError(DataError):
    """A data source cannot be found, opened or parsed (exit code 3)."""


class SchemaError(DataError, LookupError):
    """A column is missing, duplicated or of an unusable type (exit code 3)."""


class ModelError(MLAuditError, RuntimeError):
    """A model cannot be loaded or fails to predict (exit code 3)."""


class CheckError(MLAuditError, RuntimeError):
    """A check cannot run on the data it was given (becomes an ``error`` result)."""


class ReportError(MLAuditError, RuntimeError):
    """A report cannot be written or read back (exit code 3)."""


class ExtraNotInstalledError(MLAuditError, ImportError):
    """An optional dependency is missing; the message names the extra to install (exit code 2)."""

    exit_code = 2

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the optional package {package!r}, which is not installed",
            fix=f"pip install 'mlaudit[{extra}]'",
        )


class MLAuditWarning(UserWarning):
    """Root of mlaudit's warnings."""


class UndefinedMetricWarning(MLAuditWarning):
    """A metric is undefined on this data (e.g. no positives in a group); its value is NaN."""


class ApproximationWarning(MLAuditWarning):
    """A figure comes from a sketch and carries an error bound instead of being exact."""
