"""Ingestion: files and folders in, chunks with embeddings in the store, one clear line per failure."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from .chunking import chunk_document
from .documents import SourceDocument
from .errors import BriefError, IngestError
from .loaders import SUPPORTED_SUFFIXES, load_bytes, load_document
from .settings import Settings
from .store import BriefStore

__all__ = ["Failure", "IngestReport", "Ingestor", "expand_paths"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Failure:
    """A file that was not indexed, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        """The reason, prefixed with the path unless it names the file already."""
        return self.reason if self.reason.startswith((self.path, Path(self.path).name)) else f"{self.path}: {self.reason}"


@dataclass
class IngestReport:
    """What one ingest call did."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        """Documents indexed by this call (new or changed)."""
        return len(self.added) + len(self.replaced)

    def summary(self) -> str:
        """One line for the end of an ingest."""
        return (
            f"Indexed {self.documents} document(s) ({len(self.added)} new, {len(self.replaced)} changed), "
            f"{self.chunks} chunks, {len(self.unchanged)} unchanged, {len(self.failed)} failed "
            f"in {self.seconds:.1f}s"
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
            "seconds": round(self.seconds, 3),
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


class Ingestor:
    """Loads, chunks, embeds and stores documents; a bad file never stops the others."""

    def __init__(self, store: BriefStore, embeddings: Embeddings, settings: Settings) -> None:
        """Bind the store and embedder to use."""
        self.store = store
        self.embeddings = embeddings
        self.settings = settings

    def ingest_paths(self, paths: Iterable[Path], progress: Progress | None = None) -> IngestReport:
        """Index files and folders; failures are collected in the report, not raised."""
        started = time.perf_counter()
        report = IngestReport()
        for item in expand_paths(paths):
            if isinstance(item, Failure):
                report.failed.append(item)
                continue
            try:
                document = load_document(item, self.settings.max_file_bytes)
            except IngestError as error:
                report.failed.append(Failure(str(item), str(error)))
            else:
                self._index(document, report)
            if progress:
                progress(item.name)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_bytes(self, data: bytes, name: str) -> IngestReport:
        """Index one uploaded file given as bytes (the UI's path)."""
        started = time.perf_counter()
        report = IngestReport()
        if len(data) > self.settings.max_file_bytes:
            limit = self.settings.max_file_bytes / 1048576
            report.failed.append(Failure(name, f"{name}: over the {limit:.1f} MiB size limit"))
        else:
            try:
                self._index(load_bytes(data, name), report)
            except IngestError as error:
                report.failed.append(Failure(name, str(error)))
        report.seconds = time.perf_counter() - started
        return report

    def _index(self, document: SourceDocument, report: IngestReport) -> None:
        try:
            existing = self.store.document(document.source)
            if existing and existing.sha256 == document.sha256:
                report.unchanged.append(document.source)
                return
            chunks = chunk_document(document, self.settings.chunk_chars)
            vectors = self.embeddings.embed_documents([c.text for c in chunks])
            self.store.write(document, chunks, vectors)
        except BriefError as error:
            report.failed.append(Failure(document.path or document.source, str(error)))
            return
        (report.replaced if existing else report.added).append(document.source)
        report.chunks += len(chunks)
