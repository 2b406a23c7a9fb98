"""Name and value rules behind schema inference (documented in :mod:`mlaudit.data._schema`).

Column names are compared in a normalised form: camelCase split, lower case, runs of
non-alphanumerics replaced by ``_`` (``"Customer ID"`` → ``customer_id``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import polars as pl

from mlaudit._lazy import lazy_import

if TYPE_CHECKING:
    from stdnum import iban
else:  # imported on first use (mlaudit._lazy)
    iban = lazy_import("stdnum.iban")

__all__ = [
    "PERSONAL_NAMES",
    "PREDICTION_NAMES",
    "SCORE_NAMES",
    "SENSITIVE_NAMES",
    "TARGET_NAMES",
    "TIMESTAMP_TOKENS",
    "id_like",
    "normalise",
    "personal_by_name",
    "personal_by_values",
    "prediction_like",
    "score_like",
    "sensitive_like",
    "target_like",
    "timestamp_like",
]

TARGET_NAMES = frozenset(
    {"target", "label", "y", "default", "churn", "outcome", "is_fraud", "class"}
)
PREDICTION_NAMES = frozenset({"prediction", "predictions", "pred", "y_pred", "y_hat", "yhat"})
"""Also any name starting with ``predicted``."""
SCORE_NAMES = frozenset({"score", "proba", "probability", "y_score", "y_proba"})
"""Also any name ending in ``_score``, ``_proba`` or ``_probability`` (values must be in [0, 1])."""
SENSITIVE_NAMES = frozenset(
    {
        "gender",
        "sex",
        "race",
        "ethnicity",
        "religion",
        "nationality",
        "marital_status",
        "disability",
        "age_group",
        "age_band",
    }
)
"""Also ``<anything>_<name>``, e.g. ``applicant_gender``."""
TIMESTAMP_TOKENS = frozenset({"time", "date", "ts", "timestamp", "datetime"})
ID_TOKENS = frozenset({"id", "uuid", "guid", "key"})
PERSONAL_NAMES: tuple[tuple[str, ...], ...] = (
    ("name",),
    ("first", "name"),
    ("last", "name"),
    ("full", "name"),
    ("given", "name"),
    ("family", "name"),
    ("middle", "name"),
    ("firstname",),
    ("lastname",),
    ("fullname",),
    ("surname",),
    ("forename",),
    ("email",),
    ("e", "mail"),
    ("phone",),
    ("telephone",),
    ("address",),
    ("street",),
    ("postcode",),
    ("zip",),
    ("zipcode",),
    ("postal", "code"),
    ("ssn",),
    ("national", "id"),
    ("passport",),
    ("iban",),
    ("dob",),
    ("date", "of", "birth"),
    ("birth", "date"),
    ("birthdate",),
    ("ip",),
)
"""Token sequences that mark a column as personal when found in its name.

``name`` alone only matches as the whole name or after a person word (``customer_name``).
A leading quantity word (``years_at_address``, ``has_email``, ``num_phones``) turns it off.
"""
_PERSON_WORDS = frozenset({"customer", "client", "person", "applicant", "user", "holder", "owner"})
_QUANTITY_WORDS = frozenset(
    {"years", "months", "days", "num", "n", "count", "number", "has", "is", "len", "length"}
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

EMAIL = r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$"
PHONE = r"^(\+|00)?[0-9][0-9 ().\-/]{5,22}[0-9]$"
_PHONE_HINT = r"^(\+|0)|[ ().\-/]"
_ISO_DATE_START = r"^\d{4}-\d{2}-\d{2}"
_IBAN_SHAPE = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"


def normalise(name: str) -> str:
    """``"Customer ID"`` → ``"customer_id"``; ``"isFraud"`` → ``"is_fraud"``."""
    return _NON_ALNUM.sub("_", _CAMEL.sub("_", name).lower()).strip("_")


def _tokens(name: str) -> list[str]:
    return [t for t in normalise(name).split("_") if t]


def _contains(tokens: list[str], seq: tuple[str, ...]) -> bool:
    k = len(seq)
    return any(tuple(tokens[i : i + k]) == seq for i in range(len(tokens) - k + 1))


def id_like(name: str) -> bool:
    """``id``, ``uuid``, ``key``, ``*_id``, ``customerId``, ``*_uuid``, ``*_key``."""
    tokens = _tokens(name)
    return bool(tokens) and tokens[-1] in ID_TOKENS


def target_like(name: str) -> bool:
    """Named like a target/label column."""
    return normalise(name) in TARGET_NAMES


def prediction_like(name: str) -> bool:
    """Named like a model prediction column."""
    norm = normalise(name)
    return norm in PREDICTION_NAMES or norm.startswith("predicted")


def score_like(name: str) -> bool:
    """Named like a score/probability column."""
    norm = normalise(name)
    return norm in SCORE_NAMES or norm.endswith(("_score", "_proba", "_probability"))


def sensitive_like(name: str) -> str | None:
    """The sensitive attribute the name matches, if any."""
    norm = normalise(name)
    for kw in sorted(SENSITIVE_NAMES):
        if norm == kw or norm.endswith("_" + kw):
            return kw
    return None


def timestamp_like(name: str) -> bool:
    """Named like an event time (``event_time``, ``application_date``, ``ts``, ``created_at``)."""
    tokens = _tokens(name)
    return bool(set(tokens) & TIMESTAMP_TOKENS) or (len(tokens) > 1 and tokens[-1] == "at")


def personal_by_name(name: str) -> str | None:
    """The personal-data keyword the name matches, if any."""
    tokens = _tokens(name)
    if not tokens or tokens[0] in _QUANTITY_WORDS:
        return None
    if tokens == ["name"] or (
        len(tokens) == 2 and tokens[1] == "name" and tokens[0] in _PERSON_WORDS
    ):
        return "name"
    for seq in PERSONAL_NAMES[1:]:
        if _contains(tokens, seq):
            return "_".join(seq)
    return None


def personal_by_values(s: pl.Series, counts: pl.Series | None = None) -> tuple[str, float] | None:
    """(kind, share) when at least half of the non-null strings are e-mails, phones or IBANs.

    With ``counts``, ``s`` holds distinct values and ``counts`` how often each occurs: the
    shares are the same, and each pattern runs once per distinct value instead of once per row.
    """
    keep = s.is_not_null()
    w = (pl.repeat(1, s.len(), dtype=pl.Int64, eager=True) if counts is None else counts).filter(
        keep
    )
    values = s.filter(keep).cast(pl.String).str.strip_chars()
    n = int(w.sum())
    if n == 0:
        return None

    def share_of(mask: pl.Series) -> float:
        return float(w.filter(mask.fill_null(False)).sum()) / n

    share = share_of(values.str.contains(EMAIL))
    if share >= 0.5:
        return "e-mail addresses", share
    digits = values.str.count_matches(r"[0-9]")
    phone = (
        values.str.contains(PHONE)
        & values.str.contains(_PHONE_HINT)
        & ~values.str.contains(_ISO_DATE_START)
        & digits.is_between(7, 15)
    )
    share = share_of(phone)
    if share >= 0.5:
        return "phone numbers", share
    return _ibans(values, w, n)


def _ibans(values: pl.Series, w: pl.Series, n: int) -> tuple[str, float] | None:
    compact = values.str.replace_all(" ", "").str.to_uppercase()
    shaped = compact.str.contains(_IBAN_SHAPE).fill_null(False)
    if int(w.filter(shaped).sum()) < 0.5 * n:
        return None
    per_value: dict[str, int] = {}
    for v, c in zip(compact.filter(shaped).to_list(), w.filter(shaped).to_list(), strict=True):
        per_value[v] = per_value.get(v, 0) + int(c)
    # stdnum checks the country format and the mod-97 check digits
    valid = sum(c for v, c in per_value.items() if iban.is_valid(v))
    share = valid / n
    return ("IBANs", share) if share >= 0.5 else None
