"""The Chroma store of briefs: one collection of chunks with their embeddings, one of whole documents.

A document's record in the documents collection is its commit marker: its chunks are written first,
then the record, then the chunks of the version it replaces are deleted. Readers only see chunks whose
content hash matches a committed record, so a crash mid-write never exposes half a document, and
:meth:`BriefStore.repair` clears what such a crash left behind.

Chroma writes a collection's vector index (HNSW) in place, file by file, so a process killed while it saves
one leaves files that no longer fit together, and Chroma then fails every read of that collection. The rows
Chroma logs for each write (its write-ahead log, in the crash-safe SQLite database) hold every vector too, but
Chroma deletes them once the vector index is saved. Embedded, this store keeps them: it turns Chroma's log
purging off and itself drops only the rows a later row of the same id replaced
(:meth:`BriefStore._compact_log`), so the log holds the latest vector of every stored id. When a vector
index's files disagree with their header (a save cut short) or Chroma cannot load or update it, the store
moves its files aside (to ``chroma.damaged-<time>`` beside the index), and Chroma rebuilds it from the log:
nothing is lost and no ``brief reindex`` is needed. An index written before this store kept the log is not
rebuilt this way (the log lacks vectors); it still fails with one error naming ``brief reindex``.

Every write also stores a fresh version token. A reader keeps the committed documents (and the chunk list)
of the version it last saw and refetches them only when the token changed, so a query costs one small
read however many documents are indexed, and a write by another process is still seen.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .documents import Chunk, SourceDocument
from .errors import StoreError
from .settings import Settings

__all__ = ["BriefStore", "DocumentInfo", "ScoredChunk", "WriteItem", "aside_path", "open_in_process"]

_READ_PAGE = 10_000
_VERSION_ID = "version"
_ADD, _UPSERT, _DELETE = 0, 2, 3
"""Chroma's codes for the operations in its log (``embeddings_queue.operation``); brief writes no others."""
_COMPACT_EVERY = 20_000
"""Log rows a process writes between two compactions of the chunks' log (a compaction reads the whole log)."""
_INITIAL_CAPACITY = 100
"""Elements a new Chroma vector index makes room for (its first ``data_level0.bin`` is that large)."""

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
    # --- entity index (issue #13): stored with the record, read back by BriefStore.stored_entities -----------
    if document.entities is not None:
        record["entities"] = document.entities
    return record


def _torn_save(folder: Path) -> str:
    """What is wrong with a vector index folder that a save stopped half way, or "" when it looks whole.

    hnswlib's ``header.bin`` counts the elements; ``data_level0.bin`` holds a fixed-size record for each (the file
    is first made for the index's initial capacity) and ``length.bin`` four bytes for each. A save cut short, or
    one whose header was not written yet, leaves the sizes disagreeing. An unknown layout is left to Chroma.
    """
    try:
        header = (folder / "header.bin").read_bytes()
        data, lengths = (folder / "data_level0.bin").stat().st_size, (folder / "length.bin").stat().st_size
    except FileNotFoundError:
        return ""  # never saved, or already moved aside: Chroma starts it afresh from the log
    if len(header) < 40:
        return f"its header.bin holds {len(header)} bytes"
    version, _, capacity, count, record = struct.unpack_from("<iQQQQ", header)
    if version != 1 or not record:
        return ""
    if data < count * record or lengths < count * 4:
        return f"its files hold fewer than the {count} elements its header.bin counts (a save cut short)"
    if data > count * record and data > _INITIAL_CAPACITY * record and data != capacity * record:
        return f"its data_level0.bin holds more than the {count} elements its header.bin counts (a save cut short)"
    return ""


def _shared_systems() -> tuple[dict[str, Any], dict[str, int]]:
    """Chroma's per-process cache of open databases by folder, and how many clients use each."""
    from chromadb.api.shared_system_client import SharedSystemClient

    return SharedSystemClient._identifier_to_system, SharedSystemClient._identifier_to_refcount


def open_in_process(folder: Path) -> bool:
    """Whether a Chroma client of this process still holds the index in ``folder``."""
    return bool(_shared_systems()[1].get(str(folder)))


def _vector_index_failed(error: Exception) -> bool:
    """Whether a Chroma error says a collection's vector index (HNSW) could not be loaded or brought up to date."""
    return "hnsw" in str(error).lower()


def aside_path(folder: Path, reason: str) -> Path:
    """A free name next to ``folder`` (``<folder>.<reason>-<time>``) to keep an old or damaged index in."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = folder.with_name(f"{folder.name}.{reason}-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = folder.with_name(f"{folder.name}.{reason}-{stamp}-{number}")
    return target


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
        self._unlogged = 0

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
        client = chromadb.PersistentClient(path=str(self.settings.chroma_path), settings=chroma_settings)
        self._keep_log()
        return client

    @contextmanager
    def _database(self) -> Iterator[sqlite3.Connection]:
        """A connection of our own to Chroma's SQLite database, for what Chroma's API does not offer."""
        database = sqlite3.connect(self.settings.chroma_path / "chroma.sqlite3", timeout=60, isolation_level=None)
        try:
            yield database
        finally:
            database.close()

    def _keep_log(self) -> None:
        """Turn Chroma's purging of its log off, so the log keeps the vectors a damaged vector index needs."""
        with self._database() as database:
            database.execute(
                "UPDATE embeddings_queue_config SET config_json_str = json_set(config_json_str, "
                "'$.automatically_purge', json('false')) WHERE json_extract(config_json_str, '$.automatically_purge')"
            )

    def _collection(self, kind: str) -> Any:
        with self._lock:
            if kind not in self._collections:
                client = self.client
                with self._guard("open"):
                    collection = client.get_or_create_collection(
                        f"{self.settings.collection}-{kind}",
                        embedding_function=None,
                        configuration={"hnsw": {"space": "cosine"}},
                    )
                    if not self.settings.chroma_url:
                        collection = self._sound(kind, collection)
                    self._collections[kind] = collection
            return self._collections[kind]

    def _segments(self, collection: Any) -> dict[str, str]:
        """The ids of the collection's ``VECTOR`` and ``METADATA`` segments (the vector index's folder is the first)."""
        with self._database() as database:
            return dict(database.execute("SELECT scope, id FROM segments WHERE collection = ?", (str(collection.id),)))

    def _sound(self, kind: str, collection: Any) -> Any:
        """The collection, once Chroma has loaded its vector index; rebuilt from the log first if it is damaged."""
        torn = _torn_save(self.settings.chroma_path / self._segments(collection)["VECTOR"])
        if torn:
            # Such files can crash the process inside Chroma's loader (SIGSEGV) rather than raise: rebuild first.
            rebuilt = self._rebuild_vector_index(kind, collection, torn, required=False)
            if rebuilt is not None:
                return rebuilt
        try:
            collection.count()  # Chroma loads the vector index and applies its log here
        except Exception as error:  # noqa: BLE001 - which failures are damage is decided here
            if not _vector_index_failed(error):
                raise
            return self._rebuild_vector_index(kind, collection, str(error))
        self._compact_log(str(collection.id))
        return collection

    def _rebuild_vector_index(self, kind: str, collection: Any, error: str, required: bool = True) -> Any:
        """Move the damaged vector index of ``collection`` aside and let Chroma rebuild it from its log.

        Returns:
            The collection with its rebuilt vector index; None when the log cannot rebuild it and not ``required``.

        Raises:
            StoreError: ``required`` and the log does not hold every stored vector (an index written before the
                log was kept), or the rebuilt index still fails.

        """
        collection_id = str(collection.id)
        segments = self._segments(collection)
        with self._database() as database:
            topic = f"%/{collection_id}"
            missing = database.execute(
                "SELECT COUNT(*) FROM embeddings AS e LEFT JOIN (SELECT DISTINCT id FROM embeddings_queue "
                "WHERE topic LIKE ? AND operation IN (?, ?) AND vector IS NOT NULL) AS q ON q.id = e.embedding_id "
                "WHERE e.segment_id = ? AND q.id IS NULL",
                (topic, _ADD, _UPSERT, segments["METADATA"]),
            ).fetchone()[0]
        if missing and not required:
            return None
        if missing:
            raise StoreError(
                f"Cannot open the index at {self.location}: the vector index of its {kind} is damaged ({error}), "
                f"and Chroma's log no longer holds {missing} of its vectors to rebuild it from (an index written "
                "before brief kept that log); run `brief reindex` to rebuild it"
            )
        self.close()
        damaged = self.settings.chroma_path / segments["VECTOR"]
        aside = aside_path(self.settings.chroma_path, "damaged") / segments["VECTOR"]
        if damaged.exists():
            aside.parent.mkdir(parents=True)
            damaged.rename(aside)
        with self._database() as database:
            # With neither files nor a saved position, Chroma takes the vector index as new and applies the whole log.
            database.execute("DELETE FROM max_seq_id WHERE segment_id = ?", (segments["VECTOR"],))
        self._client = self._connect()
        self._max_batch = int(self._client.get_max_batch_size())
        collection = self._client.get_collection(f"{self.settings.collection}-{kind}", embedding_function=None)
        count = collection.count()
        kept = f"; its damaged files are in {aside}" if aside.exists() else ""
        print(
            f"brief: the vector index of the {kind} in {self.location} was damaged ({error}); "
            f"rebuilt it from Chroma's log ({count} vectors){kept}",
            file=sys.stderr,
        )
        return collection

    def close(self) -> None:
        """Close the Chroma client, and make Chroma forget the index folder once no client of this process holds it.

        Chroma 1.5 keeps every database it opened, or failed to start, cached by folder for the whole process and
        hands it to the next client of that folder, even after the files changed underneath; the next use of
        this store opens the folder afresh.
        """
        if self._client is not None:
            self._client.close()
        if not open_in_process(self.settings.chroma_path):
            _shared_systems()[0].pop(str(self.settings.chroma_path), None)
        self._client = None
        self._collections.clear()

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
            self._logged(2 * len(chunks))

    def remove(self, source: str) -> bool:
        """Delete ``source`` and its chunks; False when it was not indexed."""
        with self._lock, self._guard("write to"):
            existed = bool(self._documents.get(ids=[source], include=[])["ids"])
            self._documents.delete(ids=[source])
            self._chunks.delete(where={"source": source})
            self._changed()
        return existed

    def _logged(self, rows: int) -> None:
        """Count the log rows this process wrote; compact the chunks' log every :data:`_COMPACT_EVERY` of them."""
        self._unlogged += rows
        if self._unlogged >= _COMPACT_EVERY and not self.settings.chroma_url:
            self._compact_log(str(self._chunks.id))

    def _compact_log(self, collection_id: str) -> None:
        """Drop the rows of Chroma's log that no index needs any more: those a later row of the same id replaced.

        Only rows both of the collection's indexes have applied and saved (below the lower of their saved
        positions) are dropped, which is what Chroma's own purging would drop; of those, the latest row of each
        stored id is kept, so the log still holds every stored vector. It runs when a collection is opened and
        after every :data:`_COMPACT_EVERY` rows a process writes, so the log stays about the size of the index
        plus what one process wrote.
        """
        self._unlogged = 0
        with self._database() as database:
            saved = database.execute(
                "SELECT MIN(COALESCE(m.seq_id, 0)) FROM segments AS s LEFT JOIN max_seq_id AS m "
                "ON m.segment_id = s.id WHERE s.collection = ?",
                (collection_id,),
            ).fetchone()[0]
            # Strictly below the saved position, like Chroma's purge: the log's sequence numbers are SQLite row ids,
            # so deleting the highest rows would hand their numbers to the next writes, which Chroma would then take
            # for rows it had applied already and skip.
            database.execute(
                "DELETE FROM embeddings_queue WHERE seq_id IN (SELECT seq_id FROM (SELECT seq_id, operation, "
                "MAX(CASE WHEN operation IN (?, ?) THEN seq_id END) OVER (PARTITION BY id) AS replaced, "
                "MAX(seq_id) OVER (PARTITION BY id) AS latest FROM embeddings_queue WHERE topic LIKE ?) "
                "WHERE seq_id < ? AND (seq_id < replaced OR (operation = ? AND seq_id = latest))) "
                "AND seq_id < (SELECT MAX(seq_id) FROM embeddings_queue)",
                (_UPSERT, _DELETE, f"%/{collection_id}", saved or 0, _DELETE),
            )

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
