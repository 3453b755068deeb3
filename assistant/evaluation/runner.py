"""Run a test set through a question-answering system and score every answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from index import BriefStore

from ..citations import Answer, Citation
from .metrics import Located, QuestionScore, score_question, summarize
from .testset import TestQuestion, locate_support

if TYPE_CHECKING:
    from ..service import Assistant

__all__ = ["EvalRun", "Responder", "evaluate", "indexed_texts", "run_testset"]

Responder = Callable[[str], Answer]
"""Answers one question: ``Assistant.ask`` with fixed ``k`` and ``llm``, or the baseline."""

_CITATION_MARK = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


def _located(citations: Sequence[Citation]) -> list[Located]:
    return [Located(c.source, c.start, c.end) for c in citations]


def _claims(answer: Answer) -> list[tuple[str, list[str]]]:
    """The sentences an answer shows as its answer, each with the quotes it cites; none for a refusal."""
    if answer.refused:
        return []
    quotes = {c.n: c.quote for c in answer.citations}
    return [(s.text, [quotes[n] for n in s.citations if n in quotes]) for s in answer.sentences if s.supported]


@dataclass
class EvalRun:
    """The answers one system gave to a test set, and their scores."""

    system: str
    model: str
    questions: list[TestQuestion]
    answers: list[Answer]
    scores: list[QuestionScore]

    def summary(self) -> dict[str, Any]:
        """Return the metrics, then one record per question: the JSON ``brief eval --json`` prints."""
        per_question = [
            {"question": q.question, "reference": q.answer, "answer": a.answer, **s.as_dict()}
            for q, a, s in zip(self.questions, self.answers, self.scores, strict=True)
        ]
        return {"system": self.system, "model": self.model, **summarize(self.scores), "per_question": per_question}


def run_testset(
    system: str,
    questions: Sequence[TestQuestion],
    respond: Responder,
    texts: Mapping[str, str],
    progress: Callable[[], Any] | None = None,
) -> EvalRun:
    """Ask every question with ``respond`` and score the answer against spans located in ``texts``."""
    answers: list[Answer] = []
    scores: list[QuestionScore] = []
    for question in questions:
        answer = respond(question.question)
        answers.append(answer)
        scores.append(
            score_question(
                id=question.id,
                type=question.type,
                references=question.references,
                support=locate_support(question, texts),
                answer=_CITATION_MARK.sub("", answer.answer),
                refused=answer.refused,
                retrieved=_located(answer.retrieved),
                cited=_located(answer.citations),
                timings_ms=answer.timings_ms,
                claims=_claims(answer),
            )
        )
        if progress:
            progress()
    model = answers[0].model if answers else ""
    return EvalRun(system=system, model=model, questions=list(questions), answers=answers, scores=scores)


def indexed_texts(store: BriefStore) -> dict[str, str]:
    """Return the full text of every indexed document by source name: where support spans are located."""
    return {info.source: store.text(info.source) for info in store.documents()}


def evaluate(
    assistant: Assistant,
    questions: Sequence[TestQuestion],
    texts: Mapping[str, str],
    *,
    k: int | None = None,
    llm: str | None = None,
    baseline: bool = False,
    progress: Callable[[], Any] | None = None,
) -> list[EvalRun]:
    """Run the questions through ``assistant.ask`` and, with ``baseline``, through the stock LangChain recipe."""
    runs = [run_testset("brief", questions, lambda q: assistant.ask(q, k=k, llm=llm), texts, progress)]
    if baseline:
        from .baseline import StuffedBaseline

        settings = assistant.settings
        stuffed = StuffedBaseline.for_backend(
            assistant.store, assistant.embeddings, settings, llm or settings.llm, k or settings.k
        )
        runs.append(run_testset("baseline", questions, stuffed.ask, texts, progress))
    return runs
