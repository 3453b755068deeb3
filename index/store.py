"""The Chroma store of briefs: one collection of chunks with their embeddings, one of whole documents.

A document's record in the documents collection is its commit marker: its chunks are written first,
then the record, then the chunks of the version it replaces are deleted. Readers only see chunks whose
content hash matches a committed record, so a crash mid-write never exposes half a document, and
:meth:`BriefStore.repair` clears what such a crash left behind.

Every write also stores a fresh version token. A reader keeps the committed documents (and the chunk list)
of the version it last saw and refetches them only when the token changed, so a query costs one small
read however many documents are indexed, and a write by another process is still seen.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from .documents import Chunk, SourceDocument
from .errors import StoreError
from .settings import Settings

__all__ = ["BriefStore", "DocumentInfo", "ScoredChunk", "WriteItem"]

_READ_PAGE = 10_000
_VERSION_ID = "version"

WriteItem = tuple[SourceDocument, Sequence[Chunk], Sequence[Sequence[float]]]
"""One document to write: its new version, its chunks and their embeddings, in the same order."""


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


@dataclass(frozen=True)
class _Snapshot:
    """The committed documents as of one version token, with their fingerprint and chunk count."""

    version: str
    documents: dict[str, DocumentInfo]
    signature: str
    chunks: int


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


def _chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        "source": chunk.source,
        "doc_sha256": chunk.doc_sha256,
        "start": chunk.start,
        "end": chunk.end,
        "paragraph": chunk.paragraph,
        "index": chunk.index,
    }


def _is_committed(committed: Mapping[str, DocumentInfo], metadata: Any) -> bool:
    """Whether a stored chunk belongs to the committed version of its document."""
    info = committed.get(str(metadata["source"]))
    return info is not None and info.sha256 == metadata["doc_sha256"]


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


def _record(document: SourceDocument, chunks: int, indexed_at: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "source": document.source,
        "title": document.title,
        "sha256": document.sha256,
        "chunks": chunks,
        "format": document.format,
        "indexed_at": indexed_at,
    }
    if document.date:
        record["date"] = document.date
    if document.path:
        record["path"] = document.path
    return record


def _any_of(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    """A Chroma ``where`` matching any of ``conditions`` (Chroma wants ``$or`` to hold two or more)."""
    return conditions[0] if len(conditions) == 1 else {"$or": conditions}


class BriefStore:
    """Documents and chunks in Chroma, embedded under ``BRIEF_HOME`` or on a ``chroma run`` server.

    One instance per process: it holds the client, the collection handles and the cached committed
    documents, and is safe to share between threads.
    """

    def __init__(self, settings: Settings) -> None:
        """Remember where the index lives; the connection opens on first use."""
        self.settings = settings
        self.document_fetches = 0
        self._client: Any = None
        self._collections: dict[str, Any] = {}
        self._max_batch = 0
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._chunk_cache: tuple[str, list[Chunk]] | None = None
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
                    self._max_batch = int(self._client.get_max_batch_size())
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
        database = self.settings.chroma_path / "chroma.sqlite3"
        if database.exists() and database.stat().st_size < 100:
            raise StoreError(
                f"Cannot open the index at {self.location}: {database.name} is truncated "
                f"({database.stat().st_size} bytes); run `brief reindex` to move it aside and rebuild it"
            )
        return chromadb.PersistentClient(path=str(self.settings.chroma_path), settings=chroma_settings)

    def _collection(self, kind: str) -> Any:
        with self._lock:
            if kind not in self._collections:
                client = self.client
                with self._guard("open"):
                    self._collections[kind] = client.get_or_create_collection(
                        f"{self.settings.collection}-{kind}",
                        embedding_function=None,
                        configuration={"hnsw": {"space": "cosine"}},
                    )
            return self._collections[kind]

    @property
    def _chunks(self) -> Any:
        return self._collection("chunks")

    @property
    def _documents(self) -> Any:
        return self._collection("documents")

    @property
    def _state(self) -> Any:
        return self._collection("state")

    def _current(self) -> _Snapshot:
        """The committed documents, refetched only when the version token moved since the last look."""
        with self._lock, self._guard("read"):
            found = self._state.get(ids=[_VERSION_ID], include=["metadatas"])["metadatas"] or []
            version = str(found[0]["token"]) if found else ""
            if self._snapshot is None or self._snapshot.version != version:
                result = self._documents.get(include=["metadatas"])
                infos = sorted((_info_from(m) for m in result["metadatas"] or []), key=lambda d: d.source)
                digest = hashlib.sha256()
                for info in infos:
                    digest.update(f"{info.source}\0{info.sha256}\n".encode())
                documents = {info.source: info for info in infos}
                self._snapshot = _Snapshot(version, documents, digest.hexdigest(), sum(i.chunks for i in infos))
                self.document_fetches += 1
            return self._snapshot

    def _changed(self) -> None:
        """Record a write: a new version token for every reader, and no stale cache here."""
        self._state.upsert(ids=[_VERSION_ID], embeddings=[[1.0]], metadatas=[{"token": uuid.uuid4().hex}])
        self._snapshot = None
        self._chunk_cache = None

    def committed(self) -> Mapping[str, DocumentInfo]:
        """Every committed document by source name (cached; do not modify)."""
        return self._current().documents

    def documents(self) -> list[DocumentInfo]:
        """Every committed document, sorted by source name."""
        return list(self.committed().values())

    def document(self, source: str) -> DocumentInfo | None:
        """The committed record of ``source``, if any."""
        return self.committed().get(source)

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
        return self._current().signature

    def _batches(self, count: int) -> Iterator[slice]:
        size = self._max_batch or 1000
        for offset in range(0, count, size):
            yield slice(offset, offset + size)

    def write(self, document: SourceDocument, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        """Index a new version of ``document``, replacing any older one, all or nothing."""
        self.write_many([(document, chunks, embeddings)])

    def write_many(self, items: Sequence[WriteItem]) -> None:
        """Index new versions of several documents in large batches; each document is all or nothing."""
        sources = [document.source for document, _, _ in items]
        if len(set(sources)) != len(sources):
            raise StoreError(f"Cannot write two versions of one document in one batch: {sorted(sources)}")
        for document, chunks, embeddings in items:
            if len(chunks) != len(embeddings):
                raise StoreError(f"{document.source}: {len(chunks)} chunks but {len(embeddings)} embeddings")
        if not items:
            return
        chunks = [chunk for _, document_chunks, _ in items for chunk in document_chunks]
        vectors = [list(vector) for _, _, embeddings in items for vector in embeddings]
        indexed_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock, self._guard("write to"):
            chunk_collection, document_collection = self._chunks, self._documents
            for part in self._batches(len(chunks)):
                chunk_collection.upsert(
                    ids=[c.id for c in chunks[part]],
                    embeddings=vectors[part],
                    documents=[c.text for c in chunks[part]],
                    metadatas=[_chunk_metadata(c) for c in chunks[part]],
                )
            for part in self._batches(len(items)):
                batch = items[part]
                document_collection.upsert(
                    ids=[document.source for document, _, _ in batch],
                    embeddings=[[1.0]] * len(batch),
                    documents=[document.text for document, _, _ in batch],
                    metadatas=[_record(document, len(chunks), indexed_at) for document, chunks, _ in batch],
                )
            for part in self._batches(len(items)):
                chunk_collection.delete(
                    where=_any_of(
                        [
                            {"$and": [{"source": document.source}, {"doc_sha256": {"$ne": document.sha256}}]}
                            for document, _, _ in items[part]
                        ]
                    )
                )
            self._changed()

    def remove(self, source: str) -> bool:
        """Delete ``source`` and its chunks; False when it was not indexed."""
        with self._lock, self._guard("write to"):
            existed = bool(self._documents.get(ids=[source], include=[])["ids"])
            self._documents.delete(ids=[source])
            self._chunks.delete(where={"source": source})
            self._changed()
        return existed

    def _stored_chunks(self, include: list[str], where: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every stored chunk (committed or not) as (id, metadata, document, embedding), page by page."""
        with self._guard("read"):
            offset = 0
            while True:
                page = self._chunks.get(where=where, include=include, limit=_READ_PAGE, offset=offset)
                ids = page["ids"]
                columns = [page[name] if page[name] is not None else [None] * len(ids) for name in include]
                yield from zip(ids, *columns, strict=True)
                if len(ids) < _READ_PAGE:
                    return
                offset += len(ids)

    def repair(self) -> int:
        """Delete chunks that no committed document owns (left by an interrupted write); return how many."""
        committed = self.committed()
        with self._lock:
            orphans = [
                chunk_id
                for chunk_id, metadata in self._stored_chunks(["metadatas"])
                if not _is_committed(committed, metadata)
            ]
            with self._guard("repair"):
                for part in self._batches(len(orphans)):
                    self._chunks.delete(ids=orphans[part])
        return len(orphans)

    def chunks(self) -> list[Chunk]:
        """Every committed chunk, in document order (cached until the index changes)."""
        snapshot = self._current()
        with self._lock:
            if self._chunk_cache is None or self._chunk_cache[0] != snapshot.version:
                committed = snapshot.documents
                chunks = [
                    _chunk_from(text, metadata)
                    for _, metadata, text in self._stored_chunks(["metadatas", "documents"])
                    if _is_committed(committed, metadata)
                ]
                self._chunk_cache = (snapshot.version, sorted(chunks, key=lambda c: (c.source, c.index)))
            return list(self._chunk_cache[1])

    def vectors_by_text(self, sources: Sequence[str]) -> dict[str, list[float]]:
        """The stored embedding of every chunk text of ``sources``, to reuse when a document changes a little."""
        if not sources:
            return {}
        return {
            text: [float(x) for x in vector]
            for _, text, vector in self._stored_chunks(["documents", "embeddings"], {"source": {"$in": list(sources)}})
        }

    def search(self, embedding: Sequence[float], k: int, sources: Sequence[str] | None = None) -> list[ScoredChunk]:
        """The ``k`` committed chunks closest to ``embedding``, optionally only from ``sources``."""
        snapshot = self._current()
        committed = snapshot.documents
        total = sum(committed[s].chunks for s in set(sources) if s in committed) if sources else snapshot.chunks
        if total == 0:
            return []
        where: dict[str, Any] | None = {"source": {"$in": list(sources)}} if sources else None
        with self._guard("search"):
            result = self._chunks.query(
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
            if _is_committed(committed, metadata)
        ]
        return hits[:k]
