"""A BM25 index over chunks, built once and queried many times; its terms are :func:`index.terms.content_terms`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain

import numpy as np
from scipy import sparse

from .documents import Chunk
from .terms import content_terms

__all__ = ["LexicalIndex"]


class LexicalIndex:
    """Okapi BM25 over a fixed list of chunks, held as a sparse term-weight matrix."""

    def __init__(self, chunks: Sequence[Chunk], k1: float = 1.5, b: float = 0.75) -> None:
        """Build the index once; querying never rebuilds it."""
        self.chunks = list(chunks)
        self._vocabulary: dict[str, int] = {}
        terms = [content_terms(chunk.text) for chunk in self.chunks]
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        vocabulary = self._vocabulary
        cols = np.fromiter(
            (vocabulary.setdefault(term, len(vocabulary)) for term in chain.from_iterable(terms)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        rows = np.repeat(np.arange(len(terms)), lengths)
        shape = (len(self.chunks), max(1, len(vocabulary)))
        # Converting to CSR sums the repeated (chunk, term) pairs into term counts.
        tf = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=shape, dtype=np.float64)
        tf.sum_duplicates()
        documents = len(self.chunks)
        frequency = np.bincount(tf.indices, minlength=shape[1]).astype(np.float64)
        self._idf = np.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))
        average = float(lengths.mean()) if documents else 1.0
        norm = k1 * (1.0 - b + b * lengths / max(average, 1e-9))
        tf = tf.tocoo()
        weights = tf.data * (k1 + 1.0) / (tf.data + norm[tf.row])
        self._weights = sparse.csc_matrix((weights * self._idf[tf.col], (tf.row, tf.col)), shape=shape)

    def __len__(self) -> int:
        """Number of chunks indexed."""
        return len(self.chunks)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a normalised term (the highest value for an unknown term)."""
        col = self._vocabulary.get(term)
        if col is None:
            return math.log(1.0 + (len(self.chunks) + 0.5) / 0.5)
        return float(self._idf[col])

    def search(self, query: str, k: int) -> list[tuple[Chunk, float]]:
        """The ``k`` best chunks for ``query`` with their BM25 scores (only chunks sharing a term)."""
        cols = [self._vocabulary[t] for t in set(content_terms(query)) if t in self._vocabulary]
        if not cols or not self.chunks:
            return []
        scores = np.asarray(self._weights[:, cols].sum(axis=1)).ravel()
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ranked = sorted(candidates.tolist(), key=lambda i: -scores[i])
        return [(self.chunks[i], float(scores[i])) for i in ranked]
