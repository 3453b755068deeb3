"""What the reader sees: the best sentences with their neighbours, in document order."""

from __future__ import annotations

from pathlib import Path

from assistant import Assistant
from assistant.evidence import Evidence
from assistant.reader import SentenceMap, context_sentences
from index import Settings

from .fakes import HashEmbeddings, ScriptedChatModel

# A news brief as published: one sentence a paragraph, the answer to "where did UM1 get to?" in the next one.
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


def test_the_next_sentence_is_shown_when_it_is_a_paragraph_of_its_own() -> None:
    shown = _shown("UM1 was rammed by Chinese Coast Guard vessel 21556.")
    assert "Despite this, UM1 successfully reached BRP Sierra Madre." in shown


def test_sentences_of_one_run_are_in_document_order_whatever_their_rank() -> None:
    shown = _shown(
        "It seems that legacy has returned, the prosecutor said.",
        "Two decades ago, the Janjaweed militias terrorised the region.",
    )
    assert shown.index("Two decades ago, the Janjaweed militias terrorised the region.") < shown.index(
        "It seems that legacy has returned, the prosecutor said."
    )
    # the best sentence's run comes first; a run it does not touch comes after, in rank order
    shown = _shown(
        "UM1 was rammed by Chinese Coast Guard vessel 21556.",
        "Chinese vessels harassed two supply boats near the shoal.",
    )
    assert shown == [
        "UM1 was rammed by Chinese Coast Guard vessel 21556.",
        "Despite this, UM1 successfully reached BRP Sierra Madre.",
        "Chinese vessels harassed two supply boats near the shoal.",
        "Two decades ago, the Janjaweed militias terrorised the region.",
    ]


def test_the_sentence_before_is_not_taken_from_another_paragraph() -> None:
    # a caption or a headline before the best sentence is noise to the reader
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


def test_an_answer_told_in_the_next_paragraph_reaches_the_reader_and_is_cited(
    tmp_path: Path, settings: Settings
) -> None:
    brief = tmp_path / "shoal.txt"
    filler = "\n\n".join(
        f"Officials in province {n} discussed fisheries quotas for the coming season." for n in range(8)
    )
    brief.write_text(f"{filler}\n\n{TEXT}\n", encoding="utf-8")
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingest([brief])
    model = ScriptedChatModel(replies=["UM1 successfully reached BRP Sierra Madre [2]."], prompts=[])
    assistant._chat_models["scripted"] = model

    answer = assistant.ask("Where did the boat rammed by vessel 21556 get to?", llm="scripted")

    lines = [line for line in str(model.prompts[0][1].content).splitlines() if line.startswith("[")]
    rammed = next(n for n, line in enumerate(lines) if "rammed by Chinese Coast Guard vessel 21556" in line)
    assert "UM1 successfully reached BRP Sierra Madre" in lines[rammed + 1]
    assert not answer.refused
    (citation,) = answer.citations
    assert citation.quote == "Despite this, UM1 successfully reached BRP Sierra Madre."
    assert assistant.store.text("shoal.txt")[citation.start : citation.end] == citation.quote
