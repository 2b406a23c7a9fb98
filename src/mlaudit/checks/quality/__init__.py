"""mlaudit.checks.quality."""

from mlaudit.checks.quality import (
    allowed_values,  # noqa: F401
    cardinality,  # noqa: F401
    completeness,  # noqa: F401
    constant,  # noqa: F401
    duplicate_keys,  # noqa: F401
    duplicate_rows,  # noqa: F401
    inconsistent_categories,  # noqa: F401
    mixed_types,  # noqa: F401
    outliers,  # noqa: F401
    over_time,  # noqa: F401
    pattern,  # noqa: F401
    required_columns,  # noqa: F401
    row_anomalies,  # noqa: F401
    row_count,  # noqa: F401
    rules,  # noqa: F401
    schema_match,  # noqa: F401
    type_conformance,  # noqa: F401
    value_range,  # noqa: F401
)
