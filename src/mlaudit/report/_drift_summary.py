"""The "What changed" summary of the drift section, in plain words, from the results alone.

A reader of a drift report first wants the answer, not fifty cards: which columns moved and by
how much, whether a model can tell the two periods apart, whether the columns still move
together, whether the model's own outputs or the target moved, when the change began and what
it did to the model's performance.  :func:`what_changed` writes that as a few sentences (one
per question that the audit answered, at most seven), read from the results of
``drift.univariate``, ``drift.multivariate``, ``drift.pca``, ``drift.over_time`` and the
``performance`` family.  It reads only :class:`~mlaudit.results.AuditResult` fields (statuses,
metrics, ``params["role"]`` and ``params["method_used"]``, detail tables), never the checks.

Effect sizes in words: the normalised Wasserstein distance is the shift in reference standard
deviations (for a location shift W1 equals the shift), so it reads "distribution shifted by 0.5
standard deviations"; Cramér's V reads "category shares changed (Cramér's V 0.47)", with the
categories that are new in the current data; PSI and the Jensen–Shannon distance are named as
they are.
"""

from __future__ import annotations

import re

from mlaudit._numbers import finite_or_none
from mlaudit.report._format import in_report_order
from mlaudit.results import AuditResult, CheckResult, Status, TableDetail

__all__ = ["effect_in_words", "what_changed"]

_DRIFTED = (Status.WARN, Status.FAIL)
_COMPARED = (Status.PASS, Status.INCONCLUSIVE, Status.WARN, Status.FAIL)
_FINDINGS = (Status.ERROR, Status.FAIL, Status.WARN, Status.INCONCLUSIVE)
_LISTED = 5
_ROLES = (("target", "the target"), ("prediction", "the prediction"), ("score", "the score"))
_MAX_SENTENCE = 220


def _sig(v: float) -> str:
    """Two significant digits, without an exponent for ordinary sizes (11, 0.14, 1,234)."""
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.2g}"


def _quoted(names: list[str], total: int) -> str:
    shown = [f"'{n}'" for n in names[:3]]
    more = total - len(shown)
    return ", ".join(shown) + f" and {more} more" if more > 0 else _and(shown)


def _changed_categories(c: CheckResult, change: str) -> str:
    table = next(
        (d for d in c.details if isinstance(d, TableDetail) and d.name == "category_changes"), None
    )
    names = [str(r[0]) for r in table.rows if len(r) > 1 and r[1] == change] if table else []
    total = int(finite_or_none(c.metrics.get(f"{change}_categories")) or len(names))
    if not names:
        return ""
    word = "category" if total == 1 else "categories"
    return f", {change} {word} {_quoted(names, total)}"


def effect_in_words(c: CheckResult) -> str:
    """How much the column of a ``drift.univariate`` result changed, in words.

    Parameters
    ----------
    c
        A ``drift.univariate`` result; the method is read from ``params["method_used"]``, else
        guessed from the metrics present (results written before that parameter existed).

    Returns
    -------
    str
        E.g. ``distribution shifted by 0.5 standard deviations`` (normalised Wasserstein),
        ``category shares changed (Cramér's V 0.47), new category 'partner'``, ``PSI 0.31``.
    """
    m, method = c.metrics, c.params.get("method_used")
    effect = finite_or_none(m.get("effect_size"))
    w = finite_or_none(m.get("wasserstein_normalized"))
    v = finite_or_none(m.get("cramers_v"))
    if method in ("ks", "wasserstein") or (method is None and w is not None):
        size = effect if effect is not None else w
        if size is not None:
            text = _sig(size)
            unit = "standard deviation" if text == "1" else "standard deviations"
            return f"distribution shifted by {text} {unit}"
    if method in ("chi2", "g_test") or (method is None and v is not None):
        size = v if v is not None else effect
        if size is not None:
            return (
                f"category shares changed (Cramér's V {_sig(size)})"
                + _changed_categories(c, "new")
                + _changed_categories(c, "vanished")
            )
    for name, label in (("psi", "PSI"), ("js_distance", "Jensen-Shannon distance")):
        value = finite_or_none(m.get(name))
        if value is not None and (method in (None, name.split("_")[0])):
            return f"{label} {_sig(value)}"
    return f"effect size {_sig(effect)}" if effect is not None else "changed"


def _drifted(c: CheckResult) -> bool:
    """Drifted for certain: warn or fail, or inconclusive only about warn versus fail."""
    if c.status in _DRIFTED:
        return True
    return c.status is Status.INCONCLUSIVE and c.metrics.get("drifted") == 1


def _effect_part(c: CheckResult) -> str:
    undecided = " (whether it fails is inconclusive)" if c.status is Status.INCONCLUSIVE else ""
    return f"{c.column}: {effect_in_words(c)}{undecided}"


def _columns(uni: list[CheckResult]) -> list[str]:
    compared = [c for c in uni if c.status in _COMPARED]
    if not compared:
        return [f"No column could be compared for drift ({len(uni)} skipped or failed to run)."]
    drifted = [c for c in in_report_order(uni) if _drifted(c)]
    n = len(compared)
    if not drifted:
        lines = [f"None of the {n} compared columns drifted."]
    else:
        parts = [_effect_part(c) for c in drifted[:_LISTED]]
        more = len(drifted) - _LISTED
        lines = [
            f"{len(drifted)} of {n} compared columns drifted, most severe first: "
            + "; ".join(parts)
            + (f"; and {more} more" if more > 0 else "")
            + "."
        ]
    undecided = [
        c for c in in_report_order(uni) if c.status is Status.INCONCLUSIVE and not _drifted(c)
    ]
    if undecided:
        names = ", ".join(str(c.column) for c in undecided[:_LISTED])
        more = len(undecided) - _LISTED
        word = "column is" if len(undecided) == 1 else "columns are"
        lines.append(
            f"{len(undecided)} {word} inconclusive (the sketch's error bound covers a threshold; "
            f"counted neither as drifted nor as clean): {names}"
            + (f" and {more} more" if more > 0 else "")
            + "."
        )
    return lines


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _roles(uni: list[CheckResult]) -> list[str]:
    parts, calm = [], []
    for role, label in _ROLES:
        for c in uni:
            if c.params.get("role") != role or c.status not in _COMPARED:
                continue
            if _drifted(c):
                parts.append(f"{label} '{c.column}' drifted ({effect_in_words(c)})")
            elif c.status is Status.INCONCLUSIVE:
                parts.append(f"{label} '{c.column}' is inconclusive")
            else:
                calm.append(f"{label} '{c.column}'")
    if calm:
        parts.append(f"{_and(calm)} did not drift")
    return [f"Model outputs and target: {'; '.join(parts)}."] if parts else []


def _classifier(c: CheckResult) -> str | None:
    auc, lo, hi = (finite_or_none(c.metrics.get(k)) for k in ("auc", "auc_low", "auc_high"))
    if c.status not in _COMPARED or auc is None or lo is None or hi is None:
        return None
    bound = c.bounds.get("auc")
    level = bound.level if bound is not None and bound.level is not None else 0.95
    figures = (
        f"ROC AUC {auc:.3f} ({level:.0%} interval {lo:.3f}–{hi:.3f}; 0.5 means indistinguishable)"
    )
    if c.status is Status.PASS:
        return f"A domain classifier cannot tell the two periods apart: {figures}."
    table = next((d for d in c.details if isinstance(d, TableDetail)), None)
    rows = table.rows if table else []
    telling = [str(r[0]) for r in rows if (finite_or_none(r[1]) or 0) > 0][:3]
    by = f", mostly by {_and(telling)}" if telling else ""
    return f"A domain classifier tells the two periods apart: {figures}{by}."


def _pca(c: CheckResult) -> str | None:
    cur, ref, lo, hi = (
        finite_or_none(c.metrics.get(k))
        for k in ("current_error", "reference_error", "lower_limit", "upper_limit")
    )
    if c.status not in _COMPARED or cur is None or lo is None or hi is None:
        return None
    limits = f"{lo:.3g}–{hi:.3g}"
    if cur > hi:
        against = f" against {ref:.3g} in the reference" if ref is not None else ""
        return (
            "The columns no longer move together as they did: the PCA reconstruction error is "
            f"{cur:.3g}{against}, above the control limits {limits}."
        )
    if cur < lo:
        return (
            "Current rows are more regular than the reference: the PCA reconstruction error "
            f"{cur:.3g} is below the control limits {limits}."
        )
    return (
        "The columns still move together as they did: the PCA reconstruction error "
        f"{cur:.3g} is within the control limits {limits}."
    )


def _first_alert(c: CheckResult) -> tuple[int, str] | None:
    """(position, label) of the first window whose verdict is ``alert``."""
    for d in c.details:
        if isinstance(d, TableDetail) and d.name == "windows" and "verdict" in d.columns:
            i = d.columns.index("verdict")
            for pos, row in enumerate(d.rows):
                if len(row) > i and row[i] == "alert":
                    return pos, str(row[0])
    return None


def _over_time(results: list[CheckResult]) -> list[str]:
    per_column = [c for c in results if c.column is not None and c.status in _COMPARED]
    if not per_column:
        return []
    alerting = [c for c in in_report_order(per_column) if c.status in _DRIFTED]
    if not alerting:
        summary = next((c for c in results if c.column is None), None)
        n = finite_or_none(summary.metrics.get("windows")) if summary is not None else None
        windows = f"any of the {int(n)} windows" if n is not None else "any window"
        return [f"Over time: no column drifted in {windows}."]
    groups: dict[tuple[int, str], list[str]] = {}
    for c in alerting[: _LISTED * 2]:
        groups.setdefault(_first_alert(c) or (1 << 30, "an unrecorded window"), []).append(
            str(c.column)
        )
    parts = [f"{_and(cols)} in {label}" for (_, label), cols in sorted(groups.items())]
    more = len(alerting) - _LISTED * 2
    return [
        f"Over time, {len(alerting)} of {len(per_column)} columns drifted in at least one "
        "window, first: " + "; ".join(parts) + (f"; and {more} more" if more > 0 else "") + "."
    ]


def _first_sentence(text: str) -> str:
    """The message's first sentence, up to its first colon or semicolon (the finding itself)."""
    m = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    sentence = m.group(1) if m else text.strip()
    sentence = re.split(r"[:;]\s", sentence, maxsplit=1)[0]
    if len(sentence) > _MAX_SENTENCE:
        sentence = sentence[: _MAX_SENTENCE - 1].rstrip() + "…"
    return sentence if sentence.endswith((".", "!", "?", "…")) else sentence + "."


def _performance(results: list[CheckResult]) -> list[str]:
    ran = [c for c in results if c.status is not Status.SKIPPED]
    if not ran:
        return []
    found = [c for c in in_report_order(ran) if c.status in _FINDINGS]
    if not found:
        word = "check" if len(ran) == 1 else "checks"
        return [f"Performance: no finding ({len(ran)} {word} passed)."]
    text = " ".join(_first_sentence(c.message) for c in found[:2])
    more = len(found) - 2
    return [f"Performance: {text}" + (f" ({more} more performance findings.)" if more > 0 else "")]


def what_changed(result: AuditResult) -> list[str]:
    """The "What changed" sentences for the drift section (empty when there is no drift result).

    Parameters
    ----------
    result
        The audit result.

    Returns
    -------
    list[str]
        Plain sentences, most important first: the columns that drifted with their effect sizes
        (most severe first) and the inconclusive ones; the target, prediction and score columns
        by role; the domain classifier's AUC with its interval; the PCA structure check; the
        first window in which each column drifted; the performance findings.
    """
    by_id: dict[str, list[CheckResult]] = {}
    for c in result.checks:
        by_id.setdefault(c.id, []).append(c)
    if not any(c.family == "drift" for c in result.checks):
        return []
    uni = [c for c in by_id.get("drift.univariate", []) if c.column is not None]
    lines = (_columns(uni) + _roles(uni)) if uni else []
    for check_id, describe in (("drift.multivariate", _classifier), ("drift.pca", _pca)):
        for c in by_id.get(check_id, [])[:1]:
            line = describe(c)
            if line:
                lines.append(line)
    lines += _over_time(by_id.get("drift.over_time", []))
    lines += _performance([c for c in result.checks if c.family == "performance"])
    return lines
