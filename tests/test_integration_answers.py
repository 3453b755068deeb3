from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.citations import Answer
from index import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    home = tmp_path_factory.mktemp("answers-home")
    assistant = Assistant(settings=Settings(home=home))
    assistant.ingest([Path(__file__).resolve().parents[1] / "seeds"])
    return assistant


def _on_brief(tmp_path: Path, name: str, text: str) -> Assistant:
    """An assistant with the real models over one brief written to ``tmp_path``."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    assistant = Assistant(settings=Settings(home=tmp_path / "home"))
    assistant.ingest([tmp_path / name])
    return assistant


def _drafted(assistant: Assistant, question: str) -> tuple[str, Answer]:
    """The reader's streamed draft and the final answer."""
    events = list(assistant.stream(question, llm="embedded"))
    final = events[-1]
    assert isinstance(final, Answer)
    return "".join(e for e in events if isinstance(e, str)), final


def _verbatim(assistant: Assistant, answer: object) -> None:
    for citation in answer.citations:  # type: ignore[attr-defined]
        assert assistant.store.text(citation.source)[citation.start : citation.end] == citation.quote


@pytest.mark.parametrize("llm", ["none", "embedded"])
def test_answers_and_refusals_on_the_seed(seeded: Assistant, llm: str) -> None:
    answer = seeded.ask("Who disclosed the presence of North Korean units in Kursk?", llm=llm)
    assert not answer.refused and "Rutte" in answer.answer
    assert answer.citations and all(s.supported for s in answer.sentences if s.citations)
    _verbatim(seeded, answer)
    refusal = seeded.ask("Which party won Georgia's 2024 parliamentary elections?", llm=llm)
    assert refusal.refused and refusal.answer.startswith("The briefs do not say")
    _verbatim(seeded, refusal)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which vote will Chisinau's top judges examine at the end of the month?", "referendum on October 31"),
        ("How long have Chinese representatives been taking part in exercises?", "three to four months"),
    ],
    ids=["capital-and-relative-date", "duration"],
)
def test_questions_worded_unlike_the_brief_are_answered(seeded: Assistant, question: str, expected: str) -> None:
    answer = seeded.ask(question, llm="none")
    assert not answer.refused and expected in answer.answer
    _verbatim(seeded, answer)


def test_follow_up_is_rewritten_with_history(seeded: Assistant) -> None:
    history = [("Which countries sent delegations to military exercises in Belarus?", "Uzbekistan and Kazakhstan")]
    answer = seeded.ask("Who reported it?", history=history, llm="none")
    assert not answer.refused and "Denisenko" in answer.answer


def test_embedded_model_streams_draft_tokens(seeded: Assistant) -> None:
    events = list(seeded.stream("When did Ukrainian forces launch drone attacks?", llm="embedded"))
    drafts = [e for e in events if isinstance(e, str)]
    assert len(drafts) > 1, "the embedded model streams its draft token by token"
    final = events[-1]
    assert "October 27-28" in final.answer and final.model.startswith("Qwen2.5-Coder-1.5B")


TAIWAN = """Taiwan reports Chinese aircraft near the island

Taiwan's defence ministry said on Monday that 13 Chinese military aircraft and six navy ships were detected around \
the island over the previous 24 hours.

The ministry said the aircraft crossed the median line of the Taiwan Strait and entered the island's air defence \
identification zone.

Taiwan scrambled jets and deployed missile systems to monitor the activity, the ministry added.
"""


def test_the_reader_writes_a_distorted_number_and_verification_drops_it(tmp_path: Path) -> None:
    """The question's false count (14; the brief says 13) is copied by the real model; it never reaches the answer."""
    assistant = _on_brief(tmp_path, "taiwan.txt", TAIWAN)
    draft, answer = _drafted(assistant, "Why did the 14 Chinese military aircraft fly near Taiwan?")
    assert "14" in draft, "the model restates the question's count: the case this test is about"
    assert answer.refused and "14" not in answer.answer
    assert [s.text for s in answer.sentences if "14" in s.text and not s.supported], "shown as left out"
    assert not any("14" in s.text for s in answer.sentences if s.supported)
    counted = assistant.ask("How many Chinese military aircraft were detected around Taiwan?", llm="embedded")
    assert not counted.refused and "13" in counted.answer
    _verbatim(assistant, counted)


RED_SEA = """Red Sea shipping update

The Houthis fired an anti-ship ballistic missile at the Gibraltar Eagle, a U.S.-owned bulk carrier, on January 15. \
The ship was hit but continued its voyage, the U.S. Central Command said.
"""


@pytest.mark.parametrize("llm", ["none", "embedded"])
def test_a_group_named_by_one_word_answers_who_did_what_its_sentence_says(tmp_path: Path, llm: str) -> None:
    """Briefs name actors by one word (the Houthis, Hamas, Meta): such an actor answers "who did it?", but only
    for what its sentence says it did (the real reader writes "The Houthis repaired the Gibraltar Eagle")."""
    assistant = _on_brief(tmp_path, "red-sea.txt", RED_SEA)
    answer = assistant.ask("Who fired a missile at the Gibraltar Eagle?", llm=llm)
    assert not answer.refused and "Houthis" in answer.answer
    _verbatim(assistant, answer)
    assert assistant.ask("Who repaired the Gibraltar Eagle after the attack?", llm=llm).refused


NIGER = """Niger after the coup

In Niger, General Abdourahamane Tiani seized power in a coup on July 26, 2023, detaining President Mohamed Bazoum. \
ECOWAS imposed sanctions on Niger within days and threatened military intervention.
"""


def test_the_reader_swaps_who_did_what_and_verification_drops_it(tmp_path: Path) -> None:
    """Asked who was detained, the real reader names the one who detained; that sentence never reaches the answer."""
    assistant = _on_brief(tmp_path, "niger.txt", NIGER)
    draft, answer = _drafted(assistant, "Who was detained in the coup?")
    assert "Tiani was detained" in draft, "the model swaps the roles: the case this test is about"
    assert not any("Tiani was detained" in s.text for s in answer.sentences if s.supported)
    assert [s.text for s in answer.sentences if "Tiani was detained" in s.text and not s.supported]
    assert "Bazoum" in answer.answer
    _verbatim(assistant, answer)


WRITTEN = Path(__file__).parents[1] / "devsets" / "written" / "briefs"
ELECTION = (WRITTEN / "election.txt").read_text(encoding="utf-8")
QUAKE = (WRITTEN / "quake.md").read_text(encoding="utf-8")


def test_the_reader_affirms_what_the_brief_negates_and_verification_drops_it(tmp_path: Path) -> None:
    """Asked whom the president endorsed, the real reader names a candidate; the brief says he endorsed neither."""
    assistant = _on_brief(tmp_path, "valdoria.txt", ELECTION)
    draft, answer = _drafted(assistant, "Whom did President Halas endorse?")
    assert "Halas endorsed" in draft, "the model makes up an endorsement: the case this test is about"
    assert not any("Halas endorsed" in s.text for s in answer.sentences if s.supported)
    assert answer.refused or "has not endorsed either candidate" in answer.answer
    _verbatim(assistant, answer)


@pytest.mark.parametrize("llm", ["none", "embedded"])
def test_a_bulleted_count_is_answered_with_its_bound(tmp_path: Path, llm: str) -> None:
    """A Markdown brief's bullet is a sentence without its marker; its "roughly" stays with the number."""
    assistant = _on_brief(tmp_path, "kharan.md", QUAKE)
    answer = assistant.ask("How many people have been displaced?", llm=llm)
    assert not answer.refused and "Roughly 86,000" in answer.answer and "- " not in answer.answer
    _verbatim(assistant, answer)


def _counts_one_not_the_other(assistant: Assistant, asked: str, other: str, count: str) -> None:
    """``asked`` is answered with ``count``, verbatim; ``other``, about something else, is not."""
    answer = assistant.ask(asked, llm="embedded")
    assert not answer.refused and count in answer.answer
    _verbatim(assistant, answer)
    wrong = assistant.ask(other, llm="embedded")
    assert wrong.refused or count not in wrong.answer


def test_a_death_toll_answers_how_many_died_but_not_how_many_were_injured(tmp_path: Path) -> None:
    """ "Died" meets the brief's "death toll" by the real embedder's word similarity; "injured" does not."""
    assistant = _on_brief(tmp_path, "kharan.md", QUAKE)
    _counts_one_not_the_other(
        assistant,
        "How many people have died in the earthquake?",
        "How many people were injured in the earthquake?",
        "1,342",
    )


FLOOD = (
    "Arvel Province floods: situation update\n\n"
    "Officials said 41,300 people are displaced across four districts after the Sennet River burst its banks. "
    "The Dornach embankment failed on 3 March, flooding most of Lisse and Harrow districts within 36 hours. "
    "Provincial Governor Tomas Reditch declared a state of emergency on Tuesday, the day after the breach. "
    "The declaration releases provincial reserve funds and allows army engineers to operate in civilian areas.\n\n"
    "The Flash Appeal requests $18.6 million for three months. Donors have pledged $4.3 million so far.\n"
)


def test_the_reader_confirms_the_sentence_its_misworded_answer_came_from(tmp_path: Path) -> None:
    """The reader restates the question ("the provincial authorities put…"), which its sentence does not support;
    asked, it confirms that the sentence holding its date answers, and that sentence is quoted."""
    assistant = _on_brief(tmp_path, "arvel.txt", FLOOD)
    answer = assistant.ask(
        "When did the provincial authorities put the province under a state of emergency?", llm="embedded"
    )
    assert not answer.refused and "declared a state of emergency on Tuesday" in answer.answer
    assert [s.supported for s in answer.sentences] == [True, False], "the reader's own wording fails"
    _verbatim(assistant, answer)


def test_the_reader_confirms_a_count_in_other_words_but_not_a_count_of_something_else(tmp_path: Path) -> None:
    """ "Displaced" is not close to "forced from their homes" for the embedder; the reader, asked, says the sentence
    answers. Asked how many were killed, it does not."""
    assistant = _on_brief(tmp_path, "arvel.txt", FLOOD)
    forced = "Roughly how many people have been forced from their homes by the flooding?"
    _counts_one_not_the_other(assistant, forced, "How many people have been killed by the flooding?", "41,300")
