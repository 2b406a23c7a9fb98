"""Plant the data-quality defects in the clean current period and record them exactly.

Rows for each defect that touches specific rows are disjoint slices of one seeded permutation,
so counts never overlap by accident.  Exact duplicates are inserted last (each copy right after
its original), so a copy carries every defect of its original; all row indices are then mapped
to the final row order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from mlaudit.datasets._population import CURRENT, stream

__all__ = [
    "N_EXACT_DUPLICATES",
    "N_NATIONAL_ID_SPACED",
    "N_SHARED_ROWS",
    "POLICY_CUTOFF",
    "POLICY_OCCUPATIONS",
    "RULE_EMPLOYMENT_HISTORY",
    "WEAK_SEGMENT",
    "PlantedRows",
    "TextRows",
    "plant_defects",
    "plant_policy_rule",
    "plant_shared_rows",
    "plant_text_defects",
    "plant_weak_segment",
]

N_EXACT_DUPLICATES = 40
N_DUPLICATE_IDS = 15
N_AGE_NEGATIVE = 5
N_AGE_HIGH = 5
N_IMPOSSIBLE = 25
N_OUTLIERS = 8
N_CLUSTER = 20
N_PRODUCT_RARE = (20, 10)  # premium, green
INCOME_NULL_SHARE = 0.12
YEARS_EMPLOYED_NULL_SHARE = 0.03
ADDRESS_TEXT = {"unknown": 0.015, "n/a": 0.01}
EMPLOYED_VARIANTS = ("Employed", "EMPLOYED", " employed", "employed ")
N_PER_VARIANT = 50
YES_SPELLINGS = {"yes": 0.55, "Yes": 0.20, "Y": 0.15, "y": 0.10}
NO_SPELLINGS = {"no": 0.60, "No": 0.25, "N": 0.15}
RULE_EMPLOYMENT_HISTORY = "years_employed <= age - 14"
N_NATIONAL_ID_SPACED = 12
"""National ids written with spaces (``'ZZ 123 4567'``) in the current period."""
N_ZERO_WIDTH = 12
ZERO_WIDTH_BAND = "25-34"
"""The age band written with a zero-width space after it in ``N_ZERO_WIDTH`` rows (age_band is
not a model feature: the model's scores are unchanged)."""
LONG_AGE_BAND = (
    "35-44 | note from the branch system: applicant called twice about the documents for the "
    "loan, asked to resend the proof of income and the proof of address; told to use the "
    "upload page; follow-up scheduled with the advisor for next week; customer prefers "
    "contact by e-mail in the afternoon; no further action needed from the credit team at "
    "this stage; file complete once documents arrive, then checked"
)
"""A 400-character value in ``age_band`` (3-5 characters): a comment shifted into the field."""
N_CONFLICTING_PAIRS = 8
"""Applications resubmitted (a new id and date) with the other label: conflicting labels."""
_NOT_COPIED = ("application_id", "application_date", "default")


@dataclass(frozen=True)
class PlantedRows:
    """Final (0-based) row indices of every planted defect in the current frame."""

    duplicate_copies: np.ndarray
    duplicate_originals: np.ndarray
    duplicate_id_first: np.ndarray
    duplicate_id_second: np.ndarray
    age_negative: np.ndarray
    age_high: np.ndarray
    impossible: np.ndarray
    outliers: np.ndarray
    cluster: np.ndarray
    product_rare: np.ndarray
    years_employed_null: np.ndarray
    income_null: np.ndarray
    employment_variants: dict[str, np.ndarray]
    address_text: dict[str, np.ndarray]
    conflict_sources: np.ndarray
    """Rows whose every value but id, date and label was copied onto a ``conflict_copies`` row."""
    conflict_copies: np.ndarray
    national_id_spaced: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))


def _slices(rng: np.random.Generator, n_base: int, n_final: int) -> dict[str, np.ndarray]:
    sizes = {
        "dup_src": N_EXACT_DUPLICATES,
        "dupid_first": N_DUPLICATE_IDS,
        "dupid_second": N_DUPLICATE_IDS,
        "age_negative": N_AGE_NEGATIVE,
        "age_high": N_AGE_HIGH,
        "impossible": N_IMPOSSIBLE,
        "outliers": N_OUTLIERS,
        "cluster": N_CLUSTER,
        "product_rare": sum(N_PRODUCT_RARE),
        "years_employed_null": round(YEARS_EMPLOYED_NULL_SHARE * n_final),
        "income_null": round(INCOME_NULL_SHARE * n_final),
    }
    perm = rng.permutation(n_base)
    out: dict[str, np.ndarray] = {}
    start = 0
    for name, size in sizes.items():
        out[name] = perm[start : start + size]
        start += size
    out["rest"] = perm[start:]
    return out


def _set(frame: pl.DataFrame, column: str, rows: np.ndarray, values: Any) -> pl.DataFrame:
    """Frame with ``column`` set to ``values`` (scalar, array or None) at ``rows``."""
    series = frame[column].clone()
    if values is None:
        series = series.scatter(rows, None)
    elif np.isscalar(values):
        series = series.scatter(rows, pl.Series([values] * len(rows), dtype=series.dtype))
    else:
        series = series.scatter(rows, pl.Series(values, dtype=series.dtype))
    return frame.with_columns(series)


def _plant_values(
    frame: pl.DataFrame, s: dict[str, np.ndarray], rng: np.random.Generator
) -> pl.DataFrame:
    ids = frame["application_id"]
    frame = _set(frame, "application_id", s["dupid_second"], ids.gather(s["dupid_first"]))
    frame = _set(frame, "age", s["age_negative"], -1)
    frame = _set(frame, "age", s["age_high"], 150)
    ages = frame["age"].gather(s["impossible"]).to_numpy()
    excess = np.round(rng.uniform(1.0, 10.0, size=len(ages)), 1)
    frame = _set(frame, "years_employed", s["impossible"], ages - 14 + excess)
    big = np.round(frame["income"].gather(s["outliers"]).to_numpy() * 1000, 2)
    frame = _set(frame, "income", s["outliers"], big)
    frame = _plant_cluster(frame, s["cluster"], rng)
    premium, green = np.split(s["product_rare"], [N_PRODUCT_RARE[0]])
    frame = _set(frame, "product_type", premium, "premium")
    frame = _set(frame, "product_type", green, "green")
    frame = _set(frame, "years_employed", s["years_employed_null"], None)
    return _set(frame, "income", s["income_null"], None)


def _plant_cluster(frame: pl.DataFrame, rows: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """Young students with a very high income, a large business loan and many accounts."""
    n = len(rows)
    age = rng.integers(19, 23, size=n)
    values: dict[str, Any] = {
        "age": age,
        "age_band": "18-24",
        "employment_status": "student",
        "occupation": "student",
        "years_employed": 0.0,
        "income": np.round(rng.uniform(250_000, 400_000, size=n), 2),
        "home_ownership": "own",
        "loan_purpose": "business",
        "loan_amount": np.round(rng.uniform(150_000, 250_000, size=n)),
        "loan_term_months": 120,
        "credit_history_months": rng.integers(0, 7, size=n),
        "num_open_accounts": rng.integers(12, 16, size=n),
        "debt_to_income": np.round(rng.uniform(0.01, 0.03, size=n), 3),
        "channel": "mobile_app",
        "default": 1,
    }
    for column, value in values.items():
        frame = _set(frame, column, rows, value)
    return frame


def _plant_spellings(
    frame: pl.DataFrame, rest: np.ndarray, rng: np.random.Generator, n: int
) -> tuple[pl.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    status = frame["employment_status"].to_numpy()
    employed = rest[status[rest] == "employed"]
    chosen = rng.permutation(employed)[: N_PER_VARIANT * len(EMPLOYED_VARIANTS)]
    variants: dict[str, np.ndarray] = {}
    for k, spelling in enumerate(EMPLOYED_VARIANTS):
        variants[spelling] = chosen[k * N_PER_VARIANT : (k + 1) * N_PER_VARIANT]
        frame = _set(frame, "employment_status", variants[spelling], spelling)
    address: dict[str, np.ndarray] = {}
    text_rows = rng.permutation(rest)
    start = 0
    for text, share in ADDRESS_TEXT.items():
        address[text] = text_rows[start : start + round(share * n)]
        start += len(address[text])
        frame = _set(frame, "years_at_address", address[text], text)
    return _respell_guarantor(frame, rng), variants, address


def _respell_guarantor(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Mixed spellings of yes/no, as when several source systems feed one column."""
    canonical = frame["has_guarantor"].to_numpy()
    out = canonical.astype(object)
    for value, spellings in (("yes", YES_SPELLINGS), ("no", NO_SPELLINGS)):
        rows = np.flatnonzero(canonical == value)
        keys = list(spellings)
        out[rows] = np.array(keys)[
            rng.choice(len(keys), size=len(rows), p=list(spellings.values()))
        ]
    return frame.with_columns(pl.Series("has_guarantor", out.tolist(), dtype=pl.String))


def _space_national_ids(
    frame: pl.DataFrame, rest: np.ndarray, rng: np.random.Generator
) -> tuple[pl.DataFrame, np.ndarray]:
    """A few national ids written with spaces (``'ZZ 123 4567'``), as another source system
    writes them: still unique, in a format the column otherwise never has."""
    rows = np.sort(rng.choice(rest, N_NATIONAL_ID_SPACED, replace=False))
    ids = frame["national_id"].gather(rows)
    spaced = ids.str.slice(0, 2) + " " + ids.str.slice(2, 3) + " " + ids.str.slice(5)
    return _set(frame, "national_id", rows, spaced.to_list()), rows


def _plant_conflicts(
    frame: pl.DataFrame, free: np.ndarray, seed: int
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """Copy every value but id, date and label of a defaulted application onto one that did
    not default, ``N_CONFLICTING_PAIRS`` times: identical features, different labels.  Rows come
    from ``free`` (rows no other defect touches) through a stream of their own."""
    rng = stream(seed, CURRENT, "conflicting_labels")
    label = frame["default"].to_numpy()
    free = np.sort(free)
    sources = rng.permutation(free[label[free] == 1])[:N_CONFLICTING_PAIRS]
    copies = rng.permutation(free[label[free] == 0])[:N_CONFLICTING_PAIRS]
    copied = [c for c in frame.columns if c not in _NOT_COPIED]
    for c in copied:
        frame = _set(frame, c, copies, frame[c].gather(sources).to_list())
    return frame, sources, copies


def _duplicate(frame: pl.DataFrame, sources: np.ndarray) -> tuple[pl.DataFrame, np.ndarray]:
    """Insert an exact copy right after each source row; return the frame and the index map."""
    repeats = np.ones(frame.height, dtype=np.int64)
    repeats[sources] = 2
    order = np.repeat(np.arange(frame.height), repeats)
    sorted_src = np.sort(sources)
    new_index = np.arange(frame.height) + np.searchsorted(sorted_src, np.arange(frame.height))
    return frame[order], new_index


def plant_defects(clean: pl.DataFrame, seed: int, n_final: int) -> tuple[pl.DataFrame, PlantedRows]:
    """Plant every quality defect in ``clean`` (``n_final - 40`` rows) and track the rows."""
    rng = stream(seed, CURRENT, "defects")
    s = _slices(rng, clean.height, n_final)
    frame = _plant_values(clean, s, rng)
    frame, variants, address = _plant_spellings(frame, s["rest"], rng, n_final)
    frame, spaced = _space_national_ids(frame, s["rest"], stream(seed, CURRENT, "formats"))
    used = np.concatenate([*variants.values(), *address.values(), spaced])
    free = np.setdiff1d(s["rest"], used)  # the copies must not carry another defect along
    frame, conflict_src, conflict_dst = _plant_conflicts(frame, free, seed)
    frame, new = _duplicate(frame, s["dup_src"])

    def m(rows: np.ndarray) -> np.ndarray:
        return np.sort(new[rows])

    rows = PlantedRows(
        duplicate_copies=m(s["dup_src"]) + 1,
        duplicate_originals=m(s["dup_src"]),
        duplicate_id_first=new[s["dupid_first"]],
        duplicate_id_second=new[s["dupid_second"]],
        age_negative=m(s["age_negative"]),
        age_high=m(s["age_high"]),
        impossible=m(s["impossible"]),
        outliers=m(s["outliers"]),
        cluster=m(s["cluster"]),
        product_rare=m(s["product_rare"]),
        years_employed_null=m(s["years_employed_null"]),
        income_null=m(s["income_null"]),
        employment_variants={k: m(v) for k, v in variants.items()},
        address_text={k: m(v) for k, v in address.items()},
        national_id_spaced=m(spaced),
        conflict_sources=new[conflict_src],
        conflict_copies=new[conflict_dst],
    )
    return frame, rows


@dataclass(frozen=True)
class TextRows:
    """Final (0-based) rows of the text defects planted by :func:`plant_text_defects`."""

    zero_width: np.ndarray
    long_value: np.ndarray


def plant_text_defects(
    frame: pl.DataFrame, planted: PlantedRows, seed: int
) -> tuple[pl.DataFrame, TextRows]:
    """A zero-width space in some age bands, and a 400-character age band in one row.

    Rows are drawn (from a generator of their own) among the rows no other defect touches, the
    exact duplicates and their originals included, so every other planted count is unchanged.
    """
    rng = stream(seed, CURRENT, "text-defects")
    used = np.concatenate(
        [
            *(v for v in vars(planted).values() if isinstance(v, np.ndarray)),
            *planted.employment_variants.values(),
            *planted.address_text.values(),
        ]
    )
    free = np.setdiff1d(np.arange(frame.height), used)
    band = frame["age_band"].to_numpy()
    candidates = free[band[free] == ZERO_WIDTH_BAND]
    zero_width = np.sort(rng.choice(candidates, N_ZERO_WIDTH, replace=False))
    frame = _set(frame, "age_band", zero_width, ZERO_WIDTH_BAND + "\u200b")
    long_value = rng.choice(np.setdiff1d(free, zero_width), 1, replace=False)
    frame = _set(frame, "age_band", long_value, LONG_AGE_BAND)
    return frame, TextRows(zero_width, np.sort(long_value))


N_SHARED_ROWS = 120
"""Reference (training) rows overwritten with every value of a current row but its id and date:
applications of the evaluation period that also went into the training data, under another id."""
_NOT_SHARED = ("application_id", "application_date")
WEAK_SEGMENT = {"region": "north", "channel": "broker"}
"""The applications the model's decisions get wrong: broker applications from the north, where
the broker's integration inverts the decision flag (``prediction = 1 - prediction``, a sign
error); the scores are unchanged."""


def plant_shared_rows(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    planted: PlantedRows,
    text: TextRows,
    seed: int,
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """Copy ``N_SHARED_ROWS`` current rows that no defect touches (all values but id and date)
    onto reference rows; return the reference, the current rows copied and the reference rows
    that now hold them.  The current frame is unchanged, and only rows whose every category
    (text column of at most 100 values) the reference already has are copied, so no category
    planted as new in the current period (a new channel, other spellings) appears in the
    reference."""
    rng = stream(seed, CURRENT, "shared-rows")
    used = np.concatenate(
        [
            *(v for v in vars(planted).values() if isinstance(v, np.ndarray)),
            *planted.employment_variants.values(),
            *planted.address_text.values(),
            text.zero_width,
            text.long_value,
        ]
    )
    known = np.ones(current.height, dtype=bool)
    for c in current.columns:
        if current[c].dtype == pl.String and reference[c].n_unique() <= 100:  # categories
            known &= current[c].is_in(reference[c].unique().to_list()).fill_null(False).to_numpy()
    free = np.setdiff1d(np.flatnonzero(known), used)
    rows = np.sort(rng.choice(free, N_SHARED_ROWS, replace=False))
    targets = rng.choice(reference.height, N_SHARED_ROWS, replace=False)
    for c in reference.columns:
        if c not in _NOT_SHARED:
            reference = _set(reference, c, targets, current[c].gather(rows).to_list())
    return reference, rows, targets


POLICY_OCCUPATIONS = ("care_worker", "nurse", "childcare", "cleaner", "hairdresser",
                      "retail_sales", "hospitality")  # fmt: skip
"""Occupations a policy rule of the current period treats as 'variable income' (hourly and
shift work): their applications are flagged from a score of :data:`POLICY_CUTOFF` on, rather
than from the decision threshold, so most of them are flagged.  Occupation does not affect
default (the generator's default model does not read it), so the rule has no support in the
data; the occupations are mostly women's (``OCCUPATIONS``), so the rule flags women far more
often than men: an indirect gender disparity through a proxy.  The scores, the model's, are
unchanged; the decisions stay a function of the score (a stricter cut-off for these
occupations).  The rule is applied last, by the decision engine, to every channel: after the
weak segment's inversion."""
POLICY_CUTOFF = 0.03
"""The rule's cut-off: a predicted default probability of 3 % (the decision threshold flags
from about 28 %)."""


def plant_policy_rule(frame: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    """Flag the applications of :data:`POLICY_OCCUPATIONS` whose score reaches
    :data:`POLICY_CUTOFF`; return the frame and the rows the rule covers (every application of
    those occupations)."""
    rows = np.flatnonzero(frame["occupation"].is_in(list(POLICY_OCCUPATIONS)).to_numpy())
    before = frame["prediction"].gather(rows).to_numpy()
    above = (frame["score"].gather(rows).to_numpy() >= POLICY_CUTOFF).astype(np.int64)
    return _set(frame, "prediction", rows, np.maximum(before, above)), rows


def plant_weak_segment(frame: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    """Invert the predictions of :data:`WEAK_SEGMENT`; return its rows."""
    mask = np.ones(frame.height, dtype=bool)
    for column, value in WEAK_SEGMENT.items():
        mask &= (frame[column] == value).to_numpy()
    rows = np.flatnonzero(mask)
    return _set(frame, "prediction", rows, 1 - frame["prediction"].gather(rows).to_numpy()), rows
