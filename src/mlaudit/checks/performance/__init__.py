"""mlaudit.checks.performance: how well does the model do, over time and before labels arrive?"""

from mlaudit.checks.performance import (
    change_points,  # noqa: F401
    estimated,  # noqa: F401
    over_time,  # noqa: F401
)
