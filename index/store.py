"""The Chroma store of briefs: one collection of chunks with their embeddings, one of whole documents.

A document's record in the documents collection is its commit marker: its chunks are written first,
then the record, then the chunks of the version it replaces are deleted. Readers only see chunks whose
content hash matches a committed record, so a crash mid-write never exposes half a document, and
:meth:`BriefStore.repair` clears what such a crash left behind.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse

from .documents import Chunk, SourceDocument
from .errors import StoreError
from .settings import Settings

__all__ = ["BriefStore", "DocumentInfo", "ScoredChunk"]

_WRITE_BATCH = 1000


@dataclass(frozen=True)
class DocumentInfo:
    """What the index knows of one document, without its text."""

    source: str
    title: str
    sha256: str
    chunks: int
    date: str | None = None
    path: str | None = None
    format: str = "txt"
    indexed_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class ScoredChunk:
    """A chunk with its similarity to a query (cosine, higher is closer)."""

    chunk: Chunk
    score: float


def _chunk_from(document: str, metadata: Any) -> Chunk:
    return Chunk(
        source=str(metadata["source"]),
        text=document,
        start=int(metadata["start"]),
        end=int(metadata["end"]),
        paragraph=int(metadata["paragraph"]),
        index=int(metadata["index"]),
        doc_sha256=str(metadata["doc_sha256"]),
    )


def _info_from(metadata: Any) -> DocumentInfo:
    return DocumentInfo(
        source=str(metadata["source"]),
        title=str(metadata.get("title", metadata["source"])),
        sha256=str(metadata["sha256"]),
        chunks=int(metadata.get("chunks", 0)),
        date=metadata.get("date") or None,
        path=metadata.get("path") or None,
        format=str(metadata.get("format", "txt")),
        indexed_at=str(metadata.get("indexed_at", "")),
    )


class BriefStore:
    """Documents and chunks in Chroma, embedded under ``BRIEF_HOME`` or on a ``chroma run`` server."""

    def __init__(self, settings: Settings) -> None:
        """Remember where the index lives; the connection opens on first use."""
        self.settings = settings
        self._client: Any = None
        self._lock = threading.RLock()
        self._text_cache: dict[str, str] = {}

    @property
    def location(self) -> str:
        """Where the index is, for messages."""
        return self.settings.chroma_url or str(self.settings.chroma_path)

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except Exception as error:  # noqa: BLE001 - any Chroma failure becomes one clear message
            hint = (
                f"check that the Chroma server at {self.settings.chroma_url} is running (chroma run)"
                if self.settings.chroma_url
                else f"if the folder {self.settings.chroma_path} is damaged, run `brief reindex` to rebuild it"
            )
            raise StoreError(f"Cannot {action} the index at {self.location}: {error}; {hint}") from error

    @property
    def client(self) -> Any:
        """The Chroma client, created once."""
        with self._lock:
            if self._client is None:
                with self._guard("open"):
                    self._client = self._connect()
            return self._client

    def _connect(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        url = self.settings.chroma_url
        if url:
            parsed = urlparse(url if "://" in url else f"http://{url}")
            if not parsed.hostname:
                raise StoreError(f"BRIEF_CHROMA_URL={url!r} is not a URL like http://localhost:8000")
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
            return client
        self.settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.settings.chroma_path), settings=chroma_settings)

    def _collection(self, kind: str) -> Any:
        name = f"{self.settings.collection}-{kind}"
        with self._guard("open"):
            return self.client.get_or_create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )

    @property
    def _chunks(self) -> Any:
        return self._collection("chunks")

    @property
    def _documents(self) -> Any:
        return self._collection("documents")

    def documents(self) -> list[DocumentInfo]:
        """Every committed document, sorted by source name."""
        with self._guard("read"):
            result = self._documents.get(include=["metadatas"])
        return sorted((_info_from(m) for m in result["metadatas"] or []), key=lambda d: d.source)

    def document(self, source: str) -> DocumentInfo | None:
        """The committed record of ``source``, if any."""
        with self._guard("read"):
            result = self._documents.get(ids=[source], include=["metadatas"])
        metadatas = result["metadatas"] or []
        return _info_from(metadatas[0]) if metadatas else None

    def text(self, source: str) -> str:
        """The full stored text of ``source``; every citation's offsets point into it."""
        with self._guard("read"):
            result = self._documents.get(ids=[source], include=["documents", "metadatas"])
        if not result["ids"]:
            raise StoreError(f"No document named {source!r} in the index; `brief list` shows what is there")
        sha = str(result["metadatas"][0]["sha256"])
        if sha not in self._text_cache:
            self._text_cache[sha] = result["documents"][0]
        return self._text_cache[sha]

    def signature(self) -> str:
        """A fingerprint of the committed documents: it changes whenever the index content changes."""
        digest = hashlib.sha256()
        for info in self.documents():
            digest.update(f"{info.source}\0{info.sha256}\n".encode())
        return digest.hexdigest()

    def write(self, document: SourceDocument, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        """Index a new version of ``document``, replacing any older one, all or nothing."""
        if len(chunks) != len(embeddings):
            raise StoreError(f"{document.source}: {len(chunks)} chunks but {len(embeddings)} embeddings")
        with self._lock, self._guard("write to"):
            chunk_collection = self._chunks
            for offset in range(0, len(chunks), _WRITE_BATCH):
                batch = chunks[offset : offset + _WRITE_BATCH]
                chunk_collection.upsert(
                    ids=[c.id for c in batch],
                    embeddings=[list(e) for e in embeddings[offset : offset + _WRITE_BATCH]],
                    documents=[c.text for c in batch],
                    metadatas=[
                        {
                            "source": c.source,
                            "doc_sha256": c.doc_sha256,
                            "start": c.start,
                            "end": c.end,
                            "paragraph": c.paragraph,
                            "index": c.index,
                        }
                        for c in batch
                    ],
                )
            record: dict[str, Any] = {
                "source": document.source,
                "title": document.title,
                "sha256": document.sha256,
                "chunks": len(chunks),
                "format": document.format,
                "indexed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            if document.date:
                record["date"] = document.date
            if document.path:
                record["path"] = document.path
            self._documents.upsert(ids=[document.source], embeddings=[[1.0]], documents=[document.text], metadatas=[record])
            chunk_collection.delete(
                where={"$and": [{"source": document.source}, {"doc_sha256": {"$ne": document.sha256}}]}
            )

    def remove(self, source: str) -> bool:
        """Delete ``source`` and its chunks; False when it was not indexed."""
        with self._lock, self._guard("write to"):
            existed = bool(self._documents.get(ids=[source], include=[])["ids"])
            self._documents.delete(ids=[source])
            self._chunks.delete(where={"source": source})
        return existed

    def repair(self) -> int:
        """Delete chunks that no committed document owns (left by an interrupted write); return how many."""
        committed = {info.source: info.sha256 for info in self.documents()}
        with self._lock, self._guard("repair"):
            result = self._chunks.get(include=["metadatas"])
            orphans = [
                chunk_id
                for chunk_id, metadata in zip(result["ids"], result["metadatas"] or [], strict=True)
                if committed.get(str(metadata["source"])) != metadata["doc_sha256"]
            ]
            for offset in range(0, len(orphans), _WRITE_BATCH):
                self._chunks.delete(ids=orphans[offset : offset + _WRITE_BATCH])
        return len(orphans)

    def chunks(self) -> list[Chunk]:
        """Every committed chunk, in document order."""
        committed = {info.source: info.sha256 for info in self.documents()}
        with self._guard("read"):
            result = self._chunks.get(include=["documents", "metadatas"])
        chunks = [
            _chunk_from(text, metadata)
            for text, metadata in zip(result["documents"] or [], result["metadatas"] or [], strict=True)
            if committed.get(str(metadata["source"])) == metadata["doc_sha256"]
        ]
        return sorted(chunks, key=lambda c: (c.source, c.index))

    def search(self, embedding: Sequence[float], k: int, sources: Sequence[str] | None = None) -> list[ScoredChunk]:
        """The ``k`` committed chunks closest to ``embedding``, optionally only from ``sources``."""
        committed = {info.source: info.sha256 for info in self.documents()}
        if not committed:
            return []
        where: dict[str, Any] | None = {"source": {"$in": list(sources)}} if sources else None
        with self._guard("search"):
            collection = self._chunks
            total = collection.count()
            if total == 0:
                return []
            result = collection.query(
                query_embeddings=[list(embedding)],
                n_results=min(k + 8, total),
                where=where,
                include=["documents", "metadatas", "distances"],
            )
        hits = [
            ScoredChunk(_chunk_from(text, metadata), 1.0 - float(distance))
            for text, metadata, distance in zip(
                result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
            )
            if committed.get(str(metadata["source"])) == metadata["doc_sha256"]
        ]
        return hits[:k]
