"""Sentence-level evidence: the sentences of the retrieved passages, scored against the question."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from index import Span, sentence_spans, table_row_reading
from index.terms import STOPWORDS, content_terms

from .briefs import SourceSentence
from .grounding import PARAPHRASE, Question, WordSimilarity, mentions_date
from .retrieval import Passage

__all__ = ["Evidence", "SentenceEmbeddingCache", "coverage", "neighbour", "reading", "select_evidence"]

_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Evidence(SourceSentence):
    """One sentence of a retrieved passage, with how well it matches the question by meaning and by words.

    ``text`` is the sentence as the answer path reads it (:func:`reading`): the stored characters, but for a Markdown
    table row, which reads under its column names. Whatever quotes it takes ``item.of(stored_text)``.
    """

    semantic: float
    lexical: float

    @property
    def score(self) -> float:
        """How well the sentence matches the question (0 to 1)."""
        return 0.55 * self.semantic + 0.45 * self.lexical


def neighbour(like: Evidence, span: Span, text: str) -> Evidence:
    """The sentence at ``span`` of ``like``'s paragraph in ``text``, as the answer path reads it, unscored.

    A sentence shown beside scored evidence for its context: the one after a best sentence, or the one before.
    """
    return Evidence(like.source, span.start, span.end, like.paragraph, reading(text, span.start, span.end), 0.0, 0.0)


def reading(text: str, start: int, end: int) -> str:
    """The sentence at ``start:end`` of ``text`` as the answer path reads it.

    A Markdown table row reads with each cell after its column's name ("District: Corby Flats; Displaced: 9,400"); any
    other sentence as written.
    """
    return table_row_reading(text, start, end) or text[start:end]


class SentenceEmbeddingCache:
    """Sentence vectors kept across questions, so a brief's sentences are embedded once per process."""

    def __init__(self, embeddings: Embeddings, size: int = 20000) -> None:
        """Wrap an embedder with an LRU cache of ``size`` sentences."""
        self.embeddings = embeddings
        self.size = size
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of ``texts``, computing only the ones not seen before."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            computed = self.embeddings.embed_documents(missing)
            with self._lock:
                self._vectors.update(zip(missing, computed, strict=True))
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        with self._lock:
            return [self._vectors.get(t) or self.embeddings.embed_documents([t])[0] for t in texts]

    def word_similarity(self, word: str, candidates: Sequence[str]) -> float:
        """Highest cosine between ``word`` and any of ``candidates`` (single words, embedded once each)."""
        if not candidates:
            return 0.0
        vectors = np.asarray(self.vectors([word, *candidates]), dtype=np.float32)
        return float((vectors[1:] @ vectors[0]).max())


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    x, y = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    norm = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / norm if norm else 0.0


def coverage(
    question: Question, text: str, idf: Callable[[str], float], similarity: WordSimilarity | None = None
) -> float:
    """IDF-weighted share of the question's key terms found in ``text``.

    A term missing from ``text`` still counts, by its similarity, when ``similarity`` finds a word of the
    text close to it (at least 0.55 cosine: "Kyiv" ~ "Ukrainian", "judges" ~ "court"); this is what lets
    paraphrased questions match without letting unrelated ones ("party" ~ "elections" is 0.52) in. The words of a
    relative time expression ("at the end of the month") count as found when ``text`` names a date.
    """
    if not question.terms:
        return 0.0
    present = set(content_terms(text))
    words = list(dict.fromkeys(w.lower() for w in _TOKEN.findall(text) if w.lower() not in STOPWORDS))
    dated = bool(question.temporal) and mentions_date(text)
    total = matched = 0.0
    for term in question.terms:
        weight = idf(term)
        total += weight
        if term in present or (dated and term in question.temporal):
            matched += weight
        elif similarity is not None:
            word = question.word(term)
            # Word pieces make a derived word look close ("capital" ~ "capitalize"): only other words paraphrase.
            closeness = similarity(word, [w for w in words if not w.startswith(word)])
            matched += weight * closeness if closeness >= PARAPHRASE else 0.0
    return matched / total if total else 0.0


def select_evidence(
    passages: Sequence[Passage],
    question: Question,
    query_vector: Sequence[float],
    cache: SentenceEmbeddingCache,
    idf: Callable[[str], float],
    texts: Mapping[str, str],
) -> list[Evidence]:
    """Every distinct sentence of the passages, best first.

    Each is scored as written and carries the text the answer path reads (:func:`reading`, from its stored text).
    """
    seen: set[tuple[str, int]] = set()
    spans: list[tuple[Passage, int, int, str]] = []
    for passage in passages:
        chunk = passage.chunk
        for span in sentence_spans(chunk.text):
            key = (chunk.source, chunk.start + span.start)
            if key not in seen:
                seen.add(key)
                spans.append((passage, chunk.start + span.start, chunk.start + span.end, span.of(chunk.text)))
    vectors = cache.vectors([text for *_, text in spans])
    evidence = [
        Evidence(
            source=passage.chunk.source,
            start=start,
            end=end,
            paragraph=passage.chunk.paragraph,
            text=reading(texts[passage.chunk.source], start, end),
            semantic=max(0.0, _cosine(query_vector, vector)),
            lexical=coverage(question, text, idf, cache.word_similarity),
        )
        for (passage, start, end, text), vector in zip(spans, vectors, strict=True)
    ]
    return sorted(evidence, key=lambda e: -e.score)
