"""Clean credit applications for one period, and their default labels.

A :class:`PeriodSpec` holds every parameter that differs between the reference and the current
period (the planted drifts); everything else is shared.  The data-generating process is
documented in ``docs/sample-data.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from mlaudit.datasets._names import make_emails, make_full_names, make_national_ids, make_phones

__all__ = ["CURRENT", "OCCUPATIONS", "REFERENCE", "PeriodSpec", "make_population", "stream"]

EMPLOYMENT = ("employed", "self-employed", "unemployed", "retired", "student")
PURPOSES = ("car", "home_improvement", "debt_consolidation", "education", "business", "other")
_PURPOSE_P = (0.25, 0.18, 0.30, 0.07, 0.08, 0.12)
_PURPOSE_MEDIAN = (15_000.0, 20_000.0, 12_000.0, 9_000.0, 30_000.0, 6_000.0)
TERMS = (12, 24, 36, 48, 60, 72, 84, 120)
_TERM_P = (0.08, 0.15, 0.25, 0.15, 0.20, 0.07, 0.05, 0.05)
HOME = ("rent", "mortgage", "own", "other")
GENDERS = ("female", "male", "non-binary")
_GENDER_P = (0.49, 0.49, 0.02)
# employment probabilities by age band (<23, 23-29, 30-61, 62-66, 67+), columns in EMPLOYMENT order
_EMPLOYMENT_P = np.array(
    [
        [0.40, 0.03, 0.12, 0.00, 0.45],
        [0.72, 0.08, 0.10, 0.00, 0.10],
        [0.74, 0.15, 0.08, 0.01, 0.02],
        [0.35, 0.12, 0.05, 0.48, 0.00],
        [0.06, 0.06, 0.02, 0.86, 0.00],
    ]
)
_HOME_P = np.array([[0.60, 0.13, 0.02, 0.25], [0.30, 0.50, 0.15, 0.05], [0.20, 0.20, 0.58, 0.02]])
_LOG_INCOME_MEDIAN = {
    "employed": np.log(38_000.0),
    "self-employed": np.log(42_000.0),
    "unemployed": np.log(11_000.0),
    "retired": np.log(24_000.0),
    "student": np.log(8_000.0),
}
OCCUPATIONS = {
    "care_worker": (0.110, 0.010),
    "nurse": (0.070, 0.010),
    "childcare": (0.050, 0.004),
    "office_admin": (0.120, 0.012),
    "cleaner": (0.050, 0.012),
    "hairdresser": (0.030, 0.003),
    "retail_sales": (0.100, 0.060),
    "hospitality": (0.050, 0.040),
    "teacher": (0.080, 0.035),
    "finance": (0.050, 0.050),
    "manager": (0.060, 0.090),
    "health_professional": (0.040, 0.030),
    "it_professional": (0.025, 0.090),
    "engineer": (0.015, 0.060),
    "electrician_plumber": (0.004, 0.100),
    "construction": (0.002, 0.100),
    "driver": (0.006, 0.110),
    "mechanic": (0.002, 0.050),
    "machine_operator": (0.030, 0.090),
}
"""Occupation (the last one for applicants not working; students: ``student``) by gender:
weights of women's and men's occupations (each column normalised to 1; non-binary applicants
draw from their mean).  Jobs are as segregated as at a detailed occupation level in European
labour-force data (Duncan's dissimilarity index 0.56): care, cleaning, office and childcare
work mostly women's, trades, driving and construction mostly men's.  Occupation has no effect
on default: the default model below does not read it."""
_STATUS_RISK = {"employed": 0.0, "self-employed": 0.35, "unemployed": 1.0, "retired": -0.1,
                "student": 0.4}  # fmt: skip
INTERCEPT = -3.35


@dataclass(frozen=True)
class PeriodSpec:
    """The parameters of one period; the differences between two specs are the planted drifts."""

    name: str
    start: datetime
    end: datetime
    income_scale: float
    channel_p: dict[str, float]
    region_p: dict[str, float]
    product_p: dict[str, float]
    loan_log_sigma: float
    dti_accounts_rho: float
    history_coef: float
    stream_offset: int


REFERENCE = PeriodSpec(
    name="reference",
    start=datetime(2025, 1, 1),
    end=datetime(2025, 7, 1),
    income_scale=1.0,
    channel_p={"branch": 0.35, "online": 0.45, "broker": 0.20},
    region_p={"north": 0.20, "south": 0.25, "east": 0.15, "west": 0.20, "central": 0.20},
    product_p={"standard": 0.78, "premium": 0.15, "green": 0.07},
    loan_log_sigma=0.5,
    dti_accounts_rho=0.7,
    history_coef=-0.8,
    stream_offset=0,
)
CURRENT = PeriodSpec(
    name="current",
    start=datetime(2025, 7, 1),
    end=datetime(2025, 10, 1),
    income_scale=1.15,
    channel_p={"branch": 0.25, "online": 0.38, "broker": 0.17, "mobile_app": 0.20},
    region_p={"north": 0.10, "south": 0.35, "east": 0.15, "west": 0.15, "central": 0.25},
    product_p={"standard": 1.0},
    loan_log_sigma=0.8,
    dti_accounts_rho=-0.4,
    history_coef=0.5,
    stream_offset=100,
)


def stream(seed: int, spec: PeriodSpec, name: str) -> np.random.Generator:
    """An independent generator per (seed, period, column group), stable under code changes."""
    key = sum((i + 1) * ord(c) for i, c in enumerate(name))  # not hash(): no randomisation
    return np.random.default_rng(np.random.SeedSequence([seed, spec.stream_offset, key]))


def _categorical(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """Row-wise categorical draws: ``probs`` is (n, k) or (k,); returns indices."""
    cum = np.cumsum(np.broadcast_to(probs, (n, probs.shape[-1])), axis=1)
    u = rng.random(n)[:, None] * cum[:, -1:]
    return np.asarray((u >= cum).sum(axis=1))


def _pick(rng: np.random.Generator, mapping: dict[str, float], n: int) -> list[str]:
    keys = list(mapping)
    idx = _categorical(rng, np.array([mapping[k] for k in keys]), n)
    return [keys[i] for i in idx]


def _dates(rng: np.random.Generator, spec: PeriodSpec, n: int) -> pl.Series:
    span = int((spec.end - spec.start).total_seconds())
    offsets = np.sort(rng.integers(0, span, size=n))
    start_us = int((spec.start - datetime(1970, 1, 1)).total_seconds()) * 1_000_000
    us = start_us + offsets.astype(np.int64) * 1_000_000
    return pl.Series("application_date", us, dtype=pl.Int64).cast(pl.Datetime("us"))


def _applicant(rng: np.random.Generator, spec: PeriodSpec, n: int) -> dict[str, np.ndarray]:
    age = np.clip(np.round(18 + rng.gamma(3.5, 7.0, size=n)), 18, 85).astype(np.int64)
    band = np.digitize(age, [23, 30, 62, 67])
    status = np.array(EMPLOYMENT)[_categorical(rng, _EMPLOYMENT_P[band], n)]
    working = np.isin(status, ["employed", "self-employed"])
    years = np.where(working, np.round(rng.beta(2.0, 3.0, size=n) * (age - 18), 1), 0.0)
    gender = np.array(GENDERS)[_categorical(rng, np.array(_GENDER_P), n)]
    log_med = np.array([_LOG_INCOME_MEDIAN[s] for s in status])
    sigma = np.where(status == "self-employed", 0.65, 0.5)
    log_income = (
        log_med + 0.012 * (np.minimum(age, 55) - 40) - 0.10 * (gender == "female")
        + sigma * rng.standard_normal(n)
    )  # fmt: skip
    income = np.round(np.exp(log_income) * spec.income_scale, 2)
    home = np.array(HOME)[_categorical(rng, _HOME_P[np.digitize(age, [30, 55])], n)]
    address = np.minimum(np.round(rng.exponential(6.0, size=n)), age - 18).astype(np.int64)
    guarantor_p = np.where(status == "student", 0.35, 0.10)
    guarantor = np.where(rng.random(n) < guarantor_p, "yes", "no")
    return {"age": age, "employment_status": status, "years_employed": years, "gender": gender,
            "income": income, "home_ownership": home, "years_at_address": address,
            "has_guarantor": guarantor}  # fmt: skip


def _occupation(rng: np.random.Generator, gender: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Each applicant's occupation, drawn by gender (see :data:`OCCUPATIONS`)."""
    weights = np.array(list(OCCUPATIONS.values()))
    women, men = (weights[:, j] / weights[:, j].sum() for j in (0, 1))
    probs = np.where(
        (gender == "female")[:, None], women,
        np.where((gender == "male")[:, None], men, (women + men) / 2),
    )  # fmt: skip
    drawn = np.array(list(OCCUPATIONS))[_categorical(rng, probs, gender.shape[0])]
    return np.where(status == "student", "student", drawn)


def _loan(rng: np.random.Generator, spec: PeriodSpec, age: np.ndarray) -> dict[str, np.ndarray]:
    n = age.shape[0]
    purpose_idx = _categorical(rng, np.array(_PURPOSE_P), n)
    # mean-preserving change of spread: mu = log(median_ref) + (s_ref^2 - s^2) / 2
    s, s_ref = spec.loan_log_sigma, REFERENCE.loan_log_sigma
    mu = np.log(np.array(_PURPOSE_MEDIAN)[purpose_idx]) + (s_ref**2 - s**2) / 2
    amount = np.round(np.exp(mu + s * rng.standard_normal(n)))
    term = np.array(TERMS)[_categorical(rng, np.array(_TERM_P), n)]
    history = np.round(rng.beta(2.0, 2.5, size=n) * (age - 18) * 12).astype(np.int64)
    # Gaussian-copula reordering: the marginals are fixed samples, only their pairing changes
    dti_values = np.sort(np.round(rng.beta(2.2, 6.0, size=n) * 0.9, 3))
    acc_values = np.sort(rng.poisson(3.5, size=n)).astype(np.int64)
    z1 = rng.standard_normal(n)
    rho = spec.dti_accounts_rho
    z2 = rho * z1 + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    dti = np.empty(n)
    dti[np.argsort(z1, kind="stable")] = dti_values
    accounts = np.empty(n, dtype=np.int64)
    accounts[np.argsort(z2, kind="stable")] = acc_values
    return {"loan_purpose": np.array(PURPOSES)[purpose_idx], "loan_amount": amount,
            "loan_term_months": term.astype(np.int64), "credit_history_months": history,
            "num_open_accounts": accounts, "debt_to_income": dti}  # fmt: skip


def default_logit(cols: dict[str, np.ndarray], history_coef: float) -> np.ndarray:
    """The true log-odds of default; fixed centring so that shifts in the data are real shifts."""
    risk = np.array([_STATUS_RISK[s] for s in cols["employment_status"]])
    return np.asarray(
        INTERCEPT
        - 0.6 * (np.log(cols["income"]) - 10.4) / 0.7
        + 0.75 * (cols["debt_to_income"] - 0.22) / 0.13
        + history_coef * (cols["credit_history_months"] - 150) / 110
        + 0.25 * (cols["num_open_accounts"] - 3.5) / 1.9
        + risk
        - 0.6 * (cols["has_guarantor"] == "yes")
        + 0.35 * (np.log(cols["loan_amount"]) - 9.4) / 0.6
        + 0.3 * (cols["age"] < 25)
        + 0.15 * (cols["loan_term_months"] - 48) / 24
    )


def make_population(seed: int, spec: PeriodSpec, n: int, id_start: int) -> pl.DataFrame:
    """``n`` clean applications of one period, sorted by date, with ``default`` labels."""
    cols = _applicant(stream(seed, spec, "applicant"), spec, n)
    cols.update(_loan(stream(seed, spec, "loan"), spec, cols["age"]))
    occupation = _occupation(
        stream(seed, spec, "occupation"), cols["gender"], cols["employment_status"]
    )
    rng = stream(seed, spec, "context")
    channel = _pick(rng, spec.channel_p, n)
    region = _pick(rng, spec.region_p, n)
    product = _pick(rng, spec.product_p, n)
    p_default = 1 / (1 + np.exp(-default_logit(cols, spec.history_coef)))
    default = (stream(seed, spec, "default").random(n) < p_default).astype(np.int64)
    genders = [str(g) for g in cols["gender"]]
    pii = stream(seed, spec, "personal")
    full, first, last = make_full_names(pii, genders)
    ids = [f"APP-{k:07d}" for k in range(id_start, id_start + n)]
    frame = pl.DataFrame(
        {
            "application_id": ids,
            "application_date": _dates(stream(seed, spec, "dates"), spec, n),
            "full_name": full,
            "email": make_emails(pii, first, last),
            "phone": make_phones(pii, n),
            "national_id": make_national_ids(pii, n),
            "gender": genders,
            **{k: cols[k] for k in ("age", "employment_status")},
            "occupation": occupation,
            **{k: cols[k] for k in ("years_employed", "income")},
            "home_ownership": cols["home_ownership"],
            "years_at_address": [str(int(v)) for v in cols["years_at_address"]],
            **{k: cols[k] for k in ("loan_purpose", "loan_amount", "loan_term_months")},
            **{k: cols[k] for k in ("credit_history_months", "num_open_accounts")},
            "debt_to_income": cols["debt_to_income"],
            "has_guarantor": cols["has_guarantor"],
            "channel": channel,
            "region": region,
            "product_type": product,
            "currency": ["EUR"] * n,
            "default": default,
        }
    )
    return frame.with_columns(age_band=age_band(pl.col("age"))).select(COLUMN_ORDER)


def age_band(age: pl.Expr) -> pl.Expr:
    """Age bands used for fairness by age: 18-24, 25-34, 35-44, 45-54, 55-64, 65+."""
    return (
        pl.when(age < 25).then(pl.lit("18-24"))
        .when(age < 35).then(pl.lit("25-34"))
        .when(age < 45).then(pl.lit("35-44"))
        .when(age < 55).then(pl.lit("45-54"))
        .when(age < 65).then(pl.lit("55-64"))
        .otherwise(pl.lit("65+"))
    )  # fmt: skip


COLUMN_ORDER = [
    "application_id", "application_date", "full_name", "email", "phone", "national_id",
    "gender", "age", "age_band", "employment_status", "occupation", "years_employed", "income",
    "home_ownership", "years_at_address", "loan_purpose", "loan_amount", "loan_term_months",
    "credit_history_months", "num_open_accounts", "debt_to_income", "has_guarantor", "channel",
    "region", "product_type", "currency", "default",
]  # fmt: skip
