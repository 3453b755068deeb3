"""Run a test set through a question-answering system and score every answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import BriefStore

from ..citations import Answer
from ..errors import TestSetError
from .metrics import QuestionScore, score_question, summarize
from .testset import TestQuestion, TestSet, locate_support, read_testset, unlocated_support

if TYPE_CHECKING:
    from ..service import Assistant

__all__ = ["EvalReport", "EvalRun", "Responder", "evaluate", "indexed_texts", "run_evaluation", "run_testset"]

Responder = Callable[[str], Answer]
"""Answers one question: ``Assistant.ask`` with fixed ``k`` and ``llm``, or the baseline."""
Progress = Callable[[int, int], Any]
"""Called after each answered question with (questions answered so far, questions to answer in all)."""

_CITATION_MARK = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


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
                retrieved=answer.retrieved,
                cited=answer.citations,
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


@dataclass
class EvalReport:
    """A test set run through brief (and, when asked, the baseline): the runs and the test set's warnings."""

    testset: TestSet
    runs: list[EvalRun]
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def summaries(self) -> list[dict[str, Any]]:
        """One summary per system, brief's first: what ``write_outputs`` and ``metric_rows`` take."""
        return [run.summary() for run in self.runs]

    @property
    def payload(self) -> dict[str, Any]:
        """Brief's summary, with the baseline's under ``baseline`` when it ran: the JSON ``brief eval`` prints."""
        first, *rest = self.summaries
        return {**first, **({"baseline": rest[0]} if rest else {})}


def run_evaluation(
    assistant: Assistant,
    testset: Path,
    *,
    k: int | None = None,
    llm: str | None = None,
    baseline: bool = False,
    progress: Progress | None = None,
) -> EvalReport:
    """Read a JSON Lines test set and score every answer brief (and the baseline) gives to it.

    Bad lines of the test set and support spans found in no indexed document become ``warnings``.

    Raises:
        TestSetError: the test set cannot be read at all, or the index is empty.

    """
    questions = read_testset(testset)
    texts = indexed_texts(assistant.store)
    if not texts:
        raise TestSetError(
            f"The index at {assistant.store.location} is empty: add the briefs first "
            "(`brief ingest PATH...`, or the Library tab of the app)"
        )
    warnings = [*questions.problems, *unlocated_support(questions, texts)]
    total = len(questions.questions) * (2 if baseline else 1)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    runs = evaluate(assistant, questions.questions, texts, k=k, llm=llm, baseline=baseline, progress=step)
    return EvalReport(questions, runs, warnings)
