"""The indexed briefs as whole texts, for answers about a whole brief: its sentences and its entity mentions.

Lists, overviews and timelines read every sentence of a brief rather than the top-k passages. Each sentence
is a :class:`SourceSentence`, an exact span of the stored text that turns into a :class:`Citation`. The
entity index is the one stored at ingest; a document indexed before there was one gets it computed from its
stored text. Either is kept in memory, by content hash, for the rest of the process.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from index import BriefStore, SourceSpan, paragraph_spans, sentence_spans
from index.entities import Mention, entities_from_json, extract_mentions

from .citations import Citation
from .errors import SourceError

__all__ = ["Brief", "SourceSentence", "load_briefs"]


@dataclass(frozen=True)
class SourceSentence(SourceSpan):
    """One sentence of a stored document: ``text == stored_text[start:end]``; ``paragraph`` counts from 1."""

    text: str

    def citation(self, n: int, score: float = 1.0, title: str = "") -> Citation:
        """The sentence as the numbered citation ``[n]`` of an answer."""
        return Citation.of_span(self, n, self.text, score, title)

    def as_dict(self) -> dict[str, object]:
        """Return the JSON shape of a citation: source, start, end, quote, paragraph, label."""
        return {
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "quote": self.text,
            "paragraph": self.paragraph,
            "label": self.label,
        }


@dataclass(frozen=True)
class Brief:
    """One indexed document: its stored text, what is known of it, and its entity mentions."""

    source: str
    title: str
    date: str | None
    text: str
    mentions: tuple[Mention, ...]

    @cached_property
    def sentences(self) -> list[SourceSentence]:
        """Every sentence, in order."""
        return [
            SourceSentence(self.source, span.start, span.end, number, span.of(self.text))
            for number, paragraph in enumerate(paragraph_spans(self.text), start=1)
            for span in sentence_spans(self.text, paragraph)
        ]

    @cached_property
    def _starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    def sentence_at(self, position: int) -> SourceSentence | None:
        """The sentence holding the character at ``position``, if any (not the white space between sentences)."""
        index = bisect.bisect_right(self._starts, position) - 1
        if index < 0:
            return None
        sentence = self.sentences[index]
        return sentence if position < sentence.end else None


_CACHED_DOCUMENTS = 4096
_cache: OrderedDict[str, tuple[Mention, ...]] = OrderedDict()
_cache_lock = threading.Lock()


def _mentions(store: BriefStore, source: str, sha256: str, text: str) -> tuple[Mention, ...]:
    """The entity index stored with a document, or one computed from its text; kept per content hash."""
    with _cache_lock:
        cached = _cache.get(sha256)
    if cached is None:
        stored = store.stored_entities(source)
        found = entities_from_json(stored, text) if stored else None
        cached = tuple(found if found is not None else extract_mentions(text))
        with _cache_lock:
            _cache[sha256] = cached
            while len(_cache) > _CACHED_DOCUMENTS:
                _cache.popitem(last=False)
    return cached


def load_briefs(store: BriefStore, sources: Sequence[str] | None = None) -> list[Brief]:
    """The indexed briefs (only ``sources`` when given), sorted by source name.

    Raises:
        SourceError: a name in ``sources`` is not an indexed document.

    """
    committed = store.committed()
    unknown = sorted(set(sources or ()) - committed.keys())
    if unknown:
        raise SourceError(f"No document named {unknown[0]!r} in the index; `brief list` shows what is there")
    chosen = sorted(set(sources)) if sources else sorted(committed)
    briefs = []
    for source in chosen:
        info = committed[source]
        text = store.text(source)
        briefs.append(Brief(source, info.title, info.date, text, _mentions(store, source, info.sha256, text)))
    return briefs
