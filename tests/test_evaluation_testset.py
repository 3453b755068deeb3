from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import TestSetError
from assistant.evaluation import locate_support, read_testset, unlocated_support

from .conftest import ROOT, SEED

SEED_TESTSET = ROOT / "seeds" / "china-belarus-testset.jsonl"
GOOD = {"id": "q1", "question": "Who?", "answer": "Denisenko", "aliases": [], "support": ["Vadim"], "answerable": True}


def _line(**changes: object) -> str:
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...})


def test_malformed_lines_are_reported_by_number_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    lines = [
        _line(),
        "",
        "{not json",
        _line(id="q3", question=...),
        _line(id="q4", answerable="yes"),
        _line(id="q5", support="Vadim"),
        _line(),
        _line(id="q7", answerable=False),
        _line(id="q8", answer="   "),
        "[1, 2]",
        _line(id="q10", aliases=["", "x"]),
        _line(id="q11", answer="", support=[], answerable=False, type="unanswerable"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    testset = read_testset(path)
    assert [q.id for q in testset.questions] == ["q1", "q11"]
    assert [q.line for q in testset.questions] == [1, 12]
    problems = "\n".join(testset.problems)
    assert len(testset.problems) == 9
    for expected in (
        f"{path}:3: not valid JSON",
        f"{path}:4: missing field 'question'",
        f"{path}:5: field 'answerable' must be bool, got str",
        f"{path}:6: field 'support' must be list, got str",
        f"{path}:7: duplicate id 'q1'",
        f"{path}:8: an unanswerable question must have an empty 'answer'",
        f"{path}:9: an answerable question needs a non-empty 'answer'",
        f"{path}:10: expected a JSON object, got list",
        f"{path}:11: field 'aliases' must hold non-empty strings",
    ):
        assert expected in problems
    assert testset.questions[0].references == ("Denisenko",)
    assert testset.questions[1].references == ()
    assert testset.questions[0].type == "factoid"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("{bad\n[]\n", r"no valid question \(2 bad lines: .*set.jsonl:1: not valid JSON"),
    ],
)
def test_unusable_files_raise(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "set.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TestSetError, match=message):
        read_testset(path)


def test_not_utf8_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_bytes(b'{"id": "caf\xe9"}\n')
    with pytest.raises(TestSetError, match="UTF-8"):
        read_testset(path)


def test_support_is_located_by_offsets_and_missing_spans_warned(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(_line(support=["Vadim", "Minsk"]) + "\n", encoding="utf-8")
    testset = read_testset(path)
    texts = {"a.txt": "Vadim and Vadim.", "b.txt": "Major General Vadim"}
    located = locate_support(testset.questions[0], texts)
    assert [(s.source, s.start, s.end) for s in located] == [("a.txt", 0, 5), ("a.txt", 10, 15), ("b.txt", 14, 19)]
    warnings = unlocated_support(testset, texts)
    assert warnings == [f"{path}:1: support span not found in any indexed document: 'Minsk'"]


def test_shipped_seed_testset_is_valid_and_grounded_in_the_brief() -> None:
    testset = read_testset(SEED_TESTSET)
    assert testset.problems == []
    brief = {SEED.name: SEED.read_text(encoding="utf-8")}
    assert unlocated_support(testset, brief) == []
    answerable = [q for q in testset.questions if q.answerable]
    unanswerable = [q for q in testset.questions if not q.answerable]
    assert len(testset.questions) >= 44 and len(answerable) >= 30 and len(unanswerable) >= 12
    assert {q.type for q in answerable} == {"factoid", "why", "paraphrase", "two-part"}
    for question in answerable:
        support = " ".join(question.support).lower()
        assert any(form.lower() in support for form in question.references), question.id


def test_json_lines_numbers_lines_and_names_an_unreadable_file(tmp_path: Path) -> None:
    """The reader behind the RGB, labelled-set and entity-label files: a bad file is one error, not a traceback."""
    from assistant.evaluation.testset import json_lines

    good = tmp_path / "good.jsonl"
    good.write_text('{"a": 1}\n\n  \n{"a": 2}\n', encoding="utf-8")
    assert json_lines(good, "the set", "fix it") == [(1, '{"a": 1}'), (4, '{"a": 2}')]
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "empty.jsonl").write_text("\n \n", encoding="utf-8")
    for name, message in [("binary", "Cannot read the set"), ("empty", "The set .* is empty"), ("missing", "Cannot")]:
        with pytest.raises(TestSetError, match=message):
            json_lines(tmp_path / f"{name}.jsonl", "the set", "fix it")
