"""Quotes for briefers: verbatim sentences about a topic, ranked, each with a ready citation.

Candidates come from the hybrid retriever; each retrieved chunk is cut into whole sentences (spans of
the stored document text), every sentence is scored against the topic, adjacent passing sentences of one
paragraph are merged into one run, and each quote is checked character for character against the stored
source before it is returned.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from index import BriefError, BriefStore, Chunk, DocumentInfo, SourceSpan, paragraph_spans, sentence_spans
from index.terms import content_terms

from .briefs import SourceSentence
from .evidence import SentenceEmbeddingCache
from .retrieval import HybridRetriever

__all__ = ["LEXICAL_WEIGHT", "RELEVANCE_FLOOR", "SUSPECT", "Quote", "QuoteError", "QuoteResult", "find_quotes"]

LEXICAL_WEIGHT = 0.25
RELEVANCE_FLOOR = 0.45
"""The least score a sentence needs to be quoted: ``cosine + LEXICAL_WEIGHT * term_coverage``.

``cosine`` is between the normalised embeddings of the topic and of the sentence; ``term_coverage`` is
the share of the topic's content terms (``index.terms.content_terms``) found in the sentence.
Calibrated with all-MiniLM-L6-v2 on seeds/china-belarus-brief.txt (best sentence, cosine / coverage):
on-topic "North Korean troops" 0.43 / 0.67, "hybrid warfare skills" 0.50 / 0.67, "Moldova" 0.56 / 1,
"Denisenko" 0.36 / 1, "Georgia elections" 0.68 / 1, so scores 0.60 to 0.93; off-topic "Iran nuclear
program" 0.33 / 0, "Taiwan strait" 0.31 / 0, "climate change" 0.18 / 0, "interest rates in Japan"
0.15 / 0.33, "Brazilian football" 0.16 / 0, "semiconductor export controls" 0.06 / 0, so scores up to
0.34. The floor sits between the two groups; it also keeps out on-topic-looking filler such as the
brief's opening sentence for "North Korean troops" (cosine 0.40, no shared term).
"""
SUSPECT = "⚠ suspect: its document holds text addressed to an AI system"
"""The label a quote from a suspect document carries in text and Markdown."""
_MAX_QUOTE_CHARS = 600
_CANDIDATE_CHUNKS = 10
_WHITESPACE = re.compile(r"\s+")


class QuoteError(BriefError):
    """A quote request cannot be served as asked (blank topic, bad limit, unknown document)."""


@dataclass(frozen=True)
class Quote(SourceSpan):
    """A verbatim passage: ``quote == store.text(source)[start:end]`` always holds.

    ``grade`` is its source's Admiralty grade; ``suspect`` says its document holds text addressed to an AI system
    (``index.suspect``): it may be quoted, never without that label.
    """

    quote: str
    score: float
    title: str = ""
    date: str | None = None
    grade: str | None = None
    suspect: bool = False

    @property
    def citation(self) -> str:
        """The citation string to paste after the quote."""
        return self.label

    @property
    def display(self) -> str:
        """The quote with runs of white space (line breaks included) shown as one space."""
        return _WHITESPACE.sub(" ", self.quote)

    @property
    def labels(self) -> str:
        """The source's grade and the suspect warning, as shown beside the citation ("" when neither applies)."""
        return " · ".join(
            part for part in (f"grade {self.grade}" if self.grade else "", self.suspect * SUSPECT) if part
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape of one quote in ``brief quotes --json``."""
        return {
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "quote": self.quote,
            "citation": self.citation,
            "score": round(self.score, 4),
            "title": self.title,
            "date": self.date,
            "grade": self.grade,
            "suspect": self.suspect,
        }


@dataclass
class QuoteResult:
    """The quotes found for a topic, best first, and a sentence saying what was found."""

    topic: str
    quotes: list[Quote]
    message: str

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON object ``brief quotes --json`` prints."""
        return {"topic": self.topic, "quotes": [q.as_dict() for q in self.quotes], "message": self.message}

    def to_markdown(self) -> str:
        """Render a block-quote list: each quote as ``> text`` followed by ``— citation`` and its labels."""
        return "".join(f"> {q.display}\n— {q.citation}{f' ({q.labels})' if q.labels else ''}\n\n" for q in self.quotes)

    def to_csv(self) -> str:
        """Render a table with a header row: quote, citation, source, paragraph, start, end, score, grade, suspect."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["quote", "citation", "source", "paragraph", "start", "end", "score", "grade", "suspect"])
        for q in self.quotes:
            writer.writerow(
                [
                    *(q.quote, q.citation, q.source, q.paragraph, q.start, q.end, f"{q.score:.4f}"),
                    *(q.grade or "", "true" if q.suspect else "false"),
                ]
            )
        return buffer.getvalue()

    def to_text(self) -> str:
        """Readable text: the message, then each quote with its citation, title, date, labels and score."""
        lines = [self.message]
        for number, q in enumerate(self.quotes, start=1):
            about = [part for part in (q.title if q.title != q.source else "", q.date or "", q.labels) if part]
            lines += ["", f"{number}. “{q.display}”", f"   — {' · '.join([q.citation, *about])} · score {q.score:.2f}"]
        return "\n".join(lines)


def find_quotes(
    topic: str,
    store: BriefStore,
    retriever: HybridRetriever,
    cache: SentenceEmbeddingCache,
    limit: int = 5,
    sources: Sequence[str] | None = None,
) -> QuoteResult:
    """Find the best ``limit`` verbatim quotes about ``topic``, none overlapping another, none below the floor.

    ``cache`` embeds the candidate sentences and, through its embedder, the topic (once, for retrieval and scoring).

    Raises:
        QuoteError: the topic is blank, ``limit`` is below 1, or a name in ``sources`` is not indexed.

    """
    topic = topic.strip()
    if not topic:
        raise QuoteError('The topic is empty; name what to quote on, e.g. brief quotes "North Korean troops"')
    if limit < 1:
        raise QuoteError(f"The quote limit must be at least 1, not {limit}")
    documents = {info.source: info for info in store.documents()}
    if not documents:
        return QuoteResult(topic, [], "No documents indexed yet: brief ingest PATH...")
    unknown = sorted(set(sources or ()) - documents.keys())
    if unknown:
        raise QuoteError(f"No document named {unknown[0]!r} in the index; `brief list` shows what is there")
    query = cache.embeddings.embed_query(topic)
    chunks = [p.chunk for p in retriever.passages(topic, max(3 * limit, _CANDIDATE_CHUNKS), sources, vector=query)]
    texts = {source: store.text(source) for source in sorted({c.source for c in chunks})}
    sentences = _candidate_sentences(chunks, texts)
    scores = _scores(topic, query, [s.text for s in sentences], cache) if sentences else np.zeros(0)
    passing = [(s, float(score)) for s, score in zip(sentences, scores, strict=True) if score >= RELEVANCE_FLOOR]
    quotes = [q for q in _runs(passing, texts, documents) if q.of(texts[q.source]) == q.quote]
    quotes = sorted(quotes, key=lambda q: (-q.score, q.source, q.start))[:limit]
    return QuoteResult(topic, quotes, _message(topic, quotes, sources))


def _candidate_sentences(chunks: Sequence[Chunk], texts: dict[str, str]) -> list[SourceSentence]:
    """Whole sentences lying inside a retrieved chunk, once each, in document order.

    A sentence's text is its characters as the retrieved chunk holds them, not yet checked against the stored text.
    """
    found: dict[tuple[str, int], SourceSentence] = {}
    paragraphs = {source: paragraph_spans(text) for source, text in texts.items()}
    for chunk in chunks:
        text, spans = texts[chunk.source], paragraphs[chunk.source]
        if not 0 < chunk.paragraph <= len(spans):
            continue
        for span in sentence_spans(text, spans[chunk.paragraph - 1]):
            if chunk.start <= span.start and span.end <= chunk.end:
                piece = chunk.text[span.start - chunk.start : span.end - chunk.start]
                sentence = SourceSentence(chunk.source, span.start, span.end, chunk.paragraph, piece)
                found.setdefault((chunk.source, span.start), sentence)
    return [found[key] for key in sorted(found)]


def _scores(topic: str, query: Sequence[float], sentences: list[str], cache: SentenceEmbeddingCache) -> np.ndarray:
    """Cosine of each sentence with the topic (``query``) plus ``LEXICAL_WEIGHT`` times its coverage of its terms."""
    vectors = _unit(np.asarray(cache.vectors(sentences), dtype=np.float64))
    unit = _unit(np.asarray(query, dtype=np.float64))
    terms = set(content_terms(topic))
    coverage = [len(terms & set(content_terms(s))) / len(terms) if terms else 0.0 for s in sentences]
    return np.asarray(vectors @ unit + LEXICAL_WEIGHT * np.asarray(coverage))


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.asarray(vectors / np.where(norms == 0, 1.0, norms))


def _runs(
    passing: list[tuple[SourceSentence, float]], texts: dict[str, str], documents: dict[str, DocumentInfo]
) -> list[Quote]:
    """Merge passing sentences that follow each other in one paragraph into runs of at most ``_MAX_QUOTE_CHARS``.

    A run's text is its sentences as the retrieved chunks hold them, joined by the white space between them,
    so comparing it with the stored text checks the index against the source. Its score is its best sentence's.
    """
    quotes: list[Quote] = []
    for sentence, score in passing:
        text = texts[sentence.source]
        last = quotes[-1] if quotes else None
        if (
            last
            and last.source == sentence.source
            and last.paragraph == sentence.paragraph
            and not text[last.end : sentence.start].strip()
            and sentence.end - last.start <= _MAX_QUOTE_CHARS
        ):
            joined = last.quote + text[last.end : sentence.start] + sentence.text
            quotes[-1] = replace(last, end=sentence.end, quote=joined, score=max(last.score, score))
            continue
        info = documents.get(sentence.source)
        title, date = (info.title, info.date) if info else (sentence.source, None)
        grade, suspect = (info.grade, info.suspect) if info else (None, False)
        start, end = sentence.start, sentence.end
        quotes.append(
            Quote(sentence.source, start, end, sentence.paragraph, sentence.text, score, title, date, grade, suspect)
        )
    return quotes


def _message(topic: str, quotes: list[Quote], sources: Sequence[str] | None) -> str:
    where = f" (searched only {', '.join(sources)})" if sources else ""
    if not quotes:
        return f"The briefs hold no passage about '{topic}'{where}."
    briefs = len({q.source for q in quotes})
    return f"{_count(len(quotes), 'quote')} about '{topic}' from {_count(briefs, 'brief')}{where}."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
