"""Rebuilding the index: the old folder is moved aside, never deleted, and the briefs are indexed again.

The documents come back from whatever is still readable. While the old index opens, every file it recorded
is read again from disk, and a document whose file is gone (an upload, a moved file) is rebuilt from the text
the index stored; grades are kept. The paths given are indexed as well; when the old index cannot be read at
all they are the only source, and without them nothing is touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chroma_internals import ChromaFolder, aside_path
from .chunking import chunk_document
from .documents import SourceDocument
from .errors import ConfigError, StoreError
from .grades import Grade
from .ingest import Ingestor, IngestReport, Progress
from .locking import folder_lock
from .settings import Settings
from .store import BriefStore

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

__all__ = ["RecoveryReport", "rebuild_index"]


@dataclass
class RecoveryReport:
    """What a rebuild did: where the old index went and where each document came from."""

    moved_to: Path | None
    damage: str = ""
    reread: list[Path] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    ingest: IngestReport = field(default_factory=IngestReport)

    def summary(self) -> str:
        """A few lines for the end of a rebuild."""
        lines = [f"The old index could not be read: {self.damage}"] if self.damage else []
        if self.moved_to:
            lines.append(f"Moved the old index to {self.moved_to} (kept: delete it once the new one serves you well)")
        lines.append(
            f"Re-read {len(self.reread)} recorded file(s), restored {len(self.restored)} document(s) "
            f"from the stored text, lost {len(self.lost)}"
        )
        lines.append(self.ingest.summary())
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "moved_to": str(self.moved_to) if self.moved_to else None,
            "damage": self.damage,
            "reread": [str(path) for path in self.reread],
            "restored": self.restored,
            "lost": self.lost,
            "ingest": self.ingest.as_dict(),
        }


def _salvage(settings: Settings, report: RecoveryReport) -> tuple[list[SourceDocument], dict[str, Grade]]:
    """Fill ``report.reread`` and ``report.lost`` from the old index.

    Returns:
        The documents rebuilt from its text, and the grade of every graded document.

    """
    store = BriefStore(settings)
    restored = []
    grades: dict[str, Grade] = {}
    try:
        for info in store.documents():
            if info.grade:
                grades[info.source] = Grade.parse(info.grade)
            if info.path and Path(info.path).is_file():
                report.reread.append(Path(info.path))
                continue
            try:
                text = store.text(info.source)
            except StoreError:
                report.lost.append(info.source)
                continue
            restored.append(SourceDocument(info.source, text, info.title, info.date, info.path, info.format))
    except StoreError as error:
        report.damage = str(error)
        report.reread.clear()
        return [], {}
    finally:
        store.close()  # also makes Chroma forget a database it failed to start, not hand it to the new index
    return restored, grades


def rebuild_index(
    settings: Settings, embeddings: Embeddings, paths: Iterable[Path] = (), progress: Progress | None = None
) -> RecoveryReport:
    """Move the index folder aside and index the briefs again, from the old index's records and ``paths``.

    Run it while no other process (``brief serve``) uses the index.

    Raises:
        ConfigError: the index lives on a Chroma server, which this cannot move.
        StoreError: the old index cannot be read and no ``paths`` were given (nothing is changed), or its
            folder cannot be moved.

    """
    if settings.chroma_url:
        raise ConfigError(
            f"`brief reindex` rebuilds the index folder under BRIEF_HOME; the index at {settings.chroma_url} "
            "belongs to its Chroma server: restore that server's data, or unset BRIEF_CHROMA_URL"
        )
    paths = list(paths)
    folder = settings.chroma_path
    report = RecoveryReport(moved_to=None)
    restored, grades = _salvage(settings, report) if folder.exists() else ([], {})
    if report.damage and not paths:
        raise StoreError(
            f"The index at {folder} cannot be read and nothing else says which briefs it held; nothing was "
            "changed. Rebuild it from your files: brief reindex PATH... (the files or folders of your briefs)"
        )
    if ChromaFolder(folder).open_in_process():
        raise StoreError(f"The index {folder} is still open in this process; close it before rebuilding it")
    with folder_lock(folder):  # another process (a running app) finds the old index or a whole new one
        if folder.exists():
            report.moved_to = aside_path(folder, "replaced")
            try:
                folder.rename(report.moved_to)
            except OSError as error:
                message = f"Cannot move the index {folder} aside to {report.moved_to}: {error.strerror}"
                raise StoreError(message) from None
        store = BriefStore(settings)
        store.committed()
    if restored:
        chunked = [(document, chunk_document(document, settings.chunk_chars)) for document in restored]
        store.write_many(
            [(document, chunks, embeddings.embed_documents([c.text for c in chunks])) for document, chunks in chunked]
        )
        report.restored = [document.source for document in restored]
    report.ingest = Ingestor(store, embeddings, settings).ingest_paths([*report.reread, *paths], progress)
    indexed = store.committed()
    store.set_grades({source: grade for source, grade in grades.items() if source in indexed})
    return report
