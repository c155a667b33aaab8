"""MinHash signatures over word or character shingles (numpy + hashlib, no third-party sketch)."""

from __future__ import annotations

import hashlib
import re

import numpy as np

NUM_PERM = 128
_PRIME = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_WORD = re.compile(r"\w+", re.UNICODE)


def _permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, (1 << 32) - 1, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, (1 << 32) - 1, size=num_perm, dtype=np.uint64)
    return a, b


_A, _B = _permutations(NUM_PERM)


def word_shingles(text: str, k: int = 5) -> set[str]:
    """Lower-cased word k-shingles of ``text`` (the whole text when shorter than k words)."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def char_shingles(text: str, k: int = 5) -> set[str]:
    """Character k-shingles of ``text`` with whitespace collapsed."""
    t = " ".join(text.lower().split())
    if len(t) < k:
        return {t} if t else set()
    return {t[i : i + k] for i in range(len(t) - k + 1)}


def _hash32(items: set[str]) -> np.ndarray:
    """The 32-bit BLAKE2b hash of each item (its digest read as a little-endian integer)."""
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(s.encode("utf-8"), digest_size=4).digest() for s in items])
    return np.frombuffer(digests, dtype="<u4").astype(np.uint64)


def signature(shingles: set[str]) -> np.ndarray:
    """The MinHash signature (uint32, NUM_PERM values) of a shingle set; all-max when empty."""
    if not shingles:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    h = _hash32(shingles)
    # (a*h + b) mod p, truncated to 32 bits; a, h < 2**32 so the product fits in uint64 modulo wrap
    vals = (np.outer(_A, h) + _B[:, None]) % _PRIME & _MAX32
    return vals.min(axis=1).astype(np.uint32)


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal slots)."""
    return float(np.mean(sig_a == sig_b))


def jaccard_many(sig: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Estimated Jaccard of one signature against each row of ``others``."""
    if others.size == 0:
        return np.zeros(0)
    return (others == sig[None, :]).mean(axis=1)


# Article signatures are banded for the syndication look-up: 32 bands of 4 slots. Two signatures
# with an estimated Jaccard of at least 0.8 differ in at most 25 of the 128 slots, so they share
# at least 7 whole bands: every such pair is found.
ARTICLE_BANDS = 32


def key64(text: str) -> int:
    """A signed 64-bit integer standing for a key string (a paragraph key hash or an LSH band)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


def article_bands(sig: np.ndarray, bands: int = ARTICLE_BANDS) -> list[int]:
    """64-bit keys of the bands of an article signature: articles sharing one are syndication candidates."""
    rows = len(sig) // bands
    data = np.ascontiguousarray(sig, dtype=np.uint32)
    return [int.from_bytes(hashlib.blake2b(data[b * rows:(b + 1) * rows].tobytes(), digest_size=8,
                                           person=b.to_bytes(2, "little")).digest(), "little", signed=True)
            for b in range(bands)]
