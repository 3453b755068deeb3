"""What an answer is made of: cited passages, checked sentences, and the answer itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Answer", "AnswerSentence", "Citation", "citation_label"]


def citation_label(source: str, paragraph: int, start: int, end: int) -> str:
    """The citation string a briefer pastes: ``china-belarus-brief.txt, ¶3, chars 1204–1290``."""
    return f"{source}, ¶{paragraph}, chars {start}–{end}"


@dataclass(frozen=True)
class Citation:
    """A numbered passage an answer cites; ``quote == source_text[start:end]`` always holds."""

    n: int
    source: str
    start: int
    end: int
    quote: str
    paragraph: int
    score: float
    title: str = ""
    grade: str | None = None

    @property
    def label(self) -> str:
        """Human-readable citation string."""
        return citation_label(self.source, self.paragraph, self.start, self.end)

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

    def to_json_ready(self) -> dict[str, Any]:
        """Everything, including the standalone question and the retrieved passages (for evaluation)."""
        data = self.as_dict()
        data["standalone_question"] = self.standalone_question
        data["retrieved"] = [asdict(c) for c in self.retrieved]
        return data
