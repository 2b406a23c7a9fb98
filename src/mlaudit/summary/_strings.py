"""Unusual characters and string lengths of a text column, counted on its distinct values.

:func:`special_tally` counts the values holding characters that do not belong in categories or
text (:data:`SPECIAL_KINDS`) and the values made only of punctuation and symbols;
:func:`length_tally` counts the values by length (known missing markers and blanks left
out), exactly up to :data:`EXACT_LENGTHS` characters, then in buckets of at most 1/32 of an
octave, and keeps the longest and shortest distinct values as examples.  Both work on a
batch's distinct values weighted by their counts, so their cost follows the column's
cardinality, not its row count, and both merge (:func:`merge_special`,
:func:`merge_lengths`): counts add, and examples are chosen by a bottom-k rule over salted
hashes that gives the same choice however the data was cut (for lengths: among values of
equal length, many tied values are first narrowed down in string order, see :func:`_first`).

Personal columns (``key`` given: the mask key) keep each example's shape
(:func:`mlaudit.data.value_shape`: letters and digits replaced, other characters kept, so an
invisible character still shows) and choose by keyed digests, never by the public seeded hash.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from mlaudit.data import KNOWN_MARKERS, value_shape
from mlaudit.summary._hashing import hash_series, keyed_digests
from mlaudit.summary._model import LengthTally, SpecialTally

__all__ = [
    "EXACT_LENGTHS",
    "SPECIAL_EXAMPLES",
    "SPECIAL_KINDS",
    "SYMBOLS",
    "bucket_end",
    "length_bucket",
    "length_tally",
    "merge_lengths",
    "merge_special",
    "special_tally",
]

SPECIAL_KINDS: dict[str, str] = {
    "control": r"[\p{Cc}--[\t\n\r]]",
    "format": r"[\p{Cf}--[\x{200C}\x{200D}]]",
    "replacement": r"\x{FFFD}",
    "private_use": r"\p{Co}",
}
"""Kinds of unusual characters and their (Rust) regex classes: control characters other than
tab, line feed and carriage return; invisible format characters (zero-width space U+200B, byte
order mark U+FEFF, bidirectional marks, soft hyphen) except the zero-width joiners U+200C and
U+200D, which spell Persian and Indic words and emoji; the replacement character U+FFFD left by
a decoding error; private-use characters, which no standard assigns."""
SYMBOLS = "symbols"
"""The kind of the values made only of punctuation and symbols (``'###'``, ``'*'``), known
missing markers (``'?'``, ``'-'``) excepted: those are disguised missing values."""
_ANY = r"[\p{Cc}\p{Cf}\p{Co}\x{FFFD}]"
_SYMBOLS_ONLY = r"^\s*[\p{P}\p{S}--\x{FFFD}][\p{P}\p{S}\s--\x{FFFD}]*$"
SPECIAL_EXAMPLES = 5
"""Distinct example values kept per kind (and longest and shortest values kept)."""
EXACT_LENGTHS = 1024
"""Lengths counted exactly; longer ones fall in buckets of at most 1/32 of an octave."""
_SALT = 0x53504543  # mixed with the scan's seed: examples are chosen by seeded hash
_CLIP = 60  # characters of a long example kept


def special_tally(
    values: pl.Series, counts: pl.Series, *, seed: int, key: bytes | None = None
) -> SpecialTally:
    """The unusual characters of distinct non-null ``values`` occurring ``counts`` times."""
    s = values.cast(pl.String)
    w = counts.cast(pl.Int64)
    out = SpecialTally()
    symbols = s.str.contains(_SYMBOLS_ONLY).fill_null(False)
    if symbols.any():  # rare: the known missing markers among them are not strays
        bare = s.str.strip_chars().str.to_lowercase()
        symbols &= ~bare.is_in(list(KNOWN_MARKERS)).fill_null(False)
    _add_kind(out, SYMBOLS, s, w, symbols, seed, key)
    maybe = s.str.contains(_ANY).fill_null(False)
    if not maybe.any():
        return out  # the usual case: one regex pass, nothing else
    s, w = s.filter(maybe), w.filter(maybe)
    flagged = pl.Series([False] * s.len())
    for kind, rx in SPECIAL_KINDS.items():
        hit = s.str.contains(rx).fill_null(False)
        flagged |= hit
        _add_kind(out, kind, s, w, hit, seed, key)
    out.flagged = int(w.filter(flagged).sum())
    return out


def _add_kind(
    out: SpecialTally,
    kind: str,
    s: pl.Series,
    w: pl.Series,
    hit: pl.Series,
    seed: int,
    key: bytes | None,
) -> None:
    if not hit.any():
        return
    values, counts = s.filter(hit), w.filter(hit)
    out.counts[kind] = int(counts.sum())
    keys, first = _bottom(values, seed, key)
    chosen = values.gather(first.tolist())
    shown = value_shape(chosen) if key is not None else chosen
    out.examples[kind] = [
        (int(k), str(v), int(n))
        for k, v, n in zip(
            keys[first].tolist(), shown.to_list(), counts.gather(first.tolist()), strict=True
        )
    ]


def _keys(values: pl.Series, seed: int, key: bytes | None) -> np.ndarray:
    hashes = hash_series(values, seed ^ _SALT) if key is None else keyed_digests(values, key)
    keyed: np.ndarray = hashes >> np.uint64(1)  # fits a signed int64 (JSON)
    return keyed


def _bottom(values: pl.Series, seed: int, key: bytes | None) -> tuple[np.ndarray, np.ndarray]:
    keys = _keys(values, seed, key)
    return keys, np.argsort(keys, kind="stable")[:SPECIAL_EXAMPLES]


def merge_special(a: SpecialTally | None, b: SpecialTally | None) -> SpecialTally | None:
    """The tally of both parts; None (not counted) when either part did not count."""
    if a is None or b is None:
        return None
    out = SpecialTally(
        counts={k: a.counts.get(k, 0) + b.counts.get(k, 0) for k in sorted({*a.counts, *b.counts})},
        flagged=a.flagged + b.flagged,
    )
    for kind in sorted({*a.examples, *b.examples}):
        both: dict[int, tuple[str, int]] = {}
        for k, v, n in [*a.examples.get(kind, []), *b.examples.get(kind, [])]:
            both[k] = (v, both.get(k, ("", 0))[1] + n)  # same value, same key: counts add
        kept = sorted(both.items())[:SPECIAL_EXAMPLES]
        out.examples[kind] = [(k, v, n) for k, (v, n) in kept]
    return out


def length_bucket(length: np.ndarray) -> np.ndarray:
    """First length of each length's bucket: the length itself below :data:`EXACT_LENGTHS`,
    else a multiple of ``2**(floor(log2(length)) - 5)`` (32 buckets per octave)."""
    n = np.asarray(length, dtype=np.int64)
    width = np.ones_like(n)
    long = n >= EXACT_LENGTHS
    width[long] = np.left_shift(1, np.frexp(n[long])[1].astype(np.int64) - 6)  # bit length - 6
    bucket: np.ndarray = n - n % width
    return bucket


def bucket_end(start: int) -> int:
    """Last length of the bucket that starts at ``start``."""
    if start < EXACT_LENGTHS:
        return start
    return start + (1 << (start.bit_length() - 6)) - 1


def length_tally(
    values: pl.Series,
    counts: pl.Series,
    *,
    seed: int,
    key: bytes | None = None,
    markers: list[str] | None = None,
) -> LengthTally:
    """Values by length (in characters) and the longest and shortest distinct values.

    ``markers`` are the values that stand for no value (blanks and known missing markers, as
    written: ``TextSummary.missing_markers``); they are left out, since
    ``quality.disguised_missing`` reports them.  None finds them here.
    """
    s = values.cast(pl.String)
    drop: pl.Series | None = None
    if markers is None:
        drop = s.str.strip_chars().str.to_lowercase().is_in(list(KNOWN_MARKERS)).fill_null(False)
    elif markers:
        drop = s.is_in(markers)
    if drop is not None and drop.any():
        s, counts = s.filter(~drop), counts.filter(~drop)
    w = counts.cast(pl.Int64).to_numpy()
    length = s.str.len_chars().cast(pl.Int64).to_numpy()
    if length.size == 0:
        return LengthTally()
    top = _first(s, -length)
    fixed = length.min() == length.max()  # fixed width: the longest are the shortest
    bottom = top if fixed else _first(s, length)
    both = np.union1d(top, bottom)  # at most 2k values hashed, not every value
    keys = np.zeros(length.size, dtype=np.uint64)
    keys[both] = _keys(s.gather(both), seed, key)
    top = top[np.lexsort((keys[top], -length[top]))]
    bottom = bottom[np.lexsort((keys[bottom], length[bottom]))]
    return LengthTally(
        counts=_length_counts(length, w),
        longest=_length_examples(s, length, keys, top, key),
        shortest=_length_examples(s, length, keys, bottom, key),
    )


def _first(s: pl.Series, x: np.ndarray) -> np.ndarray:
    """Indices of the :data:`SPECIAL_EXAMPLES` values with the smallest ``x``.

    Values tied at the k-th smallest ``x`` are few unless a column has fixed widths; then
    those chosen are the first in string order (a native top-k, where hashing every tied
    value would cost as much as the rest of the text summary).  Merges order the examples
    by length, then salted hash.
    """
    k = min(SPECIAL_EXAMPLES, x.size)
    kth = np.partition(x, k - 1)[k - 1]
    below = np.flatnonzero(x < kth)
    tied = np.flatnonzero(x == kth)
    need = k - below.size
    if tied.size > need:
        v = s if tied.size == s.len() else s.gather(tied)
        frame = pl.DataFrame({"v": v, "i": tied})
        tied = frame.bottom_k(need, by=["v", "i"])["i"].to_numpy()
    out: np.ndarray = np.concatenate([below, tied])
    return out


def _length_counts(length: np.ndarray, w: np.ndarray) -> dict[int, int]:
    """Bucket start → values, by a count per length below :data:`EXACT_LENGTHS`."""
    short = length < EXACT_LENGTHS
    sums = np.bincount(length[short], weights=w[short]).astype(np.int64)
    nz = np.flatnonzero(sums)
    out = dict(zip(nz.tolist(), sums[nz].tolist(), strict=True))
    if not short.all():
        starts, inverse = np.unique(length_bucket(length[~short]), return_inverse=True)
        long = np.bincount(inverse, weights=w[~short], minlength=starts.size).astype(np.int64)
        out.update(zip(starts.tolist(), long.tolist(), strict=True))
    return out


def _length_examples(
    s: pl.Series, length: np.ndarray, keys: np.ndarray, idx: np.ndarray, key: bytes | None
) -> list[tuple[int, int, str]]:
    chosen = s.gather(idx.tolist())
    if key is not None:
        shown = value_shape(chosen).to_list()
    else:
        shown = [v if len(v) <= _CLIP else v[: _CLIP - 1] + "…" for v in chosen.to_list()]
    return [
        (int(n), int(k), str(v))
        for n, k, v in zip(length[idx].tolist(), keys[idx].tolist(), shown, strict=True)
    ]


def merge_lengths(a: LengthTally | None, b: LengthTally | None) -> LengthTally | None:
    """The tally of both parts; None (not counted) when either part did not count."""
    if a is None or b is None:
        return None
    return LengthTally(
        counts={k: a.counts.get(k, 0) + b.counts.get(k, 0) for k in sorted({*a.counts, *b.counts})},
        longest=_extremes([*a.longest, *b.longest], sign=-1),
        shortest=_extremes([*a.shortest, *b.shortest], sign=1),
    )


def _extremes(examples: list[tuple[int, int, str]], *, sign: int) -> list[tuple[int, int, str]]:
    """The first :data:`SPECIAL_EXAMPLES` distinct examples by ``sign * length``, then key."""
    unique = {(sign * n, k): v for n, k, v in examples}
    return [(sign * m, k, v) for (m, k), v in sorted(unique.items())[:SPECIAL_EXAMPLES]]
