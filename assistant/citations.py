"""What an answer is made of: cited passages, checked sentences, and the answer itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index import SourceSpan

__all__ = ["Answer", "AnswerSentence", "Citation"]


@dataclass(frozen=True)
class Citation(SourceSpan):
    """A numbered passage an answer cites; ``quote == source_text[start:end]`` always holds."""

    n: int
    quote: str
    score: float
    title: str = ""
    grade: str | None = None

    @classmethod
    def of_span(
        cls, span: SourceSpan, n: int, quote: str, score: float, title: str = "", grade: str | None = None
    ) -> Citation:
        """The passage ``span`` as the numbered citation ``[n]``."""
        return cls(span.source, span.start, span.end, span.paragraph, n, quote, score, title, grade)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``brief ask --json``."""
        return {
            "n": self.n,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "paragraph": self.paragraph,
            "score": round(self.score, 4),
            "grade": self.grade,
        }


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer, the citations that support it, and whether the verifier agreed."""

    text: str
    citations: tuple[int, ...]
    supported: bool


@dataclass
class Answer:
    """A grounded answer, or a refusal, with its evidence and timings."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    sentences: list[AnswerSentence]
    confidence: float
    model: str
    timings_ms: dict[str, float]
    standalone_question: str = ""
    retrieved: list[Citation] = field(default_factory=list)
    conflicts: list[Any] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON object ``brief ask --json`` prints."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.as_dict() for c in self.citations],
            "sentences": [
                {"text": s.text, "citations": list(s.citations), "supported": s.supported} for s in self.sentences
            ],
            "conflicts": [c.as_dict() for c in self.conflicts],
            "confidence": round(self.confidence, 3),
            "model": self.model,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
