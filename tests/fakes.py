"""Deterministic stand-ins that are real subclasses of the interfaces they replace."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from index.terms import content_terms

ANSWER_KEYS = frozenset(
    {"question", "answer", "refused", "citations", "sentences", "conflicts", "confidence", "model", "timings_ms"}
)
"""The keys of ``brief ask --json`` and of the app's ``/ask`` endpoint."""


def write_briefs(folder: Path, count: int) -> list[Path]:
    """Write ``count`` generated briefs (the benchmark corpus) into ``folder``; return their paths."""
    from benchmarks import generate_briefs

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate_briefs(count):
        paths.append(folder / name)
        paths[-1].write_text(text, encoding="utf-8")
    return paths


class HashEmbeddings(Embeddings):
    """Bag-of-words hashed into a fixed-size unit vector: texts sharing words are close."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.calls = 0

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self.size
        for term in content_terms(text) or ["<empty>"]:
            vector[int(hashlib.md5(term.encode()).hexdigest(), 16) % self.size] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class SpreadEmbeddings(HashEmbeddings):
    """A pseudo-random unit vector per text, the same on every call: only the same text is close.

    For tests that look each stored chunk up by its own vector in a large index. HashEmbeddings gives thousands of
    near-identical generated paragraphs sparse vectors that share most of their entries, and Chroma's approximate
    (HNSW) graph over them can leave a few unreachable however many results are asked for.
    """

    def __init__(self, size: int = 64) -> None:
        super().__init__(size)

    def _vector(self, text: str) -> list[float]:
        draw = random.Random(hashlib.sha256(text.encode()).digest())
        vector = [draw.gauss(0.0, 1.0) for _ in range(self.size)]
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector]


class ScriptedChatModel(BaseChatModel):
    """Replies with scripted texts in turn (the last one repeats); records the prompts it saw."""

    replies: Sequence[str] = ("",)
    prompts: list[list[BaseMessage]] = []
    model_name: str = "scripted"
    reads: bool = True

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: list[BaseMessage]) -> str:
        self.prompts.append(messages)
        return self.replies[min(len(self.prompts) - 1, len(self.replies) - 1)]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text = self._next(messages)
        for piece in text.split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece + " "))
