from __future__ import annotations

from typing import Any

import pytest

from assistant.evaluation.metrics import (
    contains_reference,
    exact_match,
    first_hit_rank,
    normalize_answer,
    overlaps_any,
    percentile,
    score_question,
    summarize,
    token_f1,
    unsupported_facts,
)
from index import SourceSpan

DOC = "brief.txt"
DENISENKO = SourceSpan(DOC, 100, 150, 1)
REFERENDUM = SourceSpan(DOC, 300, 340, 1)
QUESTIONS: list[dict[str, Any]] = [
    {"id": "q1", "type": "factoid", "references": ["Vadim Denisenko", "Denisenko"], "support": [DENISENKO]},
    {"id": "q2", "type": "factoid", "references": ["October 20"], "support": [REFERENDUM]},
    {"id": "q3", "type": "unanswerable", "references": [], "support": []},
]


def _run(answers: list[dict]) -> dict:
    scores = [score_question(**question, **answer) for question, answer in zip(QUESTIONS, answers, strict=True)]
    return summarize(scores)


def _answer(text: str, refused: bool, retrieved: list[SourceSpan], cited: list[SourceSpan], total: float) -> dict:
    return {
        "answer": text,
        "refused": refused,
        "retrieved": retrieved,
        "cited": cited,
        "timings_ms": {"retrieve": total / 4, "generate": total / 2, "total": total},
    }


def test_perfect_system_scores_one_everywhere() -> None:
    summary = _run(
        [
            _answer(
                "Vadim Denisenko", False, [SourceSpan(DOC, 90, 200, 1), SourceSpan(DOC, 0, 80, 1)], [DENISENKO], 100
            ),
            _answer("October 20.", False, [SourceSpan(DOC, 290, 400, 1)], [SourceSpan(DOC, 310, 330, 1)], 200),
            _answer("The briefs do not say.", True, [SourceSpan(DOC, 0, 80, 1)], [], 300),
        ]
    )
    assert summary["n"] == 3
    assert summary["retrieval"] == {"hit@1": 1.0, "hit@3": 1.0, "hit@5": 1.0, "mrr": 1.0, "questions": 2}
    assert summary["answer"] == {"exact_match": 1.0, "contains_reference": 1.0, "token_f1": 1.0, "questions": 2}
    assert summary["citations"] == {"precision": 1.0, "recall": 1.0, "cited": 2}
    assert summary["refusal"] == {
        "refusal_recall": 1.0,
        "false_refusal_rate": 0.0,
        "unanswerable": 1,
        "answerable": 2,
    }
    assert summary["latency_ms"]["total"] == {"p50": 200.0, "p95": 290.0}
    assert set(summary["latency_ms"]) == {"retrieve", "generate", "total"}


def test_system_that_refuses_everything() -> None:
    refusal = "The briefs do not say."
    summary = _run(
        [
            _answer(refusal, True, [SourceSpan(DOC, 0, 80, 1), SourceSpan(DOC, 120, 200, 1)], [], 10),
            _answer(refusal, True, [SourceSpan(DOC, 0, 80, 1)], [], 10),
            _answer(refusal, True, [], [], 10),
        ]
    )
    assert summary["retrieval"]["hit@1"] == 0.0
    assert summary["retrieval"]["hit@3"] == 0.5
    assert summary["retrieval"]["mrr"] == pytest.approx(0.25)
    assert summary["answer"]["exact_match"] == summary["answer"]["contains_reference"] == 0.0
    assert summary["answer"]["token_f1"] == 0.0
    assert summary["citations"] == {"precision": None, "recall": 0.0, "cited": 0}
    assert summary["refusal"]["refusal_recall"] == 1.0
    assert summary["refusal"]["false_refusal_rate"] == 1.0


def test_system_that_cites_the_wrong_span() -> None:
    wrong = [SourceSpan(DOC, 400, 450, 1), SourceSpan("other.txt", 100, 150, 1), SourceSpan(DOC, 150, 160, 1)]
    summary = _run(
        [
            _answer("It was Vadim Denisenko [1].", False, [DENISENKO], wrong[:2], 10),
            _answer("On October 20.", False, [REFERENDUM], wrong[2:], 10),
            _answer("Kursk.", False, [], [SourceSpan(DOC, 0, 10, 1)], 10),
        ]
    )
    assert summary["answer"]["contains_reference"] == 1.0
    assert summary["answer"]["exact_match"] == 0.0
    assert summary["citations"] == {"precision": 0.0, "recall": 0.0, "cited": 3}
    assert summary["refusal"]["refusal_recall"] == 0.0
    assert summary["refusal"]["false_refusal_rate"] == 0.0


def test_unanswerable_questions_have_no_answer_scores() -> None:
    score = score_question(
        id="u",
        type="unanswerable",
        references=[],
        support=[],
        answer="x",
        refused=False,
        retrieved=[],
        cited=[],
        timings_ms={},
    )
    assert score.exact_match is None and score.token_f1 is None and score.support_cited is None
    assert score.hit_rank is None and not score.support_located
    assert summarize([score])["retrieval"]["hit@1"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The  Kursk region!", "kursk region"),
        ("Moldova’s Constitutional Court", "moldovas constitutional court"),
        ("An answer, a test.", "answer test"),
        ("", ""),
    ],
)
def test_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


def test_answer_overlap_measures() -> None:
    assert exact_match("the Institute for the Study of War.", ["Institute for the Study of War"])
    assert not exact_match("ISW said so", ["ISW"])
    assert contains_reference("According to the ISW, yes", ["Institute for the Study of War", "isw"])
    assert not contains_reference("Nothing here", ["ISW", ""])
    assert token_f1("Major General Vadim Denisenko", ["Vadim Denisenko"]) == pytest.approx(2 / 3)
    assert token_f1("Denisenko", ["Vadim Denisenko", "Denisenko"]) == 1.0
    assert token_f1("", ["Kursk"]) == 0.0


def test_spans_overlap_only_when_sharing_a_character_of_the_same_source() -> None:
    span = SourceSpan(DOC, 100, 150, 1)
    assert overlaps_any(SourceSpan(DOC, 149, 160, 1), [span])
    assert not overlaps_any(SourceSpan(DOC, 150, 160, 1), [span])
    assert not overlaps_any(SourceSpan(DOC, 90, 100, 1), [span])
    assert not overlaps_any(SourceSpan("other.txt", 100, 150, 1), [span])
    assert overlaps_any(SourceSpan(DOC, 0, 1000, 1), [span])
    retrieved = [SourceSpan(DOC, 0, 50, 1), SourceSpan("x", 100, 150, 1), SourceSpan(DOC, 120, 130, 1)]
    assert first_hit_rank(retrieved, [span]) == 3
    assert first_hit_rank(retrieved, []) is None


def test_percentile_matches_linear_interpolation() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_an_unsupported_fact_is_a_figure_name_or_date_the_quotes_lack() -> None:
    quote = "Meanwhile, Georgia disputes the results of its 2024 elections, Russia's envoy said on October 28."
    assert unsupported_facts("The Georgian dispute is about the 2024 elections.", [quote]) == []
    assert unsupported_facts("Russian envoys spoke on October 28.", [quote]) == []
    assert unsupported_facts("The envoy spoke in Moscow on October 27 about 24 elections.", [quote]) == [
        "27",
        "24",
        "Moscow",
        "October 27",
    ]
    assert unsupported_facts("The Armenian dispute grew.", [quote]) == ["Armenian"]
    # A name and a number are no date; a plural is its name.
    assert unsupported_facts("Six countries ordered the F-16 Block 70.", ["Six ordered 136 F-16 Block 70s."]) == []
    # A plural's possessive is its name.
    ferry = "The minister ordered the operator, Dunmarch Lines, to suspend all sailings."
    assert unsupported_facts("The minister halted all of Dunmarch Lines’ services.", [ferry]) == []
    assert unsupported_facts("The minister halted all of Karvess Lines' services.", [ferry]) == ["Karvess"]
