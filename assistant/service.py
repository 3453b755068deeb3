"""The ``Assistant``: one object per process that owns the store, the models and the indexes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import BriefStore, DocumentInfo, Ingestor, IngestReport, Settings, get_settings
from index.grades import Grade
from index.ingest import Progress

from .citations import Answer

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from index.recovery import RecoveryReport

    from .answering import AnswerPipeline, Backend
    from .briefs import Brief, SourceSentence
    from .evidence import SentenceEmbeddingCache
    from .followups import History
    from .quotes import QuoteResult
    from .retrieval import HybridRetriever
    from .timeline import TimelineEvent


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

    def on_index(self, settings: Settings) -> Assistant:
        """An assistant over the index ``settings`` names that shares this one's embedder and loaded chat models."""
        other = Assistant(settings=settings, embeddings=self.embeddings)
        other._chat_models = self._chat_models
        return other

    @cached_property
    def embeddings(self) -> Embeddings:
        """The embedding model (loaded lazily on its first call)."""
        from index import SentenceTransformerEmbeddings

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
        from .retrieval import HybridRetriever

        return HybridRetriever(store=self.store, embeddings=self.embeddings, k=self.settings.k)

    @cached_property
    def sentence_cache(self) -> SentenceEmbeddingCache:
        """Sentence vectors reused across questions."""
        from .evidence import SentenceEmbeddingCache

        return SentenceEmbeddingCache(self.embeddings)

    @cached_property
    def pipeline(self) -> AnswerPipeline:
        """The answer pipeline over this assistant's retriever, sentence embedder and stored texts."""
        from .answering import AnswerPipeline
        from .reader import SentenceMap

        return AnswerPipeline(
            retriever=self.retriever,
            sentences=self.sentence_cache,
            text=self.store.text,
            documents=self.documents,
            briefs=self.briefs,
            spans=SentenceMap(),
        )

    def backend(self, spec: str | None = None) -> Backend:
        """The chat model of a backend spec with the name shown to users and its error for a failed call."""
        from .answering import Backend
        from .llm import describe_backend, llm_error

        spec = spec or self.settings.llm
        model = self.chat_model(spec)
        name = describe_backend(spec, model, self.settings)
        return Backend(model, name, spec, lambda error: llm_error(spec, self.settings, error))

    def chat_model(self, spec: str | None = None) -> BaseChatModel | None:
        """The chat model for a backend spec (``None`` for ``none``), created once per spec."""
        from .llm import make_chat_model

        spec = spec or self.settings.llm
        if spec not in self._chat_models:
            self._chat_models[spec] = make_chat_model(spec, self.settings)
        return self._chat_models[spec]

    @cached_property
    def ingestor(self) -> Ingestor:
        """The ingestion pipeline."""
        return Ingestor(self.store, self.embeddings, self.settings)

    def warm_up(self) -> None:
        """Create the heavy objects a question needs (embedder, BM25 index, the embedded model) ahead of it."""
        from .llm import EmbeddedChatModel

        self.embeddings.embed_query("warm-up")
        if self.documents():
            self.retriever.lexical_index()
        model = self.chat_model()
        if isinstance(model, EmbeddedChatModel):
            model.warm_up()

    def ingest(
        self, paths: Iterable[Path], progress: Progress | None = None, grade: Grade | None = None
    ) -> IngestReport:
        """Index files and folders; ``grade`` grades their sources (a new version otherwise keeps its grade)."""
        return self.ingestor.ingest_paths(paths, progress, grade)

    def ingest_upload(self, data: bytes, name: str) -> IngestReport:
        """Index one uploaded file given as bytes."""
        return self.ingestor.ingest_bytes(data, name)

    def reindex(self, paths: Iterable[Path] = (), progress: Progress | None = None) -> RecoveryReport:
        """Move the index folder aside and index the briefs again (``index.recovery.rebuild_index``)."""
        from index.recovery import rebuild_index

        return rebuild_index(self.settings, self.embeddings, paths, progress)

    def documents(self) -> list[DocumentInfo]:
        """The indexed documents."""
        return self.store.documents()

    def document(self, source: str) -> DocumentInfo | None:
        """What the index knows of one document, or None."""
        return self.store.document(source)

    def text(self, source: str) -> str:
        """The stored text of a document: every citation's offsets point into it."""
        return self.store.text(source)

    def set_grade(self, source: str, grade: Grade | None) -> None:
        """Grade a document's source (None clears the grade); nothing changes when ``source`` is not indexed."""
        self.store.set_grades({source: grade})

    def remove(self, source: str) -> bool:
        """Delete one document; False when it was not indexed."""
        return self.store.remove(source)

    def briefs(self, sources: Sequence[str] | None = None) -> list[Brief]:
        """Every indexed brief (or those in ``sources``) as a whole text, with its sentences and entity mentions.

        Raises:
            SourceError: a name in ``sources`` is not indexed.

        """
        from .briefs import load_briefs

        return load_briefs(self.store, sources)

    def overview_sentences(self, briefs: Sequence[Brief]) -> list[SourceSentence]:
        """The 3 to 6 central sentences of ``briefs`` an overview is made of."""
        from .overview import select_overview_sentences

        return select_overview_sentences(briefs, self.sentence_cache.vectors)

    def entities(self, sources: Sequence[str] | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """The entities the briefs (or ``sources``) name, of ``kind`` when given: the JSON of ``brief entities``."""
        from .lists import entity_listing

        return entity_listing(self.briefs(sources), kind)

    def timeline(self, sources: Sequence[str] | None = None) -> list[TimelineEvent]:
        """The dated events of every brief (or of ``sources``), in date order."""
        from .timeline import build_timeline

        return build_timeline(self.briefs(sources))

    def quotes(self, topic: str, limit: int = 5, sources: Sequence[str] | None = None) -> QuoteResult:
        """Up to ``limit`` verbatim, cited passages about ``topic`` (only from ``sources`` when given), best first."""
        from .quotes import find_quotes

        return find_quotes(topic, self.store, self.retriever, self.sentence_cache, limit, sources)

    def ask(
        self,
        question: str,
        history: History = (),
        k: int | None = None,
        llm: str | None = None,
        *,
        sources: Sequence[str] | None = None,
        include_suspect: bool = False,
    ) -> Answer:
        """Answer ``question`` from the briefs, with citations, or refuse when they do not say.

        ``history`` holds earlier (question, answer) pairs, oldest first, for follow-up questions; ``sources``
        limits the answer to those documents; documents marked suspect are never evidence unless
        ``include_suspect``.
        """
        answer = None
        for event in self.stream(question, history, k, llm, sources=sources, include_suspect=include_suspect):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        history: History = (),
        k: int | None = None,
        llm: str | None = None,
        *,
        sources: Sequence[str] | None = None,
        include_suspect: bool = False,
    ) -> Iterator[str | Answer]:
        """Like :meth:`ask`, but yields the draft text as the model writes it, then the verified Answer."""
        yield from self.pipeline.stream(
            question, history, k or self.settings.k, self.backend(llm), sources, include_suspect
        )
