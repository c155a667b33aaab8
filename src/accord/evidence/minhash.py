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
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little") for s in items),
        dtype=np.uint64,
        count=len(items),
    )


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


class BucketIndex:
    """Many 64-bit integer values per 64-bit integer key, each key's values in insertion order.

    Held in two numpy arrays sorted by key (16 bytes an entry) and a dict of the latest entries,
    merged into the arrays once it holds a quarter as many, so that an index of millions of LSH
    band entries takes tens of MB rather than the GB of Python lists and tuples.
    """

    MIN_MERGE = 4096

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.int64)
        self._values = np.empty(0, dtype=np.int64)
        self._recent: dict[int, list[int]] = {}
        self._n_recent = 0

    def __len__(self) -> int:
        return len(self._keys) + self._n_recent

    def add(self, key: int, value: int) -> None:
        """Append ``value`` to the values of ``key``."""
        self._recent.setdefault(key, []).append(value)
        self._n_recent += 1
        if self._n_recent >= max(self.MIN_MERGE, len(self._keys) // 4):
            self._merge()

    def get(self, key: int) -> list[int]:
        """The values of ``key`` in the order they were added (empty when none)."""
        lo = int(np.searchsorted(self._keys, key, side="left"))
        hi = int(np.searchsorted(self._keys, key, side="right"))
        out = self._values[lo:hi].tolist() if hi > lo else []
        out.extend(self._recent.get(key, ()))
        return out

    def _merge(self) -> None:
        keys = np.fromiter((k for k, vs in self._recent.items() for _ in vs), dtype=np.int64, count=self._n_recent)
        values = np.fromiter((v for vs in self._recent.values() for v in vs), dtype=np.int64, count=self._n_recent)
        keys = np.concatenate([self._keys, keys])
        order = np.argsort(keys, kind="stable")  # older entries first within a key
        self._keys = keys[order]
        self._values = np.concatenate([self._values, values])[order]
        self._recent.clear()
        self._n_recent = 0
