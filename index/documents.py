"""The records that flow through the index: a source document, a located passage of it, and its chunks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["Chunk", "SourceDocument", "SourceSpan", "content_hash"]


def content_hash(text: str) -> str:
    """SHA-256 of a document's text, the identity of one version of it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SourceDocument:
    """A brief as indexed: its full text and what is known about it."""

    source: str
    text: str
    title: str
    date: str | None = None
    path: str | None = None
    format: str = "txt"
    entities: str | None = None
    """The entity index of the text (``index.entities.entities_to_json``), computed at ingest."""

    @property
    def sha256(self) -> str:
        """Content hash of the text."""
        return content_hash(self.text)


@dataclass(frozen=True)
class SourceSpan:
    """A passage of a stored document: ``store.text(source)[start:end]``, in paragraph ``paragraph`` (from 1).

    Chunks, evidence sentences, citations and quotes are all source spans with more fields after these four.
    """

    source: str
    start: int
    end: int
    paragraph: int

    def of(self, text: str) -> str:
        """The characters of ``text`` (the stored text of ``source``) this span covers."""
        return text[self.start : self.end]

    @property
    def label(self) -> str:
        """The citation string a briefer pastes: ``china-belarus-brief.txt, ¶3, chars 1204–1290``."""
        return f"{self.source}, ¶{self.paragraph}, chars {self.start}–{self.end}"


@dataclass(frozen=True)
class Chunk(SourceSpan):
    """A run of whole sentences of one document: ``text`` is its characters."""

    text: str
    index: int
    doc_sha256: str

    @property
    def id(self) -> str:
        """Stable id: the same text of the same version gets the same id."""
        return f"{self.source}:{self.doc_sha256[:16]}:{self.index}"
