"""Test sets: JSON Lines of questions with reference answers and the verbatim spans that support them.

One object a line::

    {"id": "cb-01", "question": "...", "answer": "Vadim Denisenko", "aliases": ["Denisenko"],
     "support": ["exact span of the brief"], "answerable": true, "type": "factoid"}

A malformed line is reported with its number and skipped; only a file with no usable line is an error.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index import SourceSpan, paragraph_spans

from ..errors import TestSetError

__all__ = ["TestQuestion", "TestSet", "json_lines", "locate_support", "read_testset", "unlocated_support"]

_EXAMPLE = '{"id": "q1", "question": "...", "answer": "...", "aliases": [], "support": ["..."], "answerable": true}'
_FIELD_TYPES: dict[str, tuple[type, bool]] = {
    "id": (str, True),
    "question": (str, True),
    "answer": (str, True),
    "answerable": (bool, True),
    "aliases": (list, False),
    "support": (list, False),
    "type": (str, False),
}


@dataclass(frozen=True)
class TestQuestion:
    """One question of a test set and what a correct answer contains."""

    __test__ = False

    id: str
    question: str
    answer: str
    aliases: tuple[str, ...]
    support: tuple[str, ...]
    answerable: bool
    type: str
    line: int

    @property
    def references(self) -> tuple[str, ...]:
        """Every accepted form of the answer; empty for an unanswerable question."""
        return (self.answer, *self.aliases) if self.answerable else ()


@dataclass
class TestSet:
    """The usable questions of a file, and one message per line that was skipped."""

    __test__ = False

    path: Path
    questions: list[TestQuestion]
    problems: list[str] = field(default_factory=list)


def _parse(record: Any, line: int) -> TestQuestion:
    """Build a question from one decoded line, or raise ValueError saying what is wrong with it."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    for name, (kind, required) in _FIELD_TYPES.items():
        if name not in record:
            if required:
                raise ValueError(f"missing field {name!r}")
        elif not isinstance(record[name], kind):
            raise ValueError(f"field {name!r} must be {kind.__name__}, got {type(record[name]).__name__}")
    aliases, support = record.get("aliases", []), record.get("support", [])
    for name, items in (("aliases", aliases), ("support", support)):
        if not all(isinstance(item, str) and item for item in items):
            raise ValueError(f"field {name!r} must hold non-empty strings")
    if not record["id"] or not record["question"].strip():
        raise ValueError("fields 'id' and 'question' must not be empty")
    if record["answerable"] and not record["answer"].strip():
        raise ValueError("an answerable question needs a non-empty 'answer'")
    if not record["answerable"] and (record["answer"] or support):
        raise ValueError("an unanswerable question must have an empty 'answer' and no 'support'")
    return TestQuestion(
        id=record["id"],
        question=record["question"],
        answer=record["answer"],
        aliases=tuple(aliases),
        support=tuple(support),
        answerable=record["answerable"],
        type=record.get("type") or ("factoid" if record["answerable"] else "unanswerable"),
        line=line,
    )


def json_lines(path: Path, what: str, hint: str) -> list[tuple[int, str]]:
    """The non-blank lines of a JSON Lines file with their line numbers (from 1), for the readers to parse.

    Raises:
        TestSetError: the file cannot be read or is not UTF-8 (naming ``what``, ``path`` and ``hint``), or has no line.

    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TestSetError(f"Cannot read {what} {path}: {error}; {hint}") from None
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise TestSetError(f"{what[0].upper()}{what[1:]} {path} is empty; {hint}")
    return lines


def read_testset(path: Path) -> TestSet:
    """Read a JSON Lines test set; bad lines become ``problems``, a file with no good line raises TestSetError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TestSetError(f"Test set {path} does not exist; pass a JSON Lines file of questions") from None
    except (OSError, UnicodeDecodeError) as error:
        raise TestSetError(f"Cannot read test set {path}: {error}; it must be a UTF-8 JSON Lines file") from None
    testset = TestSet(path=path, questions=[])
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            question = _parse(json.loads(raw), number)
            if question.id in seen:
                raise ValueError(f"duplicate id {question.id!r}")
        except json.JSONDecodeError as error:
            testset.problems.append(f"{path}:{number}: not valid JSON ({error.msg} at column {error.colno})")
        except ValueError as error:
            testset.problems.append(f"{path}:{number}: {error}")
        except RecursionError:
            testset.problems.append(f"{path}:{number}: not valid JSON (nested too deeply)")
        else:
            seen.add(question.id)
            testset.questions.append(question)
    if not testset.questions:
        if not text.strip():
            raise TestSetError(f"Test set {path} is empty; each line must be a JSON object like {_EXAMPLE}")
        shown = "; ".join(testset.problems[:3])
        raise TestSetError(f"Test set {path} has no valid question ({len(testset.problems)} bad lines: {shown})")
    return testset


def locate_support(question: TestQuestion, texts: Mapping[str, str]) -> list[SourceSpan]:
    """Every place where one of the question's support spans occurs in the indexed texts."""
    located = []
    for span in question.support:
        for source, text in texts.items():
            start = text.find(span)
            while start >= 0:
                located.append(SourceSpan(source, start, start + len(span), _paragraph(text, start)))
                start = text.find(span, start + 1)
    return located


def _paragraph(text: str, offset: int) -> int:
    """The number (from 1) of the paragraph of ``text`` that ``offset`` falls in."""
    return max(1, bisect.bisect_right([p.start for p in paragraph_spans(text)], offset))


def unlocated_support(testset: TestSet, texts: Mapping[str, str]) -> list[str]:
    """Return a warning for every support span that occurs in no indexed document."""
    return [
        f"{testset.path}:{q.line}: support span not found in any indexed document: {span[:60]!r}"
        for q in testset.questions
        for span in q.support
        if not any(span in text for text in texts.values())
    ]
