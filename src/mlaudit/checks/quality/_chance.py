"""What chance alone gives when a current sample is compared with a reference sample.

The reference-based quality checks ask whether a finding (values beyond the reference's
extremes, values never seen there, a higher missing or duplicate share) is more than two
samples of the same population would show.  Three small, exact or textbook computations:

* :func:`all_in_current_p`: under exchangeability (both samples drawn from one population), the
  probability that ``k`` given values of the pooled ``n + m`` all fall in the current sample.
* :func:`increase_p`: one-sided pooled two-proportion z test that a share rose.
* :func:`expected_duplicates`: duplicate rows expected among ``n`` rows drawn independently from
  a set of possible rows with a given collision probability.
"""

from __future__ import annotations

import math

from mlaudit.checks._format import format_share

__all__ = ["all_in_current_p", "expected_duplicates", "increase_p", "rise_finding"]


def all_in_current_p(k: int, n: int, m: int) -> float:
    """Probability that ``k`` chosen values of ``n + m`` exchangeable ones all lie in the ``m``.

    With ``n`` reference and ``m`` current values drawn from one continuous distribution,
    every split of the pooled values is equally likely, so the ``k`` largest pooled values are
    all current with probability ``C(m, k) / C(n + m, k) = prod_{i<k} (m - i) / (n + m - i)``.
    That is the p-value of "``k`` current values lie above the reference maximum" (the event
    "at least ``k`` beyond" is exactly "the ``k`` largest are all current").  For ``k = 1`` it
    is ``m / (n + m)``: about one half for two halves, so one value beyond an extreme is no
    evidence.  Ties (whole numbers) make values beyond less likely, so the p-value is then
    conservative.  The same formula gives the chance that a category seen ``k`` times in the
    pooled data was seen only in the current sample.
    """
    if k <= 0:
        return 1.0
    if k > m:
        return 0.0
    log_p = sum(math.log((m - i) / (n + m - i)) for i in range(k))
    return math.exp(log_p)


def increase_p(x_cur: float, n_cur: int, x_ref: float, n_ref: int) -> float:
    """One-sided p-value that the share ``x_cur / n_cur`` is above ``x_ref / n_ref``.

    Pooled two-proportion z test: ``z = (p1 - p0) / sqrt(p (1 - p) (1/n_cur + 1/n_ref))`` with
    ``p`` the pooled share, p-value ``P(Z >= z)``.  Returns 1 when either sample is empty or the
    pooled share is 0 or 1 (no variation: no evidence of a change).
    """
    if n_cur <= 0 or n_ref <= 0:
        return 1.0
    pooled = (x_cur + x_ref) / (n_cur + n_ref)
    var = pooled * (1.0 - pooled) * (1.0 / n_cur + 1.0 / n_ref)
    if var <= 0.0:
        return 1.0
    z = (x_cur / n_cur - x_ref / n_ref) / math.sqrt(var)
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def expected_duplicates(n: int, collision: float) -> float:
    """Rows expected to repeat an earlier row among ``n`` rows, by chance.

    ``collision`` is the probability that two independent rows are identical.  The possible rows
    are replaced by ``d = 1 / collision`` equally likely ones (the uniform set with the same
    collision probability), and the expected number of distinct rows among ``n`` draws,
    ``d (1 - (1 - 1/d)^n)``, is subtracted from ``n``.  For small ``n * collision`` this is
    about ``n (n - 1) / 2 * collision``, the expected number of identical pairs.
    """
    if n <= 1 or collision <= 0.0:
        return 0.0
    if collision >= 1.0:
        return float(n - 1)
    d = 1.0 / collision
    distinct = d * -math.expm1(n * math.log1p(-collision))
    return max(float(n) - distinct, 0.0)


def rise_finding(rise: float, p: float, limit: float) -> str:
    """How a significant rise above a limit reads in a message (after the observed shares)."""
    return (
        f": a rise of {format_share(rise)} of rows (one-sided p = {p:.2g}), above the "
        f"{format_share(limit)} limit on a rise."
    )
