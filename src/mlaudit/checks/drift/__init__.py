"""mlaudit.checks.drift: has the data changed since the reference?"""

from mlaudit.checks.drift import (
    dataset,  # noqa: F401
    multivariate,  # noqa: F401
    over_time,  # noqa: F401
    pca,  # noqa: F401
    univariate,  # noqa: F401
)
