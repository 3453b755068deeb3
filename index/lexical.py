"""A BM25 index over chunks, built once and queried many times, plus the tokenizer the assistant shares."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

import numpy as np
from scipy import sparse

from .documents import Chunk

__all__ = ["STOPWORDS", "LexicalIndex", "content_terms", "name_term", "normalize_term", "tokenize"]

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves s t don according did does tell say said says brief briefs
    """.split()
)
_DEMONYMS = {
    "chinese": "china",
    "sino": "china",
    "russian": "russia",
    "ukrainian": "ukraine",
    "belarusian": "belarus",
    "georgian": "georgia",
    "korean": "korea",
    "moldovan": "moldova",
    "american": "america",
    "british": "britain",
    "french": "france",
    "german": "germany",
    "iranian": "iran",
    "israeli": "israel",
    "japanese": "japan",
    "indian": "india",
    "turkish": "turkey",
    "polish": "poland",
    "syrian": "syria",
    "kazakh": "kazakhstan",
    "uzbek": "uzbekistan",
    "european": "europe",
    "african": "africa",
    "asian": "asia",
    "western": "west",
    "soviet": "ussr",
    "kremlin": "russia",
}
# News names a government by its capital ("Beijing said", "talks with Minsk"): such a capital means its country.
# Only capitals that are rarely anything else are listed ("Washington" and "London" are also surnames).
_CAPITALS = {
    capital: country
    for country, capitals in {
        "afghanistan": "kabul",
        "armenia": "yerevan",
        "azerbaijan": "baku",
        "belarus": "minsk",
        "china": "beijing peking",
        "estonia": "tallinn",
        "georgia": "tbilisi",
        "hungary": "budapest",
        "iran": "tehran",
        "iraq": "baghdad",
        "japan": "tokyo",
        "kazakhstan": "astana",
        "kyrgyzstan": "bishkek",
        "latvia": "riga",
        "lithuania": "vilnius",
        "moldova": "chisinau",
        "pakistan": "islamabad",
        "poland": "warsaw",
        "romania": "bucharest",
        "russia": "moscow",
        "saudi": "riyadh",
        "syria": "damascus",
        "taiwan": "taipei",
        "tajikistan": "dushanbe",
        "turkey": "ankara",
        "ukraine": "kyiv kiev",
        "uzbekistan": "tashkent",
    }.items()
    for capital in capitals.split()
}
_WORD = re.compile(r"[^\W_]+(?:[’'][^\W_]+)*", re.UNICODE)


def _normalize(word: str, capitals: bool) -> str:
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    word = _DEMONYMS.get(word) or (_CAPITALS.get(word, word) if capitals else word)
    if word.endswith(("us", "is", "ss")):
        return word
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    else:
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


@lru_cache(maxsize=1 << 17)
def normalize_term(word: str) -> str:
    """Lower-case a word and strip a possessive and light English inflections, so forms of one word meet.

    A demonym or a capital becomes its country ("Chinese", "Beijing" -> ``china``).
    A crude but stable stemmer: ``exercises``/``exercise`` -> ``exercis``, ``reported`` -> ``report``.
    Memoised: a corpus repeats its words, so building a large BM25 index mostly hits the cache.
    """
    return _normalize(word, capitals=True)


@lru_cache(maxsize=1 << 14)
def name_term(word: str) -> str:
    """Like :func:`normalize_term`, but a capital stays itself: a name must be supported as it is written."""
    return _normalize(word, capitals=False)


def tokenize(text: str) -> list[str]:
    """Normalised word tokens of ``text``, stopwords included."""
    return [normalize_term(w) for w in _WORD.findall(text)]


def content_terms(text: str) -> list[str]:
    """Normalised tokens without stopwords: the terms that carry meaning."""
    return [t for t in (normalize_term(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS) if t]


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
