"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings merged by reciprocal rank fusion."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from index import BriefStore, Chunk, LexicalIndex

__all__ = ["HybridRetriever", "Passage"]

_RRF_K = 60


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and the two scores behind it."""

    chunk: Chunk
    score: float
    dense: float
    lexical: float


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a :class:`BriefStore`; the BM25 index is rebuilt only when the store changes."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: BriefStore
    embeddings: Embeddings
    k: int
    _lexical: tuple[str, LexicalIndex] | None = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)
    builds: int = 0

    def lexical_index(self) -> LexicalIndex:
        """The BM25 index of the current store content, built once per content version."""
        signature = self.store.signature()
        with self._lock:
            if self._lexical is None or self._lexical[0] != signature:
                self._lexical = (signature, LexicalIndex(self.store.chunks()))
                self.builds += 1
            return self._lexical[1]

    def passages(
        self,
        query: str,
        k: int | None = None,
        sources: Sequence[str] | None = None,
        vector: Sequence[float] | None = None,
    ) -> list[Passage]:
        """The best ``k`` passages for ``query``, fused from dense and lexical rankings.

        ``vector`` is the query's embedding when the caller has it already (it is then not computed again).
        """
        k = k or self.k
        depth = max(3 * k, 20)
        dense = self.store.search(vector if vector is not None else self.embeddings.embed_query(query), depth, sources)
        lexical = [
            (chunk, score)
            for chunk, score in self.lexical_index().search(query, depth * 2)
            if not sources or chunk.source in sources
        ][:depth]
        fused: dict[str, list[Any]] = {}
        for rank, hit in enumerate(dense):
            fused[hit.chunk.id] = [hit.chunk, 1.0 / (_RRF_K + rank + 1), hit.score, 0.0]
        for rank, (chunk, score) in enumerate(lexical):
            entry = fused.setdefault(chunk.id, [chunk, 0.0, 0.0, 0.0])
            entry[1] += 1.0 / (_RRF_K + rank + 1)
            entry[3] = score
        ranked = sorted(fused.values(), key=lambda e: -e[1])[:k]
        return [Passage(chunk=e[0], score=e[1], dense=e[2], lexical=e[3]) for e in ranked]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        return [
            Document(
                page_content=p.chunk.text,
                id=p.chunk.id,
                metadata={
                    "source": p.chunk.source,
                    "start": p.chunk.start,
                    "end": p.chunk.end,
                    "paragraph": p.chunk.paragraph,
                    "score": p.score,
                },
            )
            for p in self.passages(query, k)
        ]
