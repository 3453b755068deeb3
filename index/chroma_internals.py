"""Chroma 1.5's private parts, in one place: its SQLite tables, vector index files, client cache and Rust bindings.

brief's crash safety and its sharing of one index folder between processes rest on parts of Chroma that are not
its public API:

- the tables of its SQLite database: the write-ahead log (``embeddings_queue``) and its settings
  (``embeddings_queue_config``), the ``segments`` of each collection, how far each segment has saved the log
  (``max_seq_id``) and the metadata segment's rows (``embeddings``);
- the files of a collection's vector index (hnswlib's ``header.bin``, ``data_level0.bin``, ``length.bin``);
- its per-process cache of open databases (``SharedSystemClient``);
- the Rust bindings behind the embedded client, which hold each vector index in memory.

Nothing else in brief touches them. :meth:`ChromaFolder.check` runs at every opening of an embedded index: it fails
with one message naming the installed Chroma version when that version, or the tables and columns of its database,
are not the ones this module was written against.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import StoreError

__all__ = [
    "KNOWN_VERSIONS",
    "ChromaFolder",
    "aside_path",
    "chroma_version",
    "reload",
    "torn_save",
    "vector_index_failed",
]

logger = logging.getLogger(__name__)

KNOWN_VERSIONS = ("1.5.",)
"""Chroma releases (version prefixes) whose private parts this module was written and tested against."""
_SCHEMA = {
    "embeddings_queue": ("seq_id", "topic", "id", "operation", "vector"),
    "embeddings_queue_config": ("config_json_str",),
    "segments": ("id", "scope", "collection"),
    "max_seq_id": ("segment_id", "seq_id"),
    "embeddings": ("embedding_id", "segment_id"),
}
"""The tables of Chroma's SQLite database this module reads or writes, and the columns it uses."""
_ADD, _UPSERT, _DELETE = 0, 2, 3
"""Chroma's codes for the operations in its log (``embeddings_queue.operation``) that add, replace or delete a
record; brief writes only these and updates (code 1, a grade: no vector, replaces no row)."""
_INITIAL_CAPACITY = 100
"""Elements a new Chroma vector index makes room for (its first ``data_level0.bin`` is that large)."""
_REQUIREMENT = "chromadb>=1.5,<1.6"


def aside_path(folder: Path, reason: str) -> Path:
    """A free name next to ``folder`` (``<folder>.<reason>-<time>``) to keep an old or damaged index in."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = folder.with_name(f"{folder.name}.{reason}-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = folder.with_name(f"{folder.name}.{reason}-{stamp}-{number}")
    return target


def chroma_version() -> str:
    """The installed Chroma's version."""
    import chromadb

    return str(chromadb.__version__)


def _unknown(version: str, what: str) -> StoreError:
    return StoreError(
        f"brief does not know Chroma {version}: {what}. Its crash recovery and its sharing of one index between "
        f"processes use Chroma's private tables, checked on Chroma {', '.join(v + 'x' for v in KNOWN_VERSIONS)} "
        f"only; install that version: pip install '{_REQUIREMENT}'"
    )


def _shared_systems() -> tuple[dict[str, Any], dict[str, int]]:
    """Chroma's per-process cache of open databases by folder, and how many clients use each."""
    from chromadb.api.shared_system_client import SharedSystemClient

    return SharedSystemClient._identifier_to_system, SharedSystemClient._identifier_to_refcount


def torn_save(folder: Path) -> str:
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


def vector_index_failed(error: Exception) -> bool:
    """Whether a Chroma error says a collection's vector index (HNSW) could not be loaded or brought up to date."""
    return "hnsw" in str(error).lower()


def reload(client: Any) -> None:
    """Make an embedded client drop what it holds in memory and read the index afresh from disk and the log.

    Chroma's embedded client loads each collection's vector index once, applies the log written until then, and
    afterwards applies only its own process's writes: what another process wrote stays invisible to its searches,
    and a write of its own would save a vector index lacking the other process's vectors. New Rust bindings
    start from the files and the log again; every client and collection handle of this process sharing the
    database uses them at once (the old bindings finish the calls already running).
    """
    client._server.start()


class ChromaFolder:
    """The private parts of one embedded Chroma index folder."""

    def __init__(self, path: Path) -> None:
        """Bind the folder; nothing is opened yet."""
        self.path = path

    @property
    def database(self) -> Path:
        """Chroma's SQLite database file."""
        return self.path / "chroma.sqlite3"

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of our own to Chroma's SQLite database, for what Chroma's API does not offer."""
        database = sqlite3.connect(self.database, timeout=60, isolation_level=None)
        try:
            yield database
        finally:
            database.close()

    def check(self) -> None:
        """Fail with one clear message unless the installed Chroma and its database are what this module knows.

        Raises:
            StoreError: the Chroma version is not one of :data:`KNOWN_VERSIONS`, its database lacks a table or
                column used here, or its client cache is not where this module looks for it.

        """
        version = chroma_version()
        if not version.startswith(KNOWN_VERSIONS):
            raise _unknown(version, "it is not a release brief was tested with")
        with self._connection() as database:
            for table, columns in _SCHEMA.items():
                present = {row[1] for row in database.execute(f"PRAGMA table_info({table})")}
                if not present:
                    raise _unknown(version, f"its database {self.database} has no table {table}")
                missing = [column for column in columns if column not in present]
                if missing:
                    raise _unknown(version, f"its table {table} has no column {', '.join(missing)}")
        try:
            _shared_systems()
        except (ImportError, AttributeError) as error:
            raise _unknown(version, f"its client cache is not where brief looks for it ({error})") from None

    def keep_log(self) -> None:
        """Turn Chroma's purging of its log off, so the log keeps the vectors a damaged vector index needs."""
        with self._connection() as database:
            database.execute(
                "UPDATE embeddings_queue_config SET config_json_str = json_set(config_json_str, "
                "'$.automatically_purge', json('false')) WHERE json_extract(config_json_str, '$.automatically_purge')"
            )

    def segments(self, collection_id: str) -> dict[str, str]:
        """The ids of a collection's ``VECTOR`` and ``METADATA`` segments (the vector index's folder is the first)."""
        with self._connection() as database:
            return dict(database.execute("SELECT scope, id FROM segments WHERE collection = ?", (collection_id,)))

    def torn(self, collection_id: str) -> str:
        """:func:`torn_save` of a collection's vector index folder."""
        return torn_save(self.path / self.segments(collection_id)["VECTOR"])

    def missing_vectors(self, collection_id: str) -> int:
        """How many of a collection's stored records have no vector left in the log to rebuild its index from."""
        metadata = self.segments(collection_id)["METADATA"]
        with self._connection() as database:
            return int(
                database.execute(
                    "SELECT COUNT(*) FROM embeddings AS e LEFT JOIN (SELECT DISTINCT id FROM embeddings_queue "
                    "WHERE topic LIKE ? AND operation IN (?, ?) AND vector IS NOT NULL) AS q "
                    "ON q.id = e.embedding_id WHERE e.segment_id = ? AND q.id IS NULL",
                    (f"%/{collection_id}", _ADD, _UPSERT, metadata),
                ).fetchone()[0]
            )

    def set_aside_vector_index(self, collection_id: str, aside: Path) -> Path | None:
        """Move a collection's vector index files into ``aside`` and make Chroma rebuild them from the whole log.

        Run it with no client of this process open on the folder. Returns where the files went, or None when
        there were none.
        """
        vector = self.segments(collection_id)["VECTOR"]
        damaged, target = self.path / vector, aside / vector
        moved = None
        if damaged.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            damaged.rename(target)
            moved = target
        with self._connection() as database:
            # With neither files nor a saved position, Chroma takes the vector index as new and applies the whole log.
            database.execute("DELETE FROM max_seq_id WHERE segment_id = ?", (vector,))
        return moved

    def sound(
        self, collection: Any, kind: str, location: str, close: Callable[[], None], client: Callable[[], Any]
    ) -> Any:
        """The collection once Chroma has loaded its vector index, rebuilt from the log first if it is damaged.

        A save cut short (:func:`torn_save`) is rebuilt before Chroma sees it, since such files can crash the process
        in Chroma's loader (SIGSEGV); a vector index Chroma fails to load or bring up to date is rebuilt after. Then
        the log is compacted. ``close`` closes the client the collection came from and ``client`` opens a new one.

        Raises:
            StoreError: Chroma failed on the vector index and the log does not hold every stored vector (an index
                written before the log was kept), or the rebuilt index still fails.

        """
        collection_id = str(collection.id)
        torn = self.torn(collection_id)
        if torn and not self.missing_vectors(collection_id):
            return self._rebuild(collection, kind, torn, location, close, client)
        try:
            collection.count()  # Chroma loads the vector index and applies its log here
        except Exception as error:  # noqa: BLE001 - which failures are damage is decided here
            if not vector_index_failed(error):
                raise
            missing = self.missing_vectors(collection_id)
            if missing:
                raise StoreError(
                    f"Cannot open the index at {location}: the vector index of its {kind} is damaged ({error}), "
                    f"and Chroma's log no longer holds {missing} of its vectors to rebuild it from (an index written "
                    "before brief kept that log); run `brief reindex` to rebuild it"
                ) from None
            return self._rebuild(collection, kind, str(error), location, close, client)
        self.compact_log(collection_id)
        return collection

    def _rebuild(
        self,
        collection: Any,
        kind: str,
        error: str,
        location: str,
        close: Callable[[], None],
        client: Callable[[], Any],
    ) -> Any:
        """Move a collection's damaged vector index aside and let Chroma rebuild it from the log; the new handle."""
        close()
        aside = self.set_aside_vector_index(str(collection.id), aside_path(self.path, "damaged"))
        rebuilt = client().get_collection(collection.name, embedding_function=None)
        count = rebuilt.count()
        logger.warning(
            "the vector index of the %s in %s was damaged (%s); rebuilt it from Chroma's log (%d vectors)%s",
            kind,
            location,
            error,
            count,
            f"; its damaged files are in {aside}" if aside else "",
        )
        return rebuilt

    def compact_log(self, collection_id: str) -> None:
        """Drop the rows of Chroma's log that no index needs any more: those a later row of the same id replaced.

        Only rows both of the collection's indexes have applied and saved (below the lower of their saved
        positions) are dropped, which is what Chroma's own purging would drop; of those, the latest row of each
        stored id is kept, so the log still holds every stored vector. It runs when a collection is opened and after
        every 20,000 rows a process writes, so the log stays about the size of the index plus what one process wrote.
        """
        with self._connection() as database:
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

    def open_in_process(self) -> bool:
        """Whether a Chroma client of this process still holds the index in this folder."""
        return bool(_shared_systems()[1].get(str(self.path)))

    def forget(self) -> None:
        """Make Chroma forget this folder's database once no client of this process holds it.

        Chroma 1.5 keeps every database it opened, or failed to start, cached by folder for the whole process and
        hands it to the next client of that folder, even after the files changed underneath.
        """
        if not self.open_in_process():
            _shared_systems()[0].pop(str(self.path), None)
