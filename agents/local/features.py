"""The features the intent classifier sees: character n-grams (2–5, inside word boundaries marked by
spaces) and word unigrams and bigrams of the normalised utterance, hashed into a fixed number of
buckets with CRC-32 (stable across processes, so a saved model stays valid)."""

from __future__ import annotations

import math
import zlib
from collections import Counter

BUCKETS = 1 << 18
_MASK = BUCKETS - 1
CHAR_NGRAMS = (2, 3, 4, 5)


def hashed_counts(norm: str) -> Counter[int]:
    """Bucket -> count for one normalised utterance."""
    counts: Counter[int] = Counter()
    padded = f" {norm} "
    for n in CHAR_NGRAMS:
        for i in range(len(padded) - n + 1):
            counts[zlib.crc32(("c" + padded[i : i + n]).encode("utf-8", "surrogatepass")) & _MASK] += 1
    words = norm.split()
    for i, w in enumerate(words):
        counts[zlib.crc32(("w " + w).encode("utf-8", "surrogatepass")) & _MASK] += 1
        if i:
            counts[zlib.crc32(f"b {words[i - 1]} {w}".encode("utf-8", "surrogatepass")) & _MASK] += 1
    return counts


def weighted(counts: Counter[int], idf: dict[int, float], default_idf: float) -> tuple[list[int], list[float]]:
    """Sublinear tf times idf, L2-normalised: (buckets, weights)."""
    keys = list(counts)
    vals = [(1.0 + math.log(counts[k])) * idf.get(k, default_idf) for k in keys]
    norm = math.sqrt(sum(v * v for v in vals)) or 1.0
    return keys, [v / norm for v in vals]
