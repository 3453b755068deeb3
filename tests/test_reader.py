"""What the reader sees: the best sentences with their neighbours within their paragraphs, under the limits.

Neighbours across a paragraph edge were measured and not kept (docs/evaluation.md, "Neighbours across a
paragraph edge"); these tests pin the measured behaviour.
"""

from __future__ import annotations

from assistant.evidence import Evidence
from assistant.reader import SentenceMap, context_sentences

# A news brief as published: one sentence a paragraph.
TEXT = (
    "Chinese vessels harassed two supply boats near the shoal.\n\n"
    "Two decades ago, the Janjaweed militias terrorised the region.\n\n"
    "It seems that legacy has returned, the prosecutor said.\n\n"
    "UM1 was rammed by Chinese Coast Guard vessel 21556.\n\n"
    "Despite this, UM1 successfully reached BRP Sierra Madre.\n\n"
    "The task force said it would continue its missions."
)


def _evidence(sentence: str, score: float) -> Evidence:
    start = TEXT.index(sentence)
    paragraph = TEXT[:start].count("\n\n") + 1
    return Evidence("brief.txt", start, start + len(sentence), paragraph, sentence, score, score)


def _shown(*best: str) -> list[str]:
    evidence = [_evidence(s, 1.0 - n / 10) for n, s in enumerate(best)]
    numbered = context_sentences(evidence, {"brief.txt": TEXT}, SentenceMap(), top=4, limit=9, chars=1600)
    return [e.text for e in numbered]


def test_the_sentence_before_is_not_taken_from_another_paragraph() -> None:
    # a caption or a headline before the best sentence was noise to the reader as often as context
    assert _shown("UM1 was rammed by Chinese Coast Guard vessel 21556.")[0].startswith("UM1 was rammed")


def test_the_limits_hold() -> None:
    evidence = [_evidence(s, 0.5) for s in ("UM1 was rammed by Chinese Coast Guard vessel 21556.",)]
    numbered = context_sentences(evidence, {"brief.txt": TEXT}, SentenceMap(), top=4, limit=1, chars=1600)
    assert [e.text for e in numbered] == ["UM1 was rammed by Chinese Coast Guard vessel 21556."]


def test_a_paragraph_of_several_sentences_keeps_its_edges() -> None:
    text = (
        "Russian influence in Belarus has intensified. It has made Belarus a pivotal actor.\n\n"
        "On October 28, NATO said it was monitoring the region. Mark Rutte leads NATO."
    )
    best = "On October 28, NATO said it was monitoring the region."
    start = text.index(best)
    evidence = [Evidence("b.txt", start, start + len(best), 2, best, 0.9, 0.9)]
    numbered = context_sentences(evidence, {"b.txt": text}, SentenceMap(), top=4, limit=9, chars=1600)
    assert [e.text for e in numbered] == [best, "Mark Rutte leads NATO."]
