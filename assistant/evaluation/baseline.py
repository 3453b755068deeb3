"""The plain LangChain recipe a user would otherwise build, as a yardstick for ``brief eval --baseline``.

Dense Chroma retrieval only, the top chunks stuffed into the classic RAG prompt, the same chat model,
no verification, and no refusal unless the model itself says it does not know.
"""

from __future__ import annotations

import re
import time

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from index import BriefStore, Settings

from ..citations import Answer, Citation
from ..errors import LLMError
from ..llm import describe_backend, make_chat_model

__all__ = ["StuffedBaseline", "says_unknown"]

_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "human",
            "You are an assistant for question-answering tasks. Use the following pieces of retrieved context to "
            "answer the question. If you don't know the answer, just say that you don't know. Use three sentences "
            "maximum and keep the answer concise.\nQuestion: {question}\nContext: {context}\nAnswer:",
        )
    ]
)
_UNKNOWN = re.compile(
    r"\b(?:do not|don't|does not|doesn't|cannot|can't|can not) (?:know|say|answer|provide|determine|find)\b|"
    r"\bnot (?:mentioned|stated|specified|provided|given)\b|\b(?:no|insufficient|not enough) information\b",
    re.IGNORECASE,
)


def says_unknown(text: str) -> bool:
    """Tell whether a model's reply declines to answer ("I don't know", "not mentioned in the context")."""
    return bool(_UNKNOWN.search(text))


class StuffedBaseline:
    """Top-k dense chunks stuffed into one prompt; with no chat model the answer is the top chunk."""

    def __init__(
        self, store: BriefStore, embeddings: Embeddings, k: int, chat_model: BaseChatModel | None, model: str
    ) -> None:
        """Bind the store and embedder the assistant uses, and a chat model (None: answer with the top chunk)."""
        self.store = store
        self.embeddings = embeddings
        self.k = k
        self.chat_model = chat_model
        self.model = model

    @classmethod
    def for_backend(
        cls, store: BriefStore, embeddings: Embeddings, settings: Settings, llm: str, k: int
    ) -> StuffedBaseline:
        """Build the baseline on the chat model named by ``llm`` (the spec ``brief ask --llm`` takes)."""
        chat_model = make_chat_model(llm, settings)
        return cls(store, embeddings, k, chat_model, describe_backend(llm, chat_model, settings))

    def ask(self, question: str) -> Answer:
        """Answer like a stock retrieve-then-generate chain: no citations, no checks."""
        started = time.perf_counter()
        hits = self.store.search(self.embeddings.embed_query(question), self.k)
        retrieved = [
            Citation(rank, h.chunk.source, h.chunk.start, h.chunk.end, h.chunk.text, h.chunk.paragraph, h.score)
            for rank, h in enumerate(hits, 1)
        ]
        retrieved_at = time.perf_counter()
        if self.chat_model is None:
            text = hits[0].chunk.text if hits else ""
        else:
            chain = _PROMPT | self.chat_model | StrOutputParser()
            try:
                text = chain.invoke({"question": question, "context": "\n\n".join(h.chunk.text for h in hits)})
            except Exception as error:  # noqa: BLE001 - any backend failure becomes one clear LLMError
                msg = f"The baseline's chat model {self.model} failed: {error}; check the backend or use --llm none"
                raise LLMError(msg) from error
        done = time.perf_counter()
        return Answer(
            question=question,
            answer=text.strip(),
            refused=not text.strip() or says_unknown(text),
            citations=[],
            sentences=[],
            confidence=0.0,
            model=self.model,
            timings_ms={
                "retrieve": (retrieved_at - started) * 1000,
                "generate": (done - retrieved_at) * 1000,
                "total": (done - started) * 1000,
            },
            retrieved=retrieved,
        )
