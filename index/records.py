"""What the store keeps of each document and chunk in Chroma's metadata, and how it reads back.

A document's record (in the documents collection) holds what :class:`DocumentInfo` shows: its name, title,
content hash, chunk count, date, file, format, time indexed, the analyst's grade of its source, and whether its text
is suspect, with the sentences flagged. Each chunk's metadata names its document's version (``doc_sha256``), which
is how a reader tells committed chunks from those of an interrupted write.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .documents import Chunk, SourceDocument
from .grades import Grade
from .suspect import Flag, find_flags

__all__ = [
    "DocumentInfo",
    "TextCache",
    "chunk_from",
    "chunk_metadata",
    "document_record",
    "info_from",
    "is_committed",
]


@dataclass(frozen=True)
class DocumentInfo:
    """What the index knows of one document, without its text.

    ``grade`` is the analyst's Admiralty grade of the source (``B2``), if any. ``suspect`` says the text holds
    sentences addressed to an AI system, ``flags`` which (see :mod:`index.suspect`).
    """

    source: str
    title: str
    sha256: str
    chunks: int
    date: str | None = None
    path: str | None = None
    format: str = "txt"
    indexed_at: str = ""
    grade: str | None = None
    suspect: bool = False
    flags: tuple[Flag, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {**self.__dict__, "flags": [flag.as_dict() for flag in self.flags]}


def chunk_from(document: str, metadata: Any) -> Chunk:
    """A chunk read back from its text and its metadata in the chunks collection."""
    return Chunk(
        source=str(metadata["source"]),
        text=document,
        start=int(metadata["start"]),
        end=int(metadata["end"]),
        paragraph=int(metadata["paragraph"]),
        index=int(metadata["index"]),
        doc_sha256=str(metadata["doc_sha256"]),
    )


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    """The metadata a chunk is stored with."""
    return {
        "source": chunk.source,
        "doc_sha256": chunk.doc_sha256,
        "start": chunk.start,
        "end": chunk.end,
        "paragraph": chunk.paragraph,
        "index": chunk.index,
    }


def is_committed(committed: Mapping[str, DocumentInfo], metadata: Any) -> bool:
    """Whether a stored chunk belongs to the committed version of its document (None: deleted since it was found)."""
    if metadata is None:
        return False
    info = committed.get(str(metadata["source"]))
    return info is not None and info.sha256 == metadata["doc_sha256"]


def info_from(metadata: Any) -> DocumentInfo:
    """A document's record read back."""
    return DocumentInfo(
        source=str(metadata["source"]),
        title=str(metadata.get("title", metadata["source"])),
        sha256=str(metadata["sha256"]),
        chunks=int(metadata.get("chunks", 0)),
        date=metadata.get("date") or None,
        path=metadata.get("path") or None,
        format=str(metadata.get("format", "txt")),
        indexed_at=str(metadata.get("indexed_at", "")),
        grade=metadata.get("grade") or None,
        suspect=bool(metadata.get("suspect", False)),
        flags=tuple(Flag(**flag) for flag in json.loads(metadata.get("flags") or "[]")),
    )


def document_record(document: SourceDocument, chunks: int, indexed_at: str, grade: Grade | None) -> dict[str, Any]:
    """A document's record, with the sentences of its text flagged as suspect.

    Chroma merges a record into the one it replaces and deletes the keys set to None, so the grade of the version
    replaced is kept unless ``grade`` is given.
    """
    flags = find_flags(document.text)
    record: dict[str, Any] = {
        "source": document.source,
        "title": document.title,
        "sha256": document.sha256,
        "chunks": chunks,
        "format": document.format,
        "indexed_at": indexed_at,
        "date": document.date or None,
        "path": document.path or None,
        "suspect": bool(flags),
        "flags": json.dumps([flag.as_dict() for flag in flags], ensure_ascii=False),
        "entities": document.entities,  # the entity index (issue #13), read back by BriefStore.stored_entities
    }
    if grade is not None:
        record["grade"] = str(grade)
    return record


class TextCache:
    """Document texts by (source, content hash), least recently used dropped first beyond a character budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._texts: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> str | None:
        """The text kept for (source, content hash), now the most recently used; None when not kept."""
        with self._lock:
            text = self._texts.get(key)
            if text is not None:
                self._texts.move_to_end(key)
            return text

    def put(self, key: tuple[str, str], text: str) -> None:
        """Keep a text, dropping the least recently used beyond the budget (one longer than it is not kept)."""
        with self._lock:
            if key in self._texts or len(text) > self.budget:
                return
            self._texts[key] = text
            self._chars += len(text)
            while self._chars > self.budget:
                _, dropped = self._texts.popitem(last=False)
                self._chars -= len(dropped)

    def __len__(self) -> int:
        return len(self._texts)
