"""numpy kernels of the defined 64-bit hashes (:mod:`mlaudit.summary._hashing` states the scheme).

Everything is ``uint64`` arithmetic modulo ``2**64`` on whole arrays: the SplitMix64 mixers, the
byte-string hash read from Arrow buffers, and the keyed sum that folds a sequence of 64-bit items
(a string's words, a list's element hashes) into one value.  Strings of up to 12 bytes in a view
array are read from the views themselves; other strings as unaligned 8-byte words from the
offsets' data buffer (a view array with longer strings is first cast to that layout, one copy of
its bytes).  Sliced arrays are read at their offset.  No loop here runs once per value: loops go
over blocks of strings, word positions (up to the shortest string's) or chunks of words.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa

__all__ = [
    "GOLDEN",
    "bytes_hashes",
    "fmix_inplace",
    "fold_items",
    "mix_inplace",
    "null_hash",
    "sm",
    "word_keys",
]

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
_LO32 = np.uint64(0xFFFFFFFF)
# _TAIL[r]: the low r bytes of a little-endian word (r = 0..8).
_TAIL = np.array([(1 << (8 * r)) - 1 for r in range(9)], dtype=np.uint64)
_BLOCK = 1 << 17  # strings hashed per block (measured fastest: temporaries stay in cache)
_CHUNK_WORDS = 1 << 14  # words per chunk of the ragged pass (temporaries stay in cache)
_INLINE = 12  # Arrow string views hold strings of up to 12 bytes inside the view
_EMPTY = np.zeros(0, dtype=np.uint8)


def fmix_inplace(z: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser applied to ``z`` in place (``scratch``: same shape, overwritten)."""
    np.right_shift(z, _S30, out=scratch)
    z ^= scratch
    z *= _C1
    np.right_shift(z, _S27, out=scratch)
    z ^= scratch
    z *= _C2
    np.right_shift(z, _S31, out=scratch)
    z ^= scratch
    return z


def mix_inplace(z: np.ndarray) -> np.ndarray:
    """SplitMix64 ``sm(x) = fmix(x + golden)`` of ``uint64`` values, in place."""
    z += GOLDEN
    return fmix_inplace(z, np.empty_like(z))


def sm(x: int) -> np.uint64:
    """:func:`mix_inplace` of one integer (taken modulo ``2**64``)."""
    z = np.array([x & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
    return np.uint64(mix_inplace(z)[0])


def null_hash(key: np.uint64) -> np.uint64:
    """The hash of a null under ``key``: ``fmix(key)`` (no golden-ratio increment)."""
    z = np.array([key], dtype=np.uint64)
    return np.uint64(fmix_inplace(z, np.empty_like(z))[0])


def word_keys(key: np.uint64, n: int) -> np.ndarray:
    """``K_k = sm(key + k)`` for word (or item) positions ``k = 0..n-1``."""
    return mix_inplace(np.arange(n, dtype=np.uint64) + key)


def bytes_hashes(arr: pa.Array, key: np.uint64) -> np.ndarray:
    """Hash of every element of a string or binary Arrow array (any layout) under ``key``.

    Layouts: ``string``/``binary`` (32-bit offsets), ``large_*`` (64-bit offsets),
    ``*_view`` and dictionaries of any of these.  Null elements get an unspecified value:
    callers replace or drop them.
    """
    n = len(arr)
    if pa.types.is_dictionary(arr.type):
        values = bytes_hashes(arr.dictionary, key)
        if values.size == 0:
            return np.zeros(n, dtype=np.uint64)
        return values[np.asarray(arr.indices.fill_null(0), dtype=np.int64)]
    if n <= _BLOCK:
        return _block_hashes(arr, key)
    out = np.empty(n, dtype=np.uint64)
    for a in range(0, n, _BLOCK):  # blocks (zero-copy slices) keep the temporaries in cache
        out[a : a + _BLOCK] = _block_hashes(arr.slice(a, _BLOCK), key)
    return out


def _block_hashes(arr: pa.Array, key: np.uint64) -> np.ndarray:
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    if pa.types.is_string_view(arr.type) or pa.types.is_binary_view(arr.type):
        views = np.frombuffer(arr.buffers()[1], dtype="<u8", count=2 * (arr.offset + n))
        v0, v1 = views[2 * arr.offset :: 2], views[2 * arr.offset + 1 :: 2]
        lens = v0 & _LO32  # the view's first 4 bytes
        if int(lens.max()) <= _INLINE:
            return _finish(_inline_sums(v0, v1, lens, key), lens, key)
        # Longer strings sit in many buffers: one contiguous copy is cheaper than a pass per buffer.
        arr = arr.cast(pa.large_binary())
    acc, lens = _offset_sums(arr, key)
    return _finish(acc, lens, key)


def _finish(acc: np.ndarray, lens: np.ndarray, key: np.uint64) -> np.ndarray:
    """``sm(acc ^ length ^ key)``, in place over ``acc``."""
    acc ^= lens.view(np.uint64)
    acc ^= key
    return mix_inplace(acc)


def _offset_sums(arr: pa.Array, key: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    n, bufs = len(arr), arr.buffers()
    large = pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type)
    odt = np.int64 if large else np.int32
    off = np.frombuffer(bufs[1], dtype=odt, count=arr.offset + n + 1)[arr.offset :]
    off = off.astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else _EMPTY
    return _word_sums(data, off, key), np.diff(off)


def _inline_sums(v0: np.ndarray, v1: np.ndarray, lens: np.ndarray, key: np.uint64) -> np.ndarray:
    """Word sums of strings of up to 12 bytes held in the views (``lens``: ``uint64``)."""
    keys = word_keys(key, 2)
    at = lens.view(np.int64)
    w = v0 >> _S32
    w |= v1 << _S32  # string bytes 0..7
    w &= _TAIL[np.minimum(at, 8)]
    w ^= keys[0]
    scratch = np.empty_like(w)
    fmix_inplace(w, scratch)
    if int(lens.min()) == 0:
        w[lens == 0] = 0  # the empty string has no word
    if int(lens.max()) > 8:
        w2 = v1 >> _S32  # string bytes 8..11
        w2 &= _TAIL[np.clip(at - 8, 0, 4)]
        w2 ^= keys[1]
        fmix_inplace(w2, scratch)
        w2[lens <= 8] = 0
        w += w2
    return w


def _word_sums(data: np.ndarray, off: np.ndarray, key: np.uint64) -> np.ndarray:
    """``sum_k fmix(word_k ^ K_k)`` of the strings ``data[off[i] : off[i + 1]]``.

    Reads unaligned 8-byte words through a byte-strided ``uint64`` view of ``data``.  The
    strings ending in the last 8 bytes (a suffix: offsets only grow) could read past the end,
    so they are read from a zero-padded copy of that tail.
    """
    pos, lens = off[:-1], np.diff(off)
    nw = (lens + 7) >> 3
    acc = np.zeros(lens.size, dtype=np.uint64)
    if nw.size == 0 or int(nw.max()) == 0:
        return acc
    keys = word_keys(key, int(nw.max()))
    cut = int(np.searchsorted(off[1:], data.size - 8, side="right"))
    if cut:
        words = np.ndarray((data.size - 7,), dtype="<u8", buffer=data, strides=(1,))
        acc[:cut] = _sum_words(words, pos[:cut], lens[:cut], nw[:cut], keys)
    if cut < lens.size:
        lo = int(pos[cut])
        tail = np.concatenate([data[lo:], np.zeros(8, dtype=np.uint8)])
        words = np.ndarray((tail.size - 7,), dtype="<u8", buffer=tail, strides=(1,))
        acc[cut:] = _sum_words(words, pos[cut:] - lo, lens[cut:], nw[cut:], keys)
    return acc


def _sum_words(
    words: np.ndarray, pos: np.ndarray, lens: np.ndarray, nw: np.ndarray, keys: np.ndarray
) -> np.ndarray:
    """Word positions every string has go column by column; the ragged rest in flat chunks."""
    common = int(nw.min())
    acc = np.zeros(lens.size, dtype=np.uint64)
    scratch = np.empty(lens.size, dtype=np.uint64)
    for k in range(common):
        w = words[pos + 8 * k]
        if k == common - 1:  # the last word of the shortest strings
            w &= _TAIL[np.minimum(lens - 8 * k, 8)]
        w ^= keys[k]
        acc += fmix_inplace(w, scratch)
    rest = np.flatnonzero(nw > common)
    if rest.size:
        skip = 8 * common
        acc[rest] += _ragged(words, pos[rest] + skip, lens[rest] - skip, keys[common:])
    return acc


def _ragged(words: np.ndarray, pos: np.ndarray, lens: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Word sums of strings of mixed word counts (each has at least one word), chunk by chunk."""
    nw = (lens + 7) >> 3
    ends = np.cumsum(nw)
    out = np.empty(lens.size, dtype=np.uint64)
    marks = np.arange(_CHUNK_WORDS, int(ends[-1]), _CHUNK_WORDS)
    bounds = [0, *np.unique(np.searchsorted(ends, marks, side="right")).tolist(), lens.size]
    for a, b in itertools.pairwise(bounds):
        if a < b:
            out[a:b] = _flat_sums(words, pos[a:b], lens[a:b], nw[a:b], keys)
    return out


def _flat_sums(
    words: np.ndarray, pos: np.ndarray, lens: np.ndarray, nw: np.ndarray, keys: np.ndarray
) -> np.ndarray:
    """One array entry per word: gather, mask the last, key, mix, sum per string."""
    ends = np.cumsum(nw)
    first = ends - nw
    k = np.arange(int(ends[-1]), dtype=np.int64)
    k -= np.repeat(first, nw)  # word position within its string
    at = np.repeat(pos, nw)
    at += 8 * k
    w = words[at]
    last = ends - 1
    w[last] &= _TAIL[lens - 8 * (nw - 1)]
    w ^= keys[k]
    fmix_inplace(w, at.view(np.uint64))
    return np.add.reduceat(w, first)


def fold_items(items: np.ndarray, offsets: np.ndarray, key: np.uint64) -> np.ndarray:
    """``sm(sum_k fmix(item_k ^ K_k) ^ count ^ key)`` per segment ``offsets[i]:offsets[i+1]``.

    The same fold as a string's words, over 64-bit items (a list's element hashes).
    """
    counts = np.diff(offsets)
    acc = np.zeros(counts.size, dtype=np.uint64)
    if items.size:
        k = np.arange(items.size, dtype=np.int64) - np.repeat(offsets[:-1], counts)
        m = items ^ word_keys(key, int(counts.max()))[k]
        fmix_inplace(m, np.empty_like(m))
        has = np.flatnonzero(counts)
        acc[has] = np.add.reduceat(m, offsets[:-1][has])
    return _finish(acc, counts, key)
