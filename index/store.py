"""The Chroma store of briefs: one collection of chunks with their embeddings, one of whole documents.

A document's record in the documents collection is its commit marker: its chunks are written first,
then the record, then the chunks of the version it replaces are deleted. Readers only see chunks whose
content hash matches a committed record, so a crash mid-write never exposes half a document, and
:meth:`BriefStore.repair` clears what such a crash left behind.

Embedded, a process killed while Chroma saves a collection's vector index (HNSW) leaves files that no longer
fit together. The store keeps Chroma's write-ahead log, which holds every vector, and when a vector index is
damaged it moves the files aside (``chroma.damaged-<time>``) and lets Chroma rebuild the index from the log; an
index written before the log was kept fails with one error naming ``brief reindex``. Chroma's private tables and
files are touched in :mod:`index.chroma_internals` only.

Every write also stores a fresh version token. A reader keeps the committed documents (and the chunk list)
of the version it last saw and refetches them only when the token changed, so a query costs one small
read however many documents are indexed, and a write by another process is still seen.

Several processes may share one embedded index (``brief serve``, the CLI, app replicas). Chroma's embedded
client keeps each vector index in memory and never sees another process's writes there, so when the token
moved and this process did not move it, the store reloads Chroma's in-memory state from disk and the log
(:func:`index.chroma_internals.reload`). Writes, and every load of a vector index (which may save it), hold
a lock on the index folder shared by every process (:mod:`index.locking`): no process saves a vector index
missing another's writes, or loads one half saved. A ``brief reindex`` that replaced the folder is followed
too. On a Chroma server all processes share the server's one copy, and only the token is needed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from .chroma_internals import ChromaFolder, reload
from .documents import Chunk, SourceDocument
from .errors import StoreError
from .grades import Grade
from .locking import folder_lock
from .records import (
    DocumentInfo,
    TextCache,
    chunk_from,
    chunk_metadata,
    document_record,
    info_from,
    is_committed,
)
from .settings import Settings

__all__ = ["BriefStore", "ScoredChunk", "WriteItem"]

logger = logging.getLogger(__name__)

_READ_PAGE = 10_000
_VERSION_ID = "version"
_COMPACT_EVERY = 20_000
"""Log rows a process writes between two compactions of the chunks' log (a compaction reads the whole log)."""
_TEXT_CACHE_CHARS = 16_000_000
"""Characters of document text a store keeps in memory (least recently used first out)."""

WriteItem = tuple[SourceDocument, Sequence[Chunk], Sequence[Sequence[float]]]
"""One document to write: its new version, its chunks and their embeddings, in the same order."""


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
    suspect: frozenset[str]


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
        self._folder = None if settings.chroma_url else ChromaFolder(settings.chroma_path)
        self._client: Any = None
        self._collections: dict[str, Any] = {}
        self._max_batch = 0
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._chunk_cache: tuple[str, list[Chunk]] | None = None
        self._texts = TextCache(_TEXT_CACHE_CHARS)
        self._unlogged = 0
        self._fresh_as_of: str | None = None
        self._opened_fresh = False
        self._database_identity: tuple[int, int] | None = None

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
        assert self._folder is not None
        self._folder.path.mkdir(parents=True, exist_ok=True)
        database = self._folder.database
        if database.exists() and database.stat().st_size < 100:
            raise StoreError(
                f"Cannot open the index at {self.location}: {database.name} is truncated "
                f"({database.stat().st_size} bytes); run `brief reindex` to move it aside and rebuild it"
            )
        shared = self._folder.open_in_process()
        client = chromadb.PersistentClient(path=str(self._folder.path), settings=chroma_settings)
        self._folder.check()
        self._folder.keep_log()
        self._database_identity = self._identity()
        # A database another store of this process opened may hold vector indexes older than the token: reload it.
        self._opened_fresh = not shared
        return client

    def _identity(self) -> tuple[int, int] | None:
        """The device and inode of the embedded database file (``brief reindex`` replaces it), None if absent."""
        assert self._folder is not None
        try:
            found = os.stat(self._folder.database)
        except FileNotFoundError:
            return None
        return found.st_dev, found.st_ino

    def _exclusive(self) -> AbstractContextManager[None]:
        """The lock every process takes on an embedded index folder to write, or to load vector indexes."""
        return folder_lock(self._folder.path) if self._folder is not None else nullcontext()

    def _collection(self, kind: str) -> Any:
        with self._lock:
            if kind not in self._collections:
                with self._exclusive(), self._guard("open"):
                    collection = self.client.get_or_create_collection(
                        f"{self.settings.collection}-{kind}",
                        embedding_function=None,
                        configuration={"hnsw": {"space": "cosine"}},
                    )
                    if self._folder is not None:
                        collection = self._folder.sound(
                            collection, kind, self.location, self.close, lambda: self.client
                        )
                    self._collections[kind] = collection
            return self._collections[kind]

    def close(self) -> None:
        """Close the Chroma client, and make Chroma forget the index folder once no client of this process holds it.

        The next use of this store opens the folder afresh.
        """
        if self._client is not None:
            self._client.close()
        if self._folder is not None:
            self._folder.forget()
        self._client = None
        self._collections.clear()
        self._fresh_as_of = None
        self._opened_fresh = False

    @property
    def _chunks(self) -> Any:
        return self._collection("chunks")

    @property
    def _documents(self) -> Any:
        return self._collection("documents")

    @property
    def _state(self) -> Any:
        return self._collection("state")

    def _version(self) -> str:
        found = self._state.get(ids=[_VERSION_ID], include=["metadatas"])["metadatas"] or []
        return str(found[0]["token"]) if found else ""

    def _current(self) -> _Snapshot:
        """The committed documents, refetched only when the version token moved since the last look.

        Embedded, a token this process did not write, or a database file replaced by ``brief reindex``, first makes
        Chroma reload what it holds in memory (see the module's docstring).
        """
        with self._lock, self._guard("read"):
            if self._folder is not None and self._client is not None and self._replaced():
                self._catch_up(replaced=True)
            version = self._version()
            if self._folder is not None and version != self._fresh_as_of:
                version = self._catch_up(replaced=False)
            if self._snapshot is None or self._snapshot.version != version:
                result = self._documents.get(include=["metadatas"])
                infos = sorted((info_from(m) for m in result["metadatas"] or []), key=lambda d: d.source)
                digest = hashlib.sha256()
                for info in infos:
                    digest.update(f"{info.source}\0{info.sha256}\n".encode())
                documents = {info.source: info for info in infos}
                suspect = frozenset(info.source for info in infos if info.suspect)
                chunks = sum(info.chunks for info in infos)
                self._snapshot = _Snapshot(version, documents, digest.hexdigest(), chunks, suspect)
                self.document_fetches += 1
            return self._snapshot

    def _replaced(self) -> bool:
        """Whether the database file is no longer the one this store opened (``brief reindex`` made a new one)."""
        identity = self._identity()
        return identity is not None and identity != self._database_identity

    def _catch_up(self, replaced: bool) -> str:
        """Make this process's Chroma hold every write of the current version, under the folder lock; return it.

        A store that opened the database itself is up to date when it first reads the token (Chroma loads each
        vector index, with the whole log, on its first use); otherwise Chroma's in-memory state is reloaded.
        """
        with self._exclusive():
            if replaced or not self._opened_fresh and self._version() != self._fresh_as_of:
                reload(self.client)
                self._collections.clear()
                self._database_identity = self._identity()
                logger.info("reloaded the index at %s: another process changed it", self.location)
            self._opened_fresh = False
            self._fresh_as_of = self._version()
            return self._fresh_as_of

    def _changed(self) -> None:
        """Record a write: a new version token for every reader, and no stale cache here."""
        token = uuid.uuid4().hex
        self._state.upsert(ids=[_VERSION_ID], embeddings=[[1.0]], metadatas=[{"token": token}])
        self._snapshot = None
        self._chunk_cache = None
        if self._folder is not None:
            self._fresh_as_of = token  # written under the folder lock by a store that was up to date

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
        info = self.document(source)
        if info is None:
            raise StoreError(f"No document named {source!r} in the index; `brief list` shows what is there")
        text = self._texts.get((source, info.sha256))
        if text is not None:
            return text
        with self._guard("read"):
            result = self._documents.get(ids=[source], include=["documents", "metadatas"])
        if not result["ids"]:
            raise StoreError(f"No document named {source!r} in the index; `brief list` shows what is there")
        text = str(result["documents"][0])
        self._texts.put((source, str(result["metadatas"][0]["sha256"])), text)
        return text

    def stored_entities(self, source: str) -> str | None:
        """The entity index stored with ``source`` at ingest (JSON); None for a document indexed before there was one.

        Part of the entity index of issue #13 (``index.entities``), like the ``entities`` key ``_record`` writes.
        """
        with self._guard("read"):
            result = self._documents.get(ids=[source], include=["metadatas"])
        if not result["ids"]:
            raise StoreError(f"No document named {source!r} in the index; `brief list` shows what is there")
        value = result["metadatas"][0].get("entities")
        return str(value) if value is not None else None

    def signature(self) -> str:
        """A fingerprint of the committed documents: it changes whenever the index content changes."""
        return self._current().signature

    def _batches(self, count: int) -> Iterator[slice]:
        size = self._max_batch or 1000
        for offset in range(0, count, size):
            yield slice(offset, offset + size)

    def write(
        self,
        document: SourceDocument,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Sequence[float]],
        grade: Grade | None = None,
    ) -> None:
        """Index a new version of ``document``, replacing any older one, all or nothing."""
        self.write_many([(document, chunks, embeddings)], grade)

    def write_many(self, items: Sequence[WriteItem], grade: Grade | None = None) -> None:
        """Index new versions of several documents in large batches; each document is all or nothing.

        Each new version gets ``grade``, or keeps the grade of the version it replaces when none is given.
        """
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
        with self._writing():
            chunk_collection, document_collection = self._chunks, self._documents
            for part in self._batches(len(chunks)):
                chunk_collection.upsert(
                    ids=[c.id for c in chunks[part]],
                    embeddings=vectors[part],
                    documents=[c.text for c in chunks[part]],
                    metadatas=[chunk_metadata(c) for c in chunks[part]],
                )
            for part in self._batches(len(items)):
                batch = items[part]
                document_collection.upsert(
                    ids=[document.source for document, _, _ in batch],
                    embeddings=[[1.0]] * len(batch),
                    documents=[document.text for document, _, _ in batch],
                    metadatas=[
                        document_record(document, len(chunks), indexed_at, grade) for document, chunks, _ in batch
                    ],
                )
            for part in self._batches(len(items)):
                self._drop_replaced([document.source for document, _, _ in items[part]])
            self._logged(2 * len(chunks))

    def _drop_replaced(self, sources: Sequence[str]) -> None:
        """Delete the chunks of every version of ``sources`` but the committed one, as the records say now.

        Reading the records again, rather than trusting the version just written, keeps the chunks of a version
        another client committed in the meantime (on a shared Chroma server, where no folder lock serialises writes).
        """
        records = self._documents.get(ids=list(sources), include=["metadatas"])
        committed = {str(m["source"]): str(m["sha256"]) for m in records["metadatas"] or []}
        self._chunks.delete(
            where=_any_of(
                [
                    {"$and": [{"source": source}, {"doc_sha256": {"$ne": committed[source]}}]}
                    if source in committed
                    else {"source": source}
                    for source in sources
                ]
            )
        )

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold this store, and the folder lock when embedded, with Chroma up to date; then record a new version."""
        with self._lock, self._exclusive(), self._guard("write to"):
            self._current()
            yield
            self._changed()

    def set_grades(self, grades: Mapping[str, Grade | None]) -> None:
        """Grade indexed documents by source name (None clears a grade), all in one write.

        Raises:
            StoreError: a source is not indexed (then nothing changes).

        """
        if not grades:
            return
        with self._writing():
            unknown = sorted(set(grades) - set(self.committed()))
            if unknown:
                raise StoreError(f"No document named {unknown[0]!r} in the index; `brief list` shows what is there")
            sources = list(grades)
            for part in self._batches(len(sources)):
                self._documents.update(
                    ids=sources[part],
                    metadatas=[{"grade": str(grades[s]) if grades[s] else None} for s in sources[part]],
                )

    def suspect_sources(self) -> frozenset[str]:
        """The committed documents holding text addressed to an AI system (cached with the committed records)."""
        return self._current().suspect

    def remove(self, source: str) -> bool:
        """Delete ``source`` and its chunks; False when it was not indexed."""
        with self._writing():
            existed = bool(self._documents.get(ids=[source], include=[])["ids"])
            self._documents.delete(ids=[source])
            self._chunks.delete(where={"source": source})
        return existed

    def _logged(self, rows: int) -> None:
        """Count the log rows this process wrote; compact the chunks' log every :data:`_COMPACT_EVERY` of them."""
        self._unlogged += rows
        if self._unlogged >= _COMPACT_EVERY and self._folder is not None:
            self._unlogged = 0
            self._folder.compact_log(str(self._chunks.id))

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
        with self._writing():
            committed = self.committed()
            orphans = [
                chunk_id
                for chunk_id, metadata in self._stored_chunks(["metadatas"])
                if not is_committed(committed, metadata)
            ]
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
                    chunk_from(text, metadata)
                    for _, metadata, text in self._stored_chunks(["metadatas", "documents"])
                    if is_committed(committed, metadata)
                ]
                self._chunk_cache = (snapshot.version, sorted(chunks, key=lambda c: (c.source, c.index)))
            return list(self._chunk_cache[1])

    def vectors_by_text(self, sources: Sequence[str]) -> dict[str, list[float]]:
        """The stored embedding of every chunk text of ``sources``, to reuse when a document changes a little."""
        where = self._committed_of(sources)
        if where is None:
            return {}
        return {
            text: [float(x) for x in vector]
            for _, text, vector in self._stored_chunks(["documents", "embeddings"], where)
        }

    def _committed_of(self, sources: Sequence[str]) -> dict[str, Any] | None:
        """A ``where`` matching the committed chunks of ``sources``; None when none of them is committed.

        Naming the committed versions keeps out chunks another process is writing: this process's vector index
        holds no vector for them until it reloads.
        """
        committed = self.committed()
        versions = sorted({committed[source].sha256 for source in sources if source in committed})
        if not versions:
            return None
        return {"$and": [{"source": {"$in": list(sources)}}, {"doc_sha256": {"$in": versions}}]}

    def search(self, embedding: Sequence[float], k: int, sources: Sequence[str] | None = None) -> list[ScoredChunk]:
        """The ``k`` committed chunks closest to ``embedding``, optionally only from ``sources``."""
        snapshot = self._current()
        committed = snapshot.documents
        total = sum(committed[s].chunks for s in set(sources) if s in committed) if sources else snapshot.chunks
        if total == 0:
            return []
        where = self._committed_of(sources) if sources else None
        with self._guard("search"):
            result = self._chunks.query(
                query_embeddings=[list(embedding)],
                n_results=min(k + 8, total),
                where=where,
                include=["documents", "metadatas", "distances"],
            )
        hits = [
            ScoredChunk(chunk_from(text, metadata), 1.0 - float(distance))
            for text, metadata, distance in zip(
                result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
            )
            if is_committed(committed, metadata)
        ]
        return hits[:k]
