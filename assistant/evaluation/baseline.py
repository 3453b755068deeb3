"""The plain LangChain recipe a user would otherwise build, as a yardstick for ``brief eval --baseline``.

The stock ``langchain-chroma`` recipe: a ``Chroma`` vector store over the same Chroma collection brief's
store writes its chunks to, ``as_retriever(search_kwargs={"k": k})``, the top chunks stuffed into the classic
RAG prompt, the same chat model and ``StrOutputParser``; no verification, and no refusal unless the model
itself says it does not know.
"""

from __future__ import annotations

import re
import time

from langchain_chroma import Chroma
from langchain_core.documents import Document
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


def _format_docs(docs: list[Document]) -> str:
    return "\n\n".join(doc.page_content for doc in docs)


def _retrieved(rank: int, doc: Document) -> Citation:
    """A retrieved chunk as the evaluation locates it (the stock retriever gives no score)."""
    meta = doc.metadata
    return Citation(meta["source"], meta["start"], meta["end"], meta["paragraph"], rank, doc.page_content, 0.0)


class StuffedBaseline:
    """Top-k dense chunks stuffed into one prompt; with no chat model the answer is the top chunk."""

    def __init__(
        self, store: BriefStore, embeddings: Embeddings, k: int, chat_model: BaseChatModel | None, model: str
    ) -> None:
        """Open the chunks of ``store`` as a stock LangChain Chroma store; ``chat_model`` None answers the top chunk."""
        vectorstore = Chroma(
            client=store.client,
            collection_name=f"{store.settings.collection}-chunks",  # where BriefStore keeps its chunks
            embedding_function=embeddings,
        )
        self.retriever = vectorstore.as_retriever(search_kwargs={"k": k})
        self.chain = _PROMPT | chat_model | StrOutputParser() if chat_model is not None else None
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
        docs = self.retriever.invoke(question)
        retrieved_at = time.perf_counter()
        if self.chain is None:
            text = docs[0].page_content if docs else ""
        else:
            try:
                text = self.chain.invoke({"question": question, "context": _format_docs(docs)})
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
            retrieved=[_retrieved(rank, doc) for rank, doc in enumerate(docs, 1)],
        )
