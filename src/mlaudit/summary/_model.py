"""The mergeable summaries: what a scan of a data set keeps, column by column.

A :class:`DatasetProfile` is built batch by batch (``mlaudit.summary._build``), two profiles of
disjoint parts of the same data merge into the profile of the whole (``merge``), and a profile
serialises to bytes and back (``to_bytes`` / ``from_bytes``).  Checks read these attributes; they
never see raw data except the bounded, seeded :attr:`DatasetProfile.sample`.

Exactness: every figure is exact unless a field says otherwise.  Sketch-based figures carry their
error bound next to them (``quantile_rank_error``, ``distinct_error``, ``categories_error``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from mlaudit.data import ColumnType
from mlaudit.summary._correlation import Correlations
from mlaudit.summary._hashset import HashSet
from mlaudit.summary._hll import HLL
from mlaudit.summary._labels import LabelConflicts
from mlaudit.summary._quantiles import QuantileSketch

__all__ = [
    "CategoryCounts",
    "ColumnSummary",
    "DatasetProfile",
    "Histogram",
    "LengthTally",
    "Moments",
    "NumericSummary",
    "OutlierCounts",
    "ScanPlan",
    "SpecialTally",
    "TextSummary",
]


@dataclass
class Moments:
    """Count, mean and central moment sums (M2, M3, M4) of the finite values, mergeable."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0
    m3: float = 0.0
    m4: float = 0.0

    @property
    def variance(self) -> float:
        """Sample variance (ddof=1); NaN with fewer than two values."""
        return self.m2 / (self.n - 1) if self.n > 1 else float("nan")

    @property
    def std(self) -> float:
        """Sample standard deviation (ddof=1)."""
        return float(np.sqrt(self.variance))

    @property
    def skewness(self) -> float:
        """Biased sample skewness (``scipy.stats.skew`` default); NaN if undefined."""
        if self.n < 2 or self.m2 == 0:
            return float("nan")
        return float(np.sqrt(self.n) * self.m3 / self.m2**1.5)

    @property
    def kurtosis(self) -> float:
        """Biased excess kurtosis (``scipy.stats.kurtosis`` default); NaN if undefined."""
        if self.n < 2 or self.m2 == 0:
            return float("nan")
        return float(self.n * self.m4 / self.m2**2 - 3.0)


@dataclass
class Histogram:
    """Counts over fixed edges (``len(edges) == len(counts) + 1``), plus values outside them."""

    edges: list[float]
    counts: list[int]
    below: int = 0
    above: int = 0


@dataclass
class OutlierCounts:
    """Values outside fences chosen from the first pass (e.g. Tukey's IQR fences)."""

    lower_fence: float
    upper_fence: float
    method: str
    below: int = 0
    above: int = 0
    examples: list[tuple[int, float]] = field(default_factory=list)
    """Up to a few (row index, value) pairs, most extreme first."""


@dataclass
class NumericSummary:
    """Numeric (and datetime as epoch microseconds) columns: range, moments, sketches."""

    min: float | None = None
    max: float | None = None
    sum: float = 0.0
    moments: Moments = field(default_factory=Moments)
    zeros: int = 0
    negatives: int = 0
    nan_count: int = 0
    posinf_count: int = 0
    neginf_count: int = 0
    non_integer_count: int = 0
    """Finite values with a fractional part (0 means the column is integer-valued)."""
    sketch: QuantileSketch | None = None
    """Deterministic quantile sketch of the finite values (exact up to 131,072 values)."""

    def quantile(self, q: float) -> float:
        """Quantile from the quantile sketch; NaN when there are no finite values.

        Equals ``numpy.quantile(x, q, method="inverted_cdf")`` while the sketch is exact;
        otherwise the result is one of the values seen whose rank is within
        :attr:`quantile_rank_error` of ``q`` (a hard bound, not a probability).
        """
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"quantile q={q} is outside [0, 1]")
        if self.sketch is None or self.sketch.is_empty:
            return float("nan")
        return self.sketch.quantile(q)

    def quantiles(self, qs: list[float]) -> list[float]:
        """:meth:`quantile` for several ``qs`` at once."""
        if self.sketch is None or self.sketch.is_empty:
            return [self.quantile(q) for q in qs]
        return [float(v) for v in self.sketch.quantiles(qs)]

    @property
    def quantile_rank_error(self) -> float:
        """Normalised rank error of :meth:`quantile` (0 when exact).

        A hard bound, not a probability: accumulated exactly over the sketch's compactions.
        """
        if self.sketch is None:
            return 0.0
        return self.sketch.normalized_rank_error


@dataclass
class CategoryCounts:
    """Value counts: exact while there are at most ``cap`` distinct values, then heavy hitters.

    When not exact, every count is an under-estimate by at most ``error`` (Misra–Gries), and
    values with true count at most ``error`` may be missing.  For personal columns the keys
    are salted hashes (``"h:" + hex``), never raw values.
    """

    counts: dict[str, int] = field(default_factory=dict)
    exact: bool = True
    error: int = 0
    cap: int = 10_000
    hashed: bool = False

    def top(self, k: int) -> list[tuple[str, int]]:
        """The ``k`` most frequent values, ties broken by value for determinism."""
        return sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


@dataclass
class FormatTally:
    """Values of a text column tested against its well-known format (``ScanPlan.formats``).

    Counted on the raw values during the scan, before personal columns are masked.
    """

    format: str
    """The format's name (see :data:`mlaudit.data.FORMATS`)."""
    matches: int = 0
    """Non-null values that have the format."""
    examples: list[tuple[int, str]] = field(default_factory=list)
    """A few distinct values without the format, as (salted hash, example): the ones with the
    smallest hashes, so the choice is deterministic and survives merges.  The example is the
    value's shape (:func:`mlaudit.data.value_shape`) for personal columns, else the value."""


@dataclass
class ShapeCounts:
    """Format shapes of a text column's values and how many values have each
    (:mod:`mlaudit.summary._shapes`): blank values and missing markers are not counted."""

    counts: dict[str, int] = field(default_factory=dict)
    """Shape → values, for the at most ``cap`` most frequent shapes."""
    other: int = 0
    """Values whose shape was dropped beyond the cap."""
    error: int = 0
    """A kept shape's count may be low by up to this (0: every count is exact)."""
    examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """Shape → a few distinct values as (salted hash, value), the smallest hashes; empty for
    personal columns."""
    cap: int = 100

    @property
    def total(self) -> int:
        """Values counted (those of the kept shapes and ``other``)."""
        return sum(self.counts.values()) + self.other


@dataclass
class SpecialTally:
    """Values holding unusual characters, by kind (``mlaudit.summary._strings``).

    Counted on the raw values during the scan, before personal columns are masked.
    """

    counts: dict[str, int] = field(default_factory=dict)
    """Kind (``control``, ``format``, ``replacement``, ``private_use``, ``symbols``) → non-null
    values holding it (``symbols``: values made only of punctuation and symbols)."""
    flagged: int = 0
    """Non-null values holding a control, format, replacement or private-use character."""
    examples: dict[str, list[tuple[int, str, int]]] = field(default_factory=dict)
    """Kind → a few distinct values as (salted hash, example, count): those with the smallest
    hashes, so the choice survives merges.  The example is the value's shape for personal
    columns, else the value."""


@dataclass
class LengthTally:
    """Values by length in characters, with the longest and shortest distinct values.

    Blank values and known missing markers (``mlaudit.data.KNOWN_MARKERS``) are not counted.
    """

    counts: dict[int, int] = field(default_factory=dict)
    """First length of a bucket → values in it (one length a bucket below 1,024 characters,
    then 32 buckets per octave: see ``mlaudit.summary._strings.length_bucket``)."""
    longest: list[tuple[int, int, str]] = field(default_factory=list)
    """The longest distinct values as (length, salted hash, example), longest first; long
    examples are cut at 60 characters, personal ones shown by their shape."""
    shortest: list[tuple[int, int, str]] = field(default_factory=list)
    """The shortest distinct values, likewise, shortest first."""


@dataclass
class TextSummary:
    """String columns: lengths and shapes of the values."""

    min_length: int | None = None
    max_length: int | None = None
    total_length: int = 0
    empty_count: int = 0
    """Empty or whitespace-only strings."""
    padded_count: int = 0
    """Values with leading or trailing whitespace."""
    leading_count: int = 0
    """Non-blank values that start with whitespace (Unicode White_Space, as ``str.strip``)."""
    trailing_count: int = 0
    """Non-blank values that end with whitespace."""
    both_count: int = 0
    """Non-blank values with whitespace at both ends."""
    padding_kinds: dict[str, int] = field(default_factory=dict)
    """Kind of whitespace (``space``, ``tab``, ``nbsp``, ``line_break``, ``other``) → number of
    non-blank values whose leading or trailing whitespace holds that kind."""
    numeric_like_count: int = 0
    """Values that parse as numbers (a sign of mixed types in a text column)."""
    numeric_like_min: float | None = None
    """Smallest finite number among the values that parse as numbers (None: there is none)."""
    numeric_like_max: float | None = None
    """Largest finite number among the values that parse as numbers (None: there is none)."""
    pattern_matches: dict[str, int] = field(default_factory=dict)
    """Pattern name → number of non-null values matching it (patterns come from the ScanPlan)."""
    missing_markers: dict[str, int] | None = None
    """Values that mean "no value" (``mlaudit.data.KNOWN_MARKERS``, compared stripped and
    case-folded) → count, counted exactly at scan time whatever the category cap.  Keys are
    the values as written (``' ?'``), or the normalised marker for personal columns; None in
    profiles saved before it was counted."""
    format: FormatTally | None = None
    """The column's format tally, when the scan plan names a format for it."""
    shapes: ShapeCounts | None = None
    """Format shapes of the values (None in profiles saved before they were counted)."""
    special: SpecialTally | None = None
    """Values with unusual characters; None in profiles saved before they were counted."""
    lengths: LengthTally | None = None
    """Values by length; None in profiles saved before they were counted."""


@dataclass
class ColumnSummary:
    """Everything kept about one column."""

    name: str
    dtype: str
    type: ColumnType
    count: int = 0
    """Rows seen, nulls included."""
    null_count: int = 0
    distinct: float = 0.0
    """Distinct non-null values: exact when ``distinct_exact``, else an HLL estimate; NaN when
    the scan was not asked for it (``ScanPlan.distinct`` false) and it exceeds the cap."""
    distinct_exact: bool = True
    distinct_error: float = 0.0
    """Relative standard error of ``distinct`` when approximate."""
    numeric: NumericSummary | None = None
    categories: CategoryCounts | None = None
    text: TextSummary | None = None
    histogram: Histogram | None = None
    outliers: OutlierCounts | None = None
    personal: bool = False
    _distinct_values: np.ndarray | None = field(default=None, repr=False, compare=False)
    """Exact distinct finite-or-infinite values of a numeric column while at most the cap
    (saved; what merges union to keep the count exact)."""
    _hll: HLL | None = field(default=None, repr=False, compare=False)
    """The distinct-count sketch once the count is approximate (saved; what merges combine)."""

    @property
    def non_null(self) -> int:
        """Non-null values (NaN counts as missing for numeric columns)."""
        nan = self.numeric.nan_count if self.numeric is not None else 0
        return self.count - self.null_count - nan

    @property
    def missing(self) -> int:
        """Nulls plus NaNs."""
        return self.count - self.non_null

    @property
    def missing_share(self) -> float:
        """Share of rows missing a value; NaN for an empty data set."""
        return self.missing / self.count if self.count else float("nan")


@dataclass(frozen=True)
class ScanPlan:
    """What a scan must compute beyond the defaults, decided before the scan.

    ``histogram_edges`` and ``outlier_fences`` usually come from a first pass (a second pass
    fills them exactly); ``patterns`` are regexes per column; ``rules`` are polars SQL
    expressions that must hold for every row; ``keys`` are column sets that should be unique.
    """

    histogram_edges: dict[str, list[float]] = field(default_factory=dict)
    outlier_fences: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    patterns: dict[str, dict[str, str]] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    """Column → well-known format to count at scan time (see :data:`mlaudit.data.FORMATS`)."""
    declared_formats: frozenset[str] = frozenset()
    """Columns of ``formats`` whose format was declared, not inferred from the name."""
    keys: list[tuple[str, ...]] = field(default_factory=list)
    sample_size: int = 20_000
    category_cap: int = 10_000
    seed: int = 0
    personal: frozenset[str] = frozenset()
    sketch_exact: int = 131_072
    """Values a column's quantile sketch keeps exactly before it compacts (with a hard bound)."""
    distinct: bool = True
    """Estimate distinct counts beyond ``category_cap`` (an HLL over every value of numeric
    columns); when false such counts are left unknown (NaN), which saves hashing every value."""
    duplicates: bool = True
    """Hash every row (and key) to count duplicate rows and keys."""
    correlations: bool = False
    """Summarise how the features go together (:mod:`mlaudit.summary._correlation`)."""
    labels: bool = False
    """Hash every row's features and label to count conflicting labels (needs a target)."""
    shapes: bool = True
    """Count the format shapes of text columns (``TextSummary.shapes``); an audit asks for them
    only when ``quality.rare_formats`` runs, a saved profile always has them."""


@dataclass
class DatasetProfile:
    """The summary of a whole data set."""

    n_rows: int
    columns: dict[str, ColumnSummary]
    rows_with_missing: int = 0
    duplicate_rows: float = 0.0
    """Rows identical to an earlier row (exact when ``duplicates_exact``)."""
    duplicates_exact: bool = True
    key_duplicates: dict[str, int] = field(default_factory=dict)
    """Key columns joined by ',' → rows whose key repeats an earlier row's key (nulls excluded)."""
    rule_violations: dict[str, int] = field(default_factory=dict)
    rule_examples: dict[str, list[int]] = field(default_factory=dict)
    """Rule name → up to a few row indices that violate it."""
    sample: pl.DataFrame | None = None
    """Seeded reservoir sample of at most ``ScanPlan.sample_size`` rows, with a ``__row__``
    column holding each row's index; personal columns are masked."""
    plan: ScanPlan = field(default_factory=ScanPlan)
    row_start: int = 0
    """Global index of the first row this profile covers (0 unless built from a later part)."""
    mask_key_id: str | None = None
    """Id of the mask key of the personal columns' masks and keyed hashes
    (:func:`mlaudit._maskkey.key_id`); None when the data has no personal column."""
    correlations: Correlations | None = None
    """Pairwise co-moments, contingency tables and per-category moments of the features, when
    the plan asked for them (``ScanPlan.correlations``)."""
    _rows: HashSet | None = field(default=None, repr=False, compare=False)
    """Row hashes (saved; duplicates stay exact across merges)."""
    _keys: dict[str, HashSet] = field(default_factory=dict, repr=False, compare=False)
    """Key name → key hashes (saved)."""
    _sample_keys: np.ndarray | None = field(default=None, repr=False, compare=False)
    """Random priority of each sample row (bottom-k sampling), aligned with ``sample``."""
    label_conflicts: LabelConflicts | None = None
    """Feature groups seen with more than one label (when the plan asks for ``labels``)."""
