"""LangChain's standard retriever tests (``langchain-tests``) on :class:`HybridRetriever` over a real Chroma store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.retrieval import HybridRetriever
from index import BriefStore, Ingestor, SentenceTransformerEmbeddings, Settings

from .fakes import HashEmbeddings


class _OverTheSeedBrief(RetrieversIntegrationTests):
    """The standard suite on a store holding the seed brief (12 chunks), embedded by :meth:`embeddings`."""

    store: BriefStore

    def embeddings(self) -> Embeddings:
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _seeded(self, settings: Settings, seed_dir: Path) -> None:
        self.store = BriefStore(settings)
        self.vectors = self.embeddings()
        report = Ingestor(self.store, self.vectors, settings).ingest_paths([seed_dir])
        assert report.chunks > 3

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"store": self.store, "embeddings": self.vectors, "k": 4}

    @property
    def retriever_query_example(self) -> str:
        return "Which countries sent delegations to military exercises in Belarus?"


class TestHybridRetrieverStandard(_OverTheSeedBrief):
    """Deterministic hash embeddings: fast, no model."""

    def embeddings(self) -> Embeddings:
        return HashEmbeddings()


@pytest.mark.integration
class TestHybridRetrieverStandardRealModel(_OverTheSeedBrief):
    """The bundled all-MiniLM-L6-v2 model."""

    def embeddings(self) -> Embeddings:
        return SentenceTransformerEmbeddings()
