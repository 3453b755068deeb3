"""The ``Assistant``: one object per process that owns the store, the models and the indexes."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from index import BriefStore, DocumentInfo, Ingestor, IngestReport, SentenceTransformerEmbeddings, Settings, get_settings
from index.ingest import Progress

from .retrieval import HybridRetriever

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = ["Assistant"]


class Assistant:
    """Facade over ingestion, retrieval and answering; heavy parts are created on first use and reused."""

    def __init__(
        self,
        settings: Settings | None = None,
        embeddings: Embeddings | None = None,
        store: BriefStore | None = None,
    ) -> None:
        """Use the given parts, or the configured defaults."""
        self.settings = settings or get_settings()
        self._embeddings = embeddings
        self._store = store
        self._chat_models: dict[str, BaseChatModel | None] = {}

    @cached_property
    def embeddings(self) -> Embeddings:
        """The embedding model (loaded lazily on its first call)."""
        return self._embeddings or SentenceTransformerEmbeddings(
            self.settings.embedding_model, self.settings.embedding_batch_size
        )

    @cached_property
    def store(self) -> BriefStore:
        """The Chroma store."""
        return self._store or BriefStore(self.settings)

    @cached_property
    def retriever(self) -> HybridRetriever:
        """The hybrid retriever, with its BM25 index cached across questions."""
        return HybridRetriever(store=self.store, embeddings=self.embeddings, k=self.settings.k)

    @cached_property
    def ingestor(self) -> Ingestor:
        """The ingestion pipeline."""
        return Ingestor(self.store, self.embeddings, self.settings)

    def ingest(self, paths: Iterable[Path], progress: Progress | None = None) -> IngestReport:
        """Index files and folders."""
        return self.ingestor.ingest_paths(paths, progress)

    def documents(self) -> list[DocumentInfo]:
        """The indexed documents."""
        return self.store.documents()

    def remove(self, source: str) -> bool:
        """Delete one document; False when it was not indexed."""
        return self.store.remove(source)
