"""Ingestion: files and folders in, chunks with embeddings in the store, one clear line per failure."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .chunking import chunk_document
from .documents import Chunk, SourceDocument
from .entities import entities_to_json, extract_mentions
from .errors import BriefError, IngestError
from .grades import Grade
from .loaders import SUPPORTED_SUFFIXES, load_bytes, load_document
from .records import DocumentInfo
from .settings import Settings
from .store import BriefStore

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

__all__ = ["Failure", "IngestReport", "Ingestor", "expand_paths"]

Progress = Callable[[str], object]

BATCH_CHUNKS = 1024
"""Chunks embedded in one call and written in one batch: large enough to keep the encoder busy."""


@dataclass(frozen=True)
class Failure:
    """A file that was not indexed, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        """The reason, prefixed with the path unless it names the file already."""
        return (
            self.reason if self.reason.startswith((self.path, Path(self.path).name)) else f"{self.path}: {self.reason}"
        )


@dataclass
class IngestReport:
    """What one ingest call did; ``suspect`` maps each indexed document holding suspect text to its first flag."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    chunks: int = 0
    reused: int = 0
    seconds: float = 0.0
    suspect: dict[str, str] = field(default_factory=dict)
    graded: list[str] = field(default_factory=list)
    grade: str | None = None

    @property
    def documents(self) -> int:
        """Documents indexed by this call (new or changed)."""
        return len(self.added) + len(self.replaced)

    def summary(self) -> str:
        """One line for the end of an ingest."""
        graded = f"; graded {len(self.graded)} as {self.grade}" if self.graded else ""
        return (
            f"Indexed {self.documents} document(s) ({len(self.added)} new, {len(self.replaced)} changed), "
            f"{self.chunks} chunks, {len(self.unchanged)} unchanged, {len(self.failed)} failed "
            f"in {self.seconds:.1f}s{graded}"
        )

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        return {
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "failed": [{"path": f.path, "reason": str(f)} for f in self.failed],
            "documents": self.documents,
            "chunks": self.chunks,
            "reused": self.reused,
            "seconds": round(self.seconds, 3),
            "suspect": self.suspect,
            "graded": self.graded,
            "grade": self.grade,
        }


def expand_paths(paths: Iterable[Path]) -> Iterator[Path | Failure]:
    """Files named directly, and the supported files inside named folders (recursively, sorted)."""
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            if not found:
                yield Failure(str(path), "folder holds no supported files (.txt .md .html .pdf .docx)")
            yield from found
        elif path.exists() or path.is_symlink():
            yield path
        else:
            yield Failure(str(path), "no such file or folder")


@dataclass(frozen=True)
class _Pending:
    """A loaded document waiting in the batch, with the file name to report progress for."""

    document: SourceDocument
    chunks: list[Chunk]
    replaces: bool
    label: str | None


class Ingestor:
    """Loads, chunks, embeds and stores documents; a bad file never stops the others.

    Documents are embedded and written in batches of about :data:`BATCH_CHUNKS` chunks across files, and
    a changed document reuses the stored vectors of the chunks whose text did not change. Each document's
    entities (``index.entities``) are extracted and stored with it, unless ``entities`` is False (which only
    the benchmark of their cost uses).
    """

    def __init__(self, store: BriefStore, embeddings: Embeddings, settings: Settings, entities: bool = True) -> None:
        """Bind the store and embedder to use."""
        self.store = store
        self.embeddings = embeddings
        self.settings = settings
        self.entities = entities

    def ingest_paths(
        self, paths: Iterable[Path], progress: Progress | None = None, grade: Grade | None = None
    ) -> IngestReport:
        """Index files and folders; failures are collected in the report, not raised.

        With ``grade``, every document named gets that grade, changed or not; otherwise a new version keeps the
        grade of the one it replaces.
        """
        return self._ingest(self._load_paths(paths), progress, grade)

    def ingest_bytes(self, data: bytes, name: str, grade: Grade | None = None) -> IngestReport:
        """Index one uploaded file given as bytes (the UI's path); ``grade`` as for :meth:`ingest_paths`."""
        if len(data) > self.settings.max_file_bytes:
            limit = self.settings.max_file_bytes / 1048576
            loaded: SourceDocument | Failure = Failure(name, f"{name}: over the {limit:.1f} MiB size limit")
        else:
            try:
                loaded = load_bytes(data, name, max_bytes=self.settings.max_file_bytes)
            except IngestError as error:
                loaded = Failure(name, str(error))
        return self._ingest([(None, loaded)], None, grade)

    def _load_paths(self, paths: Iterable[Path]) -> Iterator[tuple[str | None, SourceDocument | Failure]]:
        """Each file as a loaded document or a failure, with the name to report progress for."""
        for item in expand_paths(paths):
            if isinstance(item, Failure):
                yield None, item
                continue
            try:
                loaded: SourceDocument | Failure = load_document(item, self.settings.max_file_bytes)
            except IngestError as error:
                loaded = Failure(str(item), str(error))
            yield item.name, loaded

    def _ingest(
        self,
        items: Iterable[tuple[str | None, SourceDocument | Failure]],
        progress: Progress | None,
        grade: Grade | None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        committed = self.store.committed()
        known = {source: info.sha256 for source, info in committed.items()}
        pending: list[_Pending] = []
        for label, loaded in items:
            if isinstance(loaded, Failure):
                report.failed.append(loaded)
            elif known.get(loaded.source) == loaded.sha256:
                report.unchanged.append(loaded.source)
            else:
                if any(p.document.source == loaded.source for p in pending):
                    self._flush(pending, report, progress, grade)
                if self.entities:
                    loaded = replace(loaded, entities=entities_to_json(extract_mentions(loaded.text)))
                chunks = chunk_document(loaded, self.settings.chunk_chars)
                pending.append(_Pending(loaded, chunks, loaded.source in known, label))
                known[loaded.source] = loaded.sha256
                if sum(len(p.chunks) for p in pending) >= BATCH_CHUNKS:
                    self._flush(pending, report, progress, grade)
                continue
            if progress and label:
                progress(label)
        self._flush(pending, report, progress, grade)
        if grade is not None:
            self._grade_unchanged(report, grade, committed)
        after = self.store.committed()
        report.suspect = {
            source: after[source].flags[0].text
            for source in [*report.added, *report.replaced]
            if source in after and after[source].suspect
        }
        report.seconds = time.perf_counter() - started
        return report

    def _grade_unchanged(self, report: IngestReport, grade: Grade, committed: Mapping[str, DocumentInfo]) -> None:
        """Give ``grade`` to the unchanged documents named (the written ones got it with their new version)."""
        report.grade = str(grade)
        regrade = {s: grade for s in report.unchanged if s in committed and committed[s].grade != str(grade)}
        try:
            if regrade:
                self.store.set_grades(regrade)
        except BriefError as error:
            report.failed.extend(Failure(source, str(error)) for source in regrade)
            return
        report.graded = sorted({*report.added, *report.replaced, *report.unchanged})

    def _flush(
        self, pending: list[_Pending], report: IngestReport, progress: Progress | None, grade: Grade | None
    ) -> None:
        """Embed the chunks of the pending documents in one call, write them in one batch, and empty the batch."""
        if not pending:
            return
        try:
            by_text = self.store.vectors_by_text([p.document.source for p in pending if p.replaces])
            texts = [c.text for p in pending for c in p.chunks]
            reused = sum(1 for t in texts if t in by_text)
            missing = list(dict.fromkeys(t for t in texts if t not in by_text))
            by_text.update(zip(missing, self.embeddings.embed_documents(missing), strict=True))
            self.store.write_many([(p.document, p.chunks, [by_text[c.text] for c in p.chunks]) for p in pending], grade)
        except BriefError as error:
            report.failed.extend(Failure(p.document.path or p.document.source, str(error)) for p in pending)
        else:
            for p in pending:
                (report.replaced if p.replaces else report.added).append(p.document.source)
            report.chunks += len(texts)
            report.reused += reused
        if progress:
            for p in pending:
                if p.label:
                    progress(p.label)
        pending.clear()
