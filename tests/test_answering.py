from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.citations import Answer
from assistant.drafts import Draft, answers, clear_answer, unmarked, valued_sentences, verify_reply
from assistant.errors import LLMError
from assistant.evidence import Evidence, coverage
from assistant.grounding import AnswerType, analyze_question, has_candidate, informative_terms
from assistant.periods import matches_numbers
from index import Settings
from index.terms import content_terms, normalize_term

from .fakes import ANSWER_KEYS, HashEmbeddings, ScriptedChatModel

RUTTE = (
    "NATO Secretary General Mark Rutte disclosed that South Korean intelligence had revealed the presence of "
    "North Korean units in Russia’s Kursk region, potentially signaling additional military support for the Kremlin."
)


@pytest.fixture
def assistant(settings: Settings, seed_dir: Path) -> Assistant:
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    return assistant


def _with_model(assistant: Assistant, *replies: str) -> ScriptedChatModel:
    model = ScriptedChatModel(replies=replies, prompts=[])
    assistant._chat_models["scripted"] = model
    return model


def _on_brief(settings: Settings, tmp_path: Path, text: str, name: str = "brief.txt") -> Assistant:
    """An assistant with the fake embedder over one brief written to ``tmp_path``."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingest([tmp_path / name])
    return assistant


def _evidence(text: str, semantic: float = 0.6, lexical: float = 0.5, start: int = 0) -> Evidence:
    """A retrieved sentence of one brief, with the scores the checks read."""
    return Evidence("brief.txt", start, start + len(text), 1, text, semantic, lexical)


def _quotes_are_verbatim(assistant: Assistant, answer: object) -> None:
    for citation in answer.citations:  # type: ignore[attr-defined]
        assert assistant.store.text(citation.source)[citation.start : citation.end] == citation.quote


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who disclosed the presence of North Korean units?", AnswerType.PERSON),
        ("When did Ukrainian forces launch drone attacks?", AnswerType.DATE),
        ("How many North Korean soldiers are in Kursk?", AnswerType.NUMBER),
        ("What unemployment rate did Putin cite?", AnswerType.NUMBER),
        ("Which party won Georgia's elections?", AnswerType.ORGANIZATION),
        ("In which Russian region were units reported?", AnswerType.PLACE),
        ("Why is China interested in Belarus?", AnswerType.OTHER),
        # The earliest question phrase decides; a later "when" opens a clause.
        ("In which city was the premier when he reacted to the launch?", AnswerType.PLACE),
        ("Who was president when the war began?", AnswerType.PERSON),
        ("When did the company report revenue of $5 billion?", AnswerType.DATE),
        ("What was the unemployment rate in February?", AnswerType.NUMBER),
        # A "who" after a noun opens a relative clause; the question is still "what".
        ("According to the minister who visited the quay, what happened to the master?", AnswerType.OTHER),
        ("When did the minister who resigned leave office?", AnswerType.DATE),
        ("And who signed it?", AnswerType.PERSON),
        # "The name of" someone with a role asks for a person; the name of a thing, for a name.
        ("What is the name of Harrow's district health officer?", AnswerType.PERSON),
        ("Which officer signed the order?", AnswerType.PERSON),
        ("What is the name of the operation led by the commander?", AnswerType.ENTITY),
        ("What is the name of the ship?", AnswerType.ENTITY),
    ],
)
def test_answer_type(question: str, kind: AnswerType) -> None:
    assert analyze_question(question).answer_type is kind


def test_a_relative_who_gives_the_question_no_deed() -> None:
    assert analyze_question("According to the minister who visited the quay, what happened?").deed == ""
    assert analyze_question("Who visited the quay?").deed == normalize_term("visited")


def test_the_question_s_numbers_must_be_in_the_sentence_however_a_quarter_is_written() -> None:
    question = analyze_question("What was Tesla's revenue in Q3 2019?")
    assert matches_numbers("Tesla reported third-quarter revenue of $6.3 billion in 2019.", question)
    assert not matches_numbers("Tesla reported second-quarter revenue of $6 billion in 2019.", question)
    assert not matches_numbers("Tesla reported third-quarter revenue of $6.3 billion in 2018.", question)
    assert matches_numbers("It shipped on May 15, 2019.12:01 AM in the Q3.", question)


def test_a_year_that_names_an_event_is_not_a_year_counted_from() -> None:
    floods = analyze_question("How many people were displaced in Arvel Province by the 2019 floods?")
    assert matches_numbers("The 2019 floods displaced 12,000 people in Arvel Province.", floods)
    assert not matches_numbers("41,300 people are displaced, the worst flooding in the province since 2019.", floods)
    assert not matches_numbers("Nobody was displaced by floods from 2011 until early 2019.", floods)
    since = analyze_question("How many people have been displaced since 2019?")
    assert matches_numbers("Some 12,000 people have been displaced since March 2019.", since)
    assert not matches_numbers("In 2019, 12,000 people were displaced.", since)


def test_candidates_need_the_asked_kind_of_fact() -> None:
    assert has_candidate(RUTTE, analyze_question("Who disclosed the presence of North Korean units?"))
    unemployment = "Putin sought to reassure the public by emphasizing Russia’s low unemployment rate."
    assert not has_candidate(unemployment, analyze_question("What unemployment rate did Putin cite for Russia?"))
    georgia = "Meanwhile, Georgia is experiencing challenges to the results of its 2024 parliamentary elections."
    assert not has_candidate(georgia, analyze_question("Which party won Georgia's elections?"))
    drones = "On the night of October 27-28, Ukrainian forces launched a series of drone attacks."
    assert not has_candidate(drones, analyze_question("How many drones did Ukraine launch on October 27-28?"))
    # A country's full name is no person; a demonym still answers "whose".
    prc = "The People’s Republic of China (PRC) has shown growing interest in the Belarusian armed forces."
    assert not has_candidate(prc, analyze_question("Who is the Commander of Belarusian Special Operations Forces?"))
    seoul = "South Korean intelligence had revealed the presence of North Korean units in Russia’s Kursk region."
    assert has_candidate(seoul, analyze_question("Whose intelligence revealed North Korean units in Russia?"))


def test_a_group_or_company_doing_what_was_asked_answers_who() -> None:
    fired = "The Houthis fired an anti-ship missile at the Gibraltar Eagle."
    assert has_candidate(fired, analyze_question("Who fired a missile at the Gibraltar Eagle?"))
    assert has_candidate("Meta acquired the startup in 2014.", analyze_question("Who acquired the startup?"))
    assert has_candidate("The Ministry has imposed new sanctions.", analyze_question("Who imposed the sanctions?"))
    reported = analyze_question("Who first reported the group's activity?")
    assert has_candidate("Microsoft first reported the group's activity in May 2023.", reported)
    backed = "Volt Typhoon, a hacking group backed by the Chinese state, compromised networks."
    assert has_candidate(backed, analyze_question("Who backs Volt Typhoon?"))
    assert has_candidate("The Chinese state backs Volt Typhoon.", analyze_question("Who backs Volt Typhoon?"))
    charter = "On September 16, Mali, Niger and Burkina Faso signed the Liptako-Gourma Charter."
    assert has_candidate(charter, analyze_question("Who signed the Liptako-Gourma Charter?"))
    alliance = "The cooperation extends beyond the Russia-Belarus alliance."
    assert not has_candidate(alliance, analyze_question("Who heads the North Atlantic alliance?")), "a noun, no deed"
    # Named, but doing something else, only speaking, or an adjective: no answer to "who did it?".
    assert not has_candidate(fired, analyze_question("Who repaired the Gibraltar Eagle?"))
    assert not has_candidate("The Houthis have fired before.", analyze_question("Who has a fleet of drones?"))
    assert not has_candidate("Denisenko stated that the delegation arrived.", analyze_question("Who led it?"))
    assert not has_candidate("KCNA said it launched a satellite.", analyze_question("Who launched the satellite?"))
    assert not has_candidate("Russia was disclosed to host the units.", analyze_question("Who disclosed the units?"))
    assert not has_candidate("The Wimbledon Championships were held in London.", analyze_question("Who won Wimbledon?"))


def test_the_noun_for_the_one_who_does_it_answers_who() -> None:
    owns = analyze_question("Who owns the Estlink 2 cable?")
    assert has_candidate("Its owner, the grid operator Fingrid, said repairs would take until August.", owns)
    assert has_candidate("Fingrid, the owner of the cable, said repairs would take until August.", owns)
    assert not has_candidate("Fingrid said repairs would take until August.", owns)
    assert not has_candidate("Its operator, Fingrid, said repairs would take until August.", owns), "not the deed"


def test_a_denial_answers_a_yes_or_no_question(settings: Settings, tmp_path: Path) -> None:
    assistant = _on_brief(settings, tmp_path, "Cyber brief\n\nThe group has not deployed ransomware so far.\n")
    _with_model(assistant, "The group has not deployed ransomware [1].")
    answer = assistant.ask("Has the group deployed ransomware?", llm="scripted")
    assert not answer.refused and answer.answer == "The group has not deployed ransomware. [1]"
    # The opposite claim fails verification; the sentence the reader cited answers, verbatim.
    _with_model(assistant, "The group deployed ransomware [1].")
    answer = assistant.ask("Has the group deployed ransomware?", llm="scripted")
    assert answer.answer == "The group has not deployed ransomware so far. [1]"
    assert [s.text for s in answer.sentences if not s.supported] == ["The group deployed ransomware."]
    # A denial the question itself makes adds nothing.
    denied = "The group has not deployed ransomware."
    assert informative_terms(denied, analyze_question("Has the group deployed ransomware?")) == ["not"]
    assert informative_terms(denied, analyze_question("Has the group not deployed ransomware?")) == []


def test_the_noun_asked_for_is_found_past_names_and_places() -> None:
    port = analyze_question("Which Russian port did the tanker leave from?")
    assert port.head == "port"
    assert not has_candidate("The tanker was carrying petrol from a Russian port.", port), "names no port"
    assert has_candidate("The tanker left the Russian port of Primorsk.", port)
    vessel = analyze_question("Which Chinese Coast Guard vessel's water cannon disabled the boat?")
    assert vessel.head == "vessel", "past the names too"
    assert has_candidate("Chinese Coast Guard vessel 5204 fired its water cannon.", vessel), "a designation"
    assert not has_candidate("A Chinese Coast Guard vessel fired its water cannon.", vessel)


def test_a_common_noun_doing_what_was_asked_answers_who() -> None:
    cleared = analyze_question("Who cleared the landslides on the road from Quetta?")
    assert has_candidate("The road was reopened after army engineers cleared three landslides.", cleared)
    assert has_candidate("The landslides were cleared by engineers.", cleared)
    # No actor, a pronoun, or only the question's own words: nobody is named.
    assert not has_candidate("The landslides were cleared on Monday.", cleared)
    assert not has_candidate("The landslides were cleared by the end of June.", cleared)
    assert not has_candidate("They cleared the landslides near Quetta.", cleared)
    assert not has_candidate("The road from Quetta cleared of landslides.", cleared)


def test_a_relative_time_expression_is_matched_by_a_date() -> None:
    question = analyze_question("Which vote will the court examine at the end of the month?")
    assert question.terms == ("vot", "court", "examin", "end") and question.temporal == {"end"}
    dated = "The Constitutional Court will examine the vote on October 31."
    undated = "The Constitutional Court will examine the vote soon, its end in sight."
    assert coverage(question, dated, lambda term: 1.0) == 1.0
    assert coverage(question, "The Constitutional Court will examine the vote soon.", lambda term: 1.0) == 0.75
    assert coverage(question, undated, lambda term: 1.0) == 1.0, "the word itself still counts"
    assert analyze_question("When will the court examine the vote?").temporal == frozenset()


def test_a_derived_word_is_no_paraphrase() -> None:
    question = analyze_question("What is the capital of Belarus?")

    def similarity(word: str, candidates: Sequence[str]) -> float:
        return 0.9 if "capitalize" in candidates or "minsk" in candidates else 0.0

    assert coverage(question, "Belarus aims to capitalize on Russian expertise.", lambda term: 1.0, similarity) == 0.5
    assert coverage(question, "Belarus is governed from Minsk.", lambda term: 1.0, similarity) == 0.95


def test_a_capital_stands_for_its_country_but_an_ambiguous_one_does_not() -> None:
    assert content_terms("Beijing stepped up contacts with Minsk and Chisinau") == [
        "china",
        "step",
        "contact",
        "belarus",
        "moldova",
    ]
    assert content_terms("Washington and London") == ["washington", "london"]
    assert content_terms("Pyongyang and Seoul") == ["korea", "korea"]
    assert content_terms("American and Filipino troops") == ["america", "filipino", "troop"]


def test_a_duration_answers_how_long_but_a_date_does_not() -> None:
    how_long = analyze_question("How long have Chinese representatives been taking part in exercises?")
    assert how_long.answer_type is AnswerType.NUMBER and "long" not in how_long.terms
    exercises = "Chinese representatives have taken part in exercises in Belarus over the past three to four months."
    assert has_candidate(exercises, how_long)
    assert has_candidate("The talks lasted 2 hours.", how_long)
    assert not has_candidate("Chinese representatives took part in exercises on October 28.", how_long)
    assert not has_candidate(exercises, analyze_question("How many drones were launched over the past months?"))


def test_a_count_is_of_what_the_question_counts_whatever_its_verb() -> None:
    joined = analyze_question("How many people joined the general strike?")
    assert not has_candidate("Eight allied countries are contributing ships.", joined)
    assert has_candidate("About 4,200 people joined the strike on Tuesday.", joined)
    walked = analyze_question("How many dockworkers walked off the job?")
    assert has_candidate("About 4,200 members of the Estravian Dockworkers' Union walked off the job.", walked)


def test_a_count_of_none_answers_how_many() -> None:
    confirmed = analyze_question("How many cholera cases have been confirmed?")
    none = "No cases have been confirmed."
    assert has_candidate(none, confirmed) and has_candidate("No new cases of cholera were confirmed.", confirmed)
    assert "0" in informative_terms(none, confirmed)
    assert answers(Draft(none, (_evidence(none),), True), confirmed)
    # "No" must count the noun asked about, at once: a sentence that no figure was given gives no count.
    assert not has_candidate("No figures were given for the number of cases.", confirmed)
    assert not has_candidate("No hospital has run out of cholera kits.", confirmed)
    injured = analyze_question("How many people were injured?")
    assert has_candidate("No one was injured in the blast.", injured)
    assert not has_candidate("No one knows how many were killed.", injured)


def test_that_no_one_did_it_answers_who() -> None:
    endorsed = analyze_question("Whom did President Halas endorse?")
    halas = "The incumbent, President Viktor Halas, is barred from a third term and has not endorsed either candidate."
    assert has_candidate(halas, endorsed)
    assert answers(Draft("President Halas endorsed neither candidate.", (_evidence(halas),), True), endorsed)
    assert not has_candidate("President Halas is barred from a third term.", endorsed)
    assert not has_candidate("President Halas has not spoken since the first round.", endorsed)


def test_a_counted_noun_may_be_paraphrased_by_a_close_word() -> None:
    organisations = analyze_question("How many organisations has the group compromised?")
    firms = "The group compromised at least 27 port authorities and logistics firms."

    def similar(word: str, words: Sequence[str]) -> float:
        return 0.6 if word == "organisations" and "firms" in words else 0.2

    assert has_candidate(firms, organisations, similar)
    assert not has_candidate(firms, organisations), "without word similarity the noun itself must follow"
    assert not has_candidate("The group compromised 27 servers.", organisations, similar)


def test_a_count_of_people_is_answered_by_what_they_underwent() -> None:
    toll = "The death toll from the earthquake has risen to 1,342."
    died, injured = analyze_question("How many people have died?"), analyze_question("How many people were injured?")

    def similar(word: str, words: Sequence[str]) -> float:
        return 0.7 if word == "died" and any(w.startswith("death") for w in words) else 0.3

    assert has_candidate("97 deaths have been reported.", died, similar)
    assert has_candidate(toll, died, similar)
    assert not has_candidate(toll, injured, similar), "a death toll does not count the injured"
    assert not has_candidate(toll, died), "without word similarity only the verb itself counts"
    assert has_candidate("At least 40 people were injured.", injured)
    # The verb right after the counted words, or past the auxiliaries.
    died_in = analyze_question("How many people died in the earthquake?")
    assert has_candidate(toll, died_in, similar) and not has_candidate(toll, died_in)
    displaced = analyze_question("How many people have been displaced?")
    assert has_candidate("Roughly 86,000 people have been displaced.", displaced)
    assert not has_candidate(toll, displaced, similar)


def test_a_yes_or_no_question_asks_for_no_date_or_person_in_its_clauses() -> None:
    hurt = analyze_question("Was anyone hurt when the truck was set on fire?")
    assert hurt.answer_type is AnswerType.OTHER
    assert has_candidate("No injuries were reported.", hurt)
    assert analyze_question("Who was president when the war began?").answer_type is AnswerType.PERSON


def test_the_noun_asked_for_is_answered_by_the_amount_it_is_of() -> None:
    pay = analyze_question("What pay increase is the dockworkers' union seeking?")
    assert has_candidate("The union is demanding a pay rise of 14 percent over two years.", pay)
    assert not has_candidate("The union is demanding a pay rise.", pay)
    vessel = analyze_question("Which vessel was hit?")
    assert not has_candidate("The vessel was struck at 5 knots.", vessel), "a verb between: not what it is of"
    assert not has_candidate("The vessel carried 40 tons.", vessel)


def test_an_irregular_past_meets_its_verb() -> None:
    assert normalize_term("won") == normalize_term("win") and normalize_term("took") == normalize_term("taken")
    assert normalize_term("left") == "left", "also a direction"
    assert has_candidate("Markovic won 41.2% of the vote.", analyze_question("Who won the first round?"))


def test_extractive_answer_cites_verbatim_passage(assistant: Assistant) -> None:
    answer = assistant.ask("Who disclosed the presence of North Korean units in Kursk?", llm="none")
    assert not answer.refused
    assert "Mark Rutte" in answer.answer and answer.answer.endswith("[1]")
    assert answer.citations[0].n == 1 and answer.citations[0].paragraph == 5
    assert all(s.supported for s in answer.sentences)
    _quotes_are_verbatim(assistant, answer)
    data = answer.as_dict()
    assert set(data) == ANSWER_KEYS
    assert set(data["timings_ms"]) == {"retrieve", "generate", "total"}


def test_a_question_is_embedded_once(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    embed = assistant.embeddings.embed_query
    monkeypatch.setattr(assistant.embeddings, "embed_query", lambda text: asked.append(text) or embed(text))
    assistant.ask("Who disclosed the presence of North Korean units in Kursk?", llm="none")
    assert asked == ["Who disclosed the presence of North Korean units in Kursk?"]


@pytest.mark.parametrize(
    "question",
    [
        "Which party won Georgia's 2024 parliamentary elections?",
        "How many North Korean soldiers are in the Kursk region?",
        "What unemployment rate did Putin cite for Russia?",
    ],
)
@pytest.mark.parametrize("reads", [True, False])
def test_unanswerable_questions_are_refused_by_the_system(assistant: Assistant, question: str, reads: bool) -> None:
    model = _with_model(assistant, "The Georgian Dream party won with 54% of the vote [1].")
    model.reads = reads
    answer = assistant.ask(question, llm="scripted")
    assert answer.refused
    assert answer.answer.startswith("The briefs do not say")
    if reads:
        assert [s.text for s in answer.sentences if not s.supported] == [
            "The Georgian Dream party won with 54% of the vote."
        ]
    else:
        assert model.prompts == [], "a model that cannot read is not even asked when the evidence cannot answer"
    _quotes_are_verbatim(assistant, answer)


def test_model_answer_is_verified_and_cited(assistant: Assistant) -> None:
    _with_model(assistant, "Mark Rutte disclosed the presence of North Korean units in Russia’s Kursk region [1].")
    answer = assistant.ask("Who disclosed the presence of North Korean units in Kursk?", llm="scripted")
    assert answer.answer == "Mark Rutte disclosed the presence of North Korean units in Russia’s Kursk region. [1]"
    assert answer.sentences[0].supported and answer.citations[0].quote == RUTTE


def test_hallucinated_uncited_claim_is_removed(assistant: Assistant) -> None:
    reply = "Mark Rutte disclosed the presence of North Korean units [1]. Kim Jong Un sent 12,000 soldiers by train."
    _with_model(assistant, reply)
    answer = assistant.ask("Who disclosed the presence of North Korean units in Kursk?", llm="scripted")
    assert "12,000" not in answer.answer and "Kim Jong Un" not in answer.answer
    flagged = [s for s in answer.sentences if not s.supported]
    assert flagged and "12,000" in flagged[0].text and flagged[0].citations == ()


def test_a_true_but_unrelated_sentence_is_left_out(assistant: Assistant) -> None:
    question = "Who disclosed the presence of North Korean units in Kursk?"
    probe = _with_model(assistant, "Mark Rutte disclosed it [1].")
    assistant.ask(question, llm="scripted")
    passages = str(probe.prompts[0][1].content).splitlines()
    padding = next(line[4:] for line in passages if line.startswith("[") and "Rutte" not in line)
    _with_model(assistant, f"Mark Rutte disclosed the presence of North Korean units in Kursk [1]. {padding} [2]")
    answer = assistant.ask(question, llm="scripted")
    assert answer.answer == "Mark Rutte disclosed the presence of North Korean units in Kursk. [1]"
    assert [c.quote for c in answer.citations] == [RUTTE]
    assert all(padding not in s.text for s in answer.sentences)


def _numbered(assistant: Assistant, question: str) -> dict[int, str]:
    """The sentences the reader prompt numbers for ``question``, by number."""
    probe = _with_model(assistant, "The briefs do not say.")
    assistant.ask(question, llm="scripted")
    lines = str(probe.prompts[0][1].content).splitlines()
    return {int(line[1 : line.index("]")]): line for line in lines if line.startswith("[")}


def test_a_misworded_answer_falls_back_to_the_sentence_the_reader_cites(assistant: Assistant) -> None:
    question = "Who disclosed the presence of North Korean units in Kursk?"
    n = next(k for k, line in _numbered(assistant, question).items() if "Rutte disclosed" in line)
    # The name is distorted, so the reader's own sentence fails; the sentence it cites answers, and is quoted.
    _with_model(assistant, f"Mark Rutter disclosed the presence of 12,000 North Korean units in Kursk [{n}].")
    answer = assistant.ask(question, llm="scripted")
    assert not answer.refused
    assert answer.answer == f"{RUTTE} [1]" and answer.citations[0].quote == RUTTE
    assert [s.supported for s in answer.sentences] == [True, False]
    _quotes_are_verbatim(assistant, answer)


def test_an_answer_worded_with_the_question_s_place_names_falls_back_to_the_sentence_it_rests_on(
    assistant: Assistant,
) -> None:
    question = "Which Belarusian commando chief said Beijing has stepped up its defence contacts with Minsk?"
    numbered = _numbered(assistant, question)
    source = next(k for k, line in numbered.items() if "According to Major General Vadim Denisenko" in line)
    wrong = next(k for k in numbered if k != source)
    # "Beijing" is the question's word, the brief says China: the reader's sentence fails, and cites the wrong number.
    reply = (
        "Major General Vadim Denisenko, Commander of Belarusian Special Operations Forces, said Beijing has recently "
        f"increased its military exchanges with Belarus [{wrong}]."
    )
    _with_model(assistant, reply)
    answer = assistant.ask(question, llm="scripted")
    assert not answer.refused
    assert answer.citations[0].quote == numbered[source][len(f"[{source}] ") :]
    assert "Beijing" not in answer.answer
    _quotes_are_verbatim(assistant, answer)
    # The same wording with another man's name rests on no sentence: refused.
    _with_model(assistant, reply.replace("Vadim Denisenko", "Viktor Khrenin"))
    assert assistant.ask(question, llm="scripted").refused


def _copies_georgia(assistant: Assistant, question: str) -> Answer:
    """Ask ``question`` of a reader that copies the seed's sentence on Georgia's 2024 elections, with its number."""
    n, line = next((k, line) for k, line in _numbered(assistant, question).items() if "Georgia is experiencing" in line)
    _with_model(assistant, line[len(f"[{n}] ") :] + f" [{n}]")
    return assistant.ask(question, llm="scripted")


def test_a_true_sentence_about_another_year_does_not_answer(assistant: Assistant) -> None:
    # The reader copies a true sentence, but it is about the 2024 elections.
    question = "Which country's {}parliamentary elections face civil and political challenges?"
    assert _copies_georgia(assistant, question.format("2020 ")).refused
    # Asked about 2024, or about no year, the same sentence answers.
    assert not _copies_georgia(assistant, question.format("2024 ")).refused
    assert not _copies_georgia(assistant, question.format("")).refused


def test_the_cited_sentence_is_no_fallback_when_it_does_not_answer(assistant: Assistant) -> None:
    question = "Who disclosed the presence of North Korean units in Kursk?"
    numbered = _numbered(assistant, question)
    other = next(k for k, line in numbered.items() if "Rutte" not in line)
    rutte = next(k for k, line in numbered.items() if "Rutte" in line)
    # A distorted claim citing a sentence that names no one who disclosed anything: refused, not quoted.
    _with_model(assistant, f"Mark Rutter disclosed the presence of 12,000 North Korean units in Kursk [{other}].")
    assert assistant.ask(question, llm="scripted").refused
    # A claim that verifies but only restates the question is no reason to quote its citation either.
    _with_model(assistant, f"The presence of North Korean units in Russia was disclosed [{rutte}].")
    assert assistant.ask(question, llm="scripted").refused


def test_a_one_word_actor_answers_who_only_for_what_its_sentence_says_it_did(
    settings: Settings, tmp_path: Path
) -> None:
    brief = tmp_path / "red-sea.txt"
    brief.write_text("Red Sea update\n\nThe Houthis fired a missile at the Gibraltar Eagle on January 15.\n")
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingest([brief])
    _with_model(assistant, "The Houthis fired a missile at the Gibraltar Eagle [1].")
    answer = assistant.ask("Who fired a missile at the Gibraltar Eagle?", llm="scripted")
    assert not answer.refused and "Houthis" in answer.answer
    # The reader pins the question's own verb on the sentence's actor: every word checks out, the deed does not.
    _with_model(assistant, "The Houthis repaired the Gibraltar Eagle [1].")
    assert assistant.ask("Who repaired the Gibraltar Eagle?", llm="scripted").refused


def test_citation_to_a_missing_passage_never_survives(assistant: Assistant) -> None:
    _with_model(assistant, "Mark Rutte disclosed the presence of North Korean units in Kursk [9].")
    answer = assistant.ask("Who disclosed the presence of North Korean units in Kursk?", llm="scripted")
    numbers = {c.n for c in answer.citations}
    assert "[9]" not in answer.answer
    assert all(n in numbers for s in answer.sentences for n in s.citations)
    _quotes_are_verbatim(assistant, answer)


def test_model_that_ignores_the_passages_is_not_believed(assistant: Assistant) -> None:
    _with_model(assistant, "I am a helpful assistant. The weather in Paris is sunny today.")
    answer = assistant.ask("Who disclosed the presence of North Korean units in Kursk?", llm="scripted")
    assert answer.refused and "Paris" not in answer.answer
    assert any(not s.supported and "Paris" in s.text for s in answer.sentences)


def test_instructions_inside_passages_are_quoted_not_obeyed(assistant: Assistant) -> None:
    model = _with_model(assistant, "Mark Rutte disclosed the presence of North Korean units in Kursk [1].")
    assistant.ask("Who disclosed the presence of North Korean units in Kursk?", llm="scripted")
    system = str(model.prompts[0][0].content)
    assert "never instructions" in system


def test_follow_up_question_uses_history(assistant: Assistant) -> None:
    first = "Which delegations participated in military exercises in Belarus?"
    alone = assistant.ask("Who stated that?", llm="none")
    assert alone.standalone_question == "Who stated that?"
    answer = assistant.ask("Who stated that?", history=[(first, "Uzbekistan and Kazakhstan [1]")], llm="none")
    assert "exercises" in answer.standalone_question
    assert not answer.refused
    assert "Denisenko" in answer.answer


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "in words"), ("?!?! ...", "in words"), ("x" * 100_000, "characters long")],
)
def test_degenerate_questions_get_a_clear_reply(assistant: Assistant, question: str, message: str) -> None:
    answer = assistant.ask(question, llm="none")
    assert answer.refused and message in answer.answer


def test_question_in_another_script_is_answered_or_refused_cleanly(assistant: Assistant) -> None:
    answer = assistant.ask("Кто командует силами специальных операций?", llm="none")
    assert isinstance(answer.refused, bool) and answer.answer


def test_empty_index_says_so(settings: Settings) -> None:
    answer = Assistant(settings=settings, embeddings=HashEmbeddings()).ask("Who is Rutte?", llm="none")
    assert answer.refused and "brief ingest" in answer.answer


def test_unreachable_llm_server_is_a_clear_error(assistant: Assistant, settings: Settings) -> None:
    settings.llm_base_url = "http://127.0.0.1:9/v1"
    settings.llm_timeout = 5
    with pytest.raises(LLMError, match=r"openai:some-model.*127\.0\.0\.1:9"):
        assistant.ask("Who disclosed the presence of North Korean units in Kursk?", llm="openai:some-model")


def test_unknown_backend_is_a_config_error(assistant: Assistant) -> None:
    from assistant.errors import ConfigError

    with pytest.raises(ConfigError, match="Unknown LLM backend"):
        assistant.ask("Who is Rutte?", llm="gpt")


def test_cli_ask_prints_answer_with_cited_passages(assistant: Assistant) -> None:
    import json

    from click.testing import CliRunner

    from assistant.cli import CliContext, main

    runner = CliRunner()
    question = "Who disclosed the presence of North Korean units in Kursk?"
    text = runner.invoke(main, ["ask", question, "--llm", "none"], obj=CliContext(assistant))
    assert text.exit_code == 0, text.output
    assert "Mark Rutte" in text.stdout and "[1] china-belarus-brief.txt, ¶5, chars 2020–2235" in text.stdout
    as_json = runner.invoke(main, ["ask", question, "--llm", "none", "--json", "--k", "3"], obj=CliContext(assistant))
    data = json.loads(as_json.stdout)
    assert data["citations"][0]["quote"] == RUTTE and data["refused"] is False
    broken = runner.invoke(main, ["ask", question, "--llm", "nonsense"], obj=CliContext(assistant))
    assert broken.exit_code == 1 and "Unknown LLM backend" in broken.stderr and "Traceback" not in broken.output


def test_an_overview_question_after_an_unrelated_one_is_an_overview(assistant: Assistant) -> None:
    history = [("Which delegations participated in military exercises in Belarus?", "Uzbekistan and Kazakhstan")]
    answer = assistant.ask("What is this brief about?", history=history, llm="none")
    assert not answer.refused and answer.standalone_question == ""
    assert 3 <= len(answer.citations) <= 6 and len({c.paragraph for c in answer.citations}) >= 3
    _quotes_are_verbatim(assistant, answer)


def test_a_list_question_is_answered_from_the_whole_brief(assistant: Assistant) -> None:
    answer = assistant.ask("Which countries are mentioned in the brief?", k=1, llm="none")
    named = {s.text for s in answer.sentences}
    assert {"China", "Belarus", "Moldova", "Georgia", "Kazakhstan"} <= named, "beyond the one passage retrieved"
    _quotes_are_verbatim(assistant, answer)


def test_a_reader_overview_keeps_only_verified_bullets(assistant: Assistant) -> None:
    probe = _with_model(assistant, "- x [1]")
    assistant.ask("Summarize the brief.", llm="scripted")
    first, rest = ([line for line in str(p[-1].content).splitlines() if line.startswith("[")] for p in probe.prompts)
    assert len(first) == 1 and 2 <= len(rest) <= 5, "the first sentence alone, then the others"
    bullets = [f"- {line.split('] ', 1)[1]} [{line[1]}]" for line in rest]
    bullets[0] = "- Kim Jong Un sent 12,000 soldiers to Minsk [1]"
    _with_model(assistant, f"- {first[0][4:]} [1]", "\n".join(bullets))
    events = list(assistant.stream("Summarize the brief.", llm="scripted"))
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.refused
    shown = [s for s in answer.sentences if s.supported]
    assert len(shown) == len(rest) and "12,000" not in answer.answer
    assert any(not s.supported and "12,000" in s.text for s in answer.sentences)
    assert answer.answer.startswith("- ") and answer.answer.count("\n- ") == len(rest) - 1, "one bullet a line"
    _quotes_are_verbatim(assistant, answer)


def test_an_overview_of_a_brief_named_by_its_subject(settings: Settings, seed_dir: Path) -> None:
    other = seed_dir / "sudan-brief.txt"
    other.write_text(
        "UN experts said paramilitary forces carried out ethnic killings in Darfur, Sudan. "
        "The report was sent to the UN Security Council in January.\n",
        encoding="utf-8",
    )
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    for question in ("What is the Sudan brief about?", "Summarize the Darfur report."):
        answer = assistant.ask(question, llm="none")
        assert not answer.refused and {c.source for c in answer.citations} == {"sudan-brief.txt"}, question
    assert assistant.ask("What is the Atlantis brief about?", llm="none").refused


def test_two_sources_that_disagree_are_both_shown_with_their_grades(settings: Settings, tmp_path: Path) -> None:
    from index.grades import Grade

    folder = tmp_path / "disagree"
    folder.mkdir()
    (folder / "ministry.txt").write_text(
        "The ministry said 40 Chinese officers arrived in Minsk on Monday for the joint exercises.\n", encoding="utf-8"
    )
    (folder / "blogger.txt").write_text(
        "A local blogger wrote that 25 Chinese officers arrived in Minsk on Monday for the joint exercises.\n",
        encoding="utf-8",
    )
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingest([folder / "ministry.txt"], grade=Grade.parse("B2"))
    assistant.ingest([folder / "blogger.txt"], grade=Grade.parse("D4"))
    for llm in ("none", "scripted"):
        _with_model(assistant, "40 Chinese officers arrived in Minsk [1].")
        answer = assistant.ask("How many Chinese officers arrived in Minsk?", llm=llm)
        assert not answer.refused and answer.answer.startswith("The sources disagree")
        assert answer.answer.index("40") < answer.answer.index("25"), "the better-graded source first"
        by_source = {c.source: c for c in answer.citations}
        assert by_source["ministry.txt"].grade == "B2" and by_source["blogger.txt"].grade == "D4"
        assert "40" in by_source["ministry.txt"].quote and "25" in by_source["blogger.txt"].quote
        data = answer.as_dict()
        assert len(data["conflicts"]) == 1 and {c["source"] for c in data["conflicts"][0]["citations"]} == set(
            by_source
        )
        _quotes_are_verbatim(assistant, answer)


def test_a_claim_restates_the_question_only_from_a_sentence_about_it(settings: Settings, tmp_path: Path) -> None:
    assistant = _on_brief(
        settings,
        tmp_path,
        "Election watch\n\nValdorians vote on Sunday in a run-off between Elena Markovic and Tomas Reyes. "
        "The incumbent, President Viktor Halas, is barred from a third term and has not endorsed either candidate.\n",
    )
    question = "Whom did President Halas endorse?"
    run_off = next(k for k, line in _numbered(assistant, question).items() if "run-off" in line)
    # Every word is the question's or the run-off sentence's, but that sentence says nothing of Halas.
    _with_model(assistant, f"President Halas endorsed Elena Markovic [{run_off}].")
    answer = assistant.ask(question, llm="scripted")
    assert not any(s.supported and "endorsed Elena Markovic" in s.text for s in answer.sentences)
    assert answer.refused or "has not endorsed either candidate" in answer.answer
    _quotes_are_verbatim(assistant, answer)


def test_a_plain_answer_outweighs_a_reader_that_declines(settings: Settings, tmp_path: Path) -> None:
    assistant = _on_brief(
        settings,
        tmp_path,
        "# Earthquake brief\n\n- The death toll has risen to 1,342.\n- Roughly 86,000 people have been displaced.\n",
    )
    _with_model(assistant, "The briefs do not say.")
    answer = assistant.ask("How many people have been displaced?", llm="scripted")
    assert not answer.refused
    assert answer.answer == "Roughly 86,000 people have been displaced. [1]"
    _quotes_are_verbatim(assistant, answer)
    # Where no sentence holds most of what is asked, the reader's "not in the briefs" stands.
    _with_model(assistant, "The briefs do not say.")
    assert assistant.ask("How many people were injured in the aftershocks?", llm="scripted").refused


def test_against_a_reader_that_declines_a_sentence_must_name_what_the_question_names() -> None:
    fled = analyze_question("How many people have fled Sudan to Egypt?")
    chad = _evidence(
        "About 1.4 million people have fled Sudan to other countries, including 555,000 to Chad.", 0.7, 0.8
    )
    assert clear_answer(fled, [chad]) is None
    egypt = _evidence("About 310,000 people have fled Sudan to Egypt since April.", 0.7, 1.0)
    assert clear_answer(fled, [egypt, chad]) is egypt
    # A capital stands for its country: "Beijing" names China.
    involved = analyze_question("Is China directly involved in the Ukrainian conflict?")
    beijing = _evidence(
        "Beijing, despite not being directly involved in the Ukrainian conflict, watches closely.", 0.6, 0.9
    )
    assert clear_answer(involved, [beijing]) is beijing


def test_a_date_question_is_restated_only_from_a_sentence_dating_it_with_the_claimed_date() -> None:
    def sentence(start: int, text: str, lexical: float) -> Evidence:
        return Evidence("brief.txt", start, start + len(text), 1, text, 0.5, lexical)

    opened = analyze_question("When did the prosecutor open his investigation into the violence?")
    said = sentence(
        0, "The prosecutor said in late January that there are grounds to believe crimes were committed.", 0.4
    )
    since = sentence(100, "Experts said the region is seeing its worst violence since 2005.", 0.2)
    # "opened his investigation" is the question's, and only the 2005 sentence dates a word of it, with another date.
    drafts = verify_reply(
        "The prosecutor opened his investigation into the violence in late January [1].", [said, since], opened
    )
    assert not drafts[0].supported
    year = analyze_question("In which year did the BadRabbit attack take place?")
    attack = sentence(0, "The 2017 BadRabbit attack hit Ukrainian railways and airports.", 0.3)
    assert verify_reply("The BadRabbit attack took place in 2017 [1].", [attack], year)[0].supported


def test_a_who_answer_may_give_the_agent_as_its_sentence_does() -> None:
    torched = analyze_question("Who torched the container truck near the northern gate?")
    alight = Evidence(
        "brief.txt", 0, 90, 1, "The vehicle was set alight by a group of masked men, according to police.", 0.4, 0.1
    )
    cited = verify_reply("The vehicle was set alight by a group of masked men [1].", [alight], torched)
    assert answers(cited[0], torched)
    # The question's deed pinned on the agent of another one is not the sentence's own words.
    repaired = analyze_question("Who repaired the container truck?")
    assert not answers(verify_reply("Masked men repaired the vehicle [1].", [alight], repaired)[0], repaired)


def test_a_who_answer_that_restates_the_questions_deed_needs_it_in_its_citations() -> None:
    owns = analyze_question("Who owns Meridian Maritime Services?")
    listed = _evidence(
        "The designated companies are Meridian Maritime Services, Blue Coral Shipping and Hanseatic Tanker Management.",
        0.6,
        0.5,
    )
    # Every word but the question's own "owned" is in the sentence, which relates neither company to the other.
    restated = verify_reply("Meridian Maritime Services is owned by Hanseatic Tanker Management [1].", [listed], owns)
    assert restated[0].supported and not answers(restated[0], owns)
    owner = _evidence("Meridian Maritime Services is owned by Hanseatic Tanker Management, a German firm.", 0.6, 0.5)
    assert answers(
        verify_reply("Hanseatic Tanker Management owns Meridian Maritime Services [1].", [owner], owns)[0], owns
    )
    # In the sentence's own words, the reader's reading stands: "urged" for "called on".
    called = analyze_question("Who called on the government to name a mediator?")
    urged = _evidence("The chamber's president, Rasmus Holte, urged the government to appoint a mediator.", 0.6, 0.5)
    assert answers(
        verify_reply("Rasmus Holte urged the government to appoint a mediator [1].", [urged], called)[0], called
    )


def test_a_count_rests_on_a_sentence_close_to_the_question_in_meaning_but_not_on_another_count() -> None:
    beds = analyze_question("How big, in beds, is the field hospital set up by the Northgate Relief Consortium?")
    opened = _evidence("The Northgate Relief Consortium opened a field hospital at the sports ground.", 0.7, 0.5)
    has = _evidence("It has 40 beds and a surgical team.", 0.3, 0.2, start=81)
    claim = "The field hospital set up by the Northgate Relief Consortium has 40 beds [1][2]."
    # "set up" is the question's, and no sentence covers three quarters of its key terms: the meaning makes it so.
    assert verify_reply(claim, [opened, has], beds)[0].supported
    far = _evidence(opened.text, 0.55, 0.5)
    assert not verify_reply(claim, [far, has], beds)[0].supported
    # A count of one thing, restated as a count of what the question asks, is no answer however close the sentence.
    killed = analyze_question("How many people have been killed in the Arvel floods so far?")
    displaced = _evidence("Some 41,300 people are displaced by the Arvel floods so far.", 0.7, 0.6)
    drafts = verify_reply("Some 41,300 people have been killed in the Arvel floods so far [1].", [displaced], killed)
    assert drafts[0].supported and not answers(drafts[0], killed)


def test_a_cited_sentence_lends_words_only_if_it_shares_a_name_with_the_claim_or_runs_on_from_one() -> None:
    platform = analyze_question("What does Dragan Petrov campaign on?")
    reyes = Evidence(
        "brief.txt",
        0,
        84,
        1,
        "Reyes, who leads the Social Renewal party, campaigns on renationalising the railways.",
        0.5,
        0.3,
    )
    petrov = Evidence(
        "brief.txt", 86, 160, 2, "The third-placed candidate, Dragan Petrov, endorsed Reyes on 12 November.", 0.6, 0.4
    )
    spliced = verify_reply("Dragan Petrov campaigns on renationalising the railways [1][2].", [reyes, petrov], platform)
    assert not spliced[0].supported
    # A sentence that runs on from the named one (next to it, opening with a pronoun) lends its words.
    replaced = analyze_question("What did the Wagner fighters do in Mali?")
    arrived = _evidence("Wagner fighters arrived in Mali in December 2021.", 0.6, 0.5)
    they = _evidence("They replaced the departing peacekeepers.", 0.4, 0.1, start=len(arrived.text) + 1)
    claim = "The Wagner fighters replaced the departing peacekeepers in Mali [1][2]."
    assert verify_reply(claim, [arrived, they], replaced)[0].supported
    apart = Evidence("brief.txt", 400, 441, 3, they.text, 0.4, 0.1)
    assert not verify_reply(claim, [arrived, apart], replaced)[0].supported


def test_a_claim_is_cited_also_to_the_sentence_its_cited_one_runs_on_from_when_that_one_names_what_it_adds() -> None:
    beds = analyze_question("How big, in beds, is the field hospital set up by the Northgate Relief Consortium?")
    opened = _evidence("The Northgate Relief Consortium opened a field hospital in Harrow on 6 March.", 0.6, 0.6)
    it = _evidence("It has 40 beds and a surgical team.", 0.7, 0.3, start=len(opened.text) + 1)
    (draft,) = verify_reply(
        "The field hospital set up by the Northgate Relief Consortium has 40 beds [2].", [opened, it], beds
    )
    assert draft.supported and draft.evidence == (opened, it)
    # A claim its cited sentence holds alone is cited to that sentence alone.
    (alone,) = verify_reply("The field hospital has 40 beds [2].", [opened, it], beds)
    assert alone.supported and alone.evidence == (it,)
    # A sentence apart from it (another paragraph) is not what "It" stands for.
    apart = Evidence("brief.txt", 400, 400 + len(it.text), 3, it.text, 0.7, 0.3)
    (far,) = verify_reply(
        "The field hospital set up by the Northgate Relief Consortium has 40 beds [2].", [opened, apart], beds
    )
    assert far.evidence != (opened, apart)


def test_a_name_given_a_role_needs_that_role_in_its_citations() -> None:
    captain = analyze_question("What is the name of the Grey Heron's captain?")
    operator = _evidence("The ship's operator, Brandt-Eilers Shipping of Haldenport, denied the accusation.", 0.2, 0.0)
    heron = _evidence("The Grey Heron was carrying fertiliser, fully declared.", 0.6, 0.4, start=81)
    # "captain" is the question's one word the claim may add, and it makes the operator the captain.
    drafts = verify_reply(
        "The Grey Heron's captain is Brandt-Eilers Shipping of Haldenport [1][2].", [operator, heron], captain
    )
    assert drafts[0].supported and not answers(drafts[0], captain)
    run = analyze_question("Which company runs the Grey Heron?")
    drafts = verify_reply(
        "The Grey Heron's operator is Brandt-Eilers Shipping of Haldenport [1][2].", [operator, heron], run
    )
    assert answers(drafts[0], run)


def test_a_failed_answer_s_value_is_quoted_from_its_sentence_only_when_the_reader_confirms_it(
    assistant: Assistant,
) -> None:
    question = "When did the drone raid on the spirits factories take place?"
    n, line = next((k, v) for k, v in _numbered(assistant, question).items() if "October 27-28" in v)
    sentence = line[len(f"[{n}] ") :]
    # The claim's words are not the brief's, so it fails; its date is in the sentence it cites.
    claim = f"The drone raid on the spirits factories took place on October 27-28 [{n}]."
    checker = _with_model(assistant, claim, "yes", "Yes.")
    answer = assistant.ask(question, llm="scripted")
    assert not answer.refused and answer.citations[0].quote == sentence
    assert answer.answer == f"{sentence} [1]"
    # Both checks were asked, without streaming, each of the one sentence: does it answer, does it say the claim.
    checks = [str(p[1].content) for p in checker.prompts[1:]]
    assert len(checks) == 2 and all(c.startswith(f"Sentence: {sentence}") for c in checks)
    assert question in checks[0] and "spirits factories took place" in checks[1]
    _quotes_are_verbatim(assistant, answer)
    # One "no" and the sentence is not taken.
    _with_model(assistant, claim, "yes", "no")
    assert assistant.ask(question, llm="scripted").refused
    # A date the sentence does not hold is never put to the checks.
    checker = _with_model(assistant, claim.replace("October 27-28", "November 3"), "yes", "yes")
    assert assistant.ask(question, llm="scripted").refused and len(checker.prompts) == 1


def test_a_failed_answer_s_value_cited_to_the_wrong_sentence_is_checked_against_the_one_that_holds_it(
    assistant: Assistant,
) -> None:
    question = "When did the drone raid on the spirits factories take place?"
    numbered = _numbered(assistant, question)
    n, line = next((k, v) for k, v in numbered.items() if "October 27-28" in v)
    wrong = next(k for k, v in numbered.items() if "October" not in v)
    sentence = line[len(f"[{n}] ") :]
    # The reader cites a sentence without its date: the one numbered sentence that holds the date is checked.
    claim = f"The drone raid on the spirits factories took place on October 27-28 [{wrong}]."
    checker = _with_model(assistant, claim, "yes", "yes")
    answer = assistant.ask(question, llm="scripted")
    assert not answer.refused and answer.answer == f"{sentence} [1]"
    assert all(str(p[1].content).startswith(f"Sentence: {sentence}") for p in checker.prompts[1:])
    _quotes_are_verbatim(assistant, answer)


def test_a_value_held_by_several_uncited_sentences_is_not_guessed() -> None:
    question = analyze_question("When will the bridge reopen?")
    numbered = [
        _evidence("The ministry said the bridge would reopen to traffic on 4 May.", start=0),
        _evidence("The ferry service will also stop running on 4 May, officials said.", start=70),
        _evidence("Repairs to the damaged pier have been under way for weeks.", start=140),
    ]
    assert valued_sentences("The bridge will reopen on 4 May [1].", numbered, question)[0][1] is numbered[0]
    # Cited to a sentence without the date, it was read from one of two: neither is taken.
    assert valued_sentences("The bridge will reopen on 4 May [3].", numbered, question) == []
    # Only one sentence holds it: the reader read it there.
    one = [numbered[0], numbered[2]]
    assert valued_sentences("The bridge will reopen on 4 May [2].", one, question) == [
        ("The bridge will reopen on 4 May [2].".replace(" [2]", ""), numbered[0])
    ]
    # Another day of the same month is another date: that sentence does not hold it.
    other_day = [numbered[0], _evidence("The pier closed on 20 May for an inspection.", start=70), numbered[2]]
    assert valued_sentences("The bridge will reopen on 4 May [3].", other_day, question) == [
        ("The bridge will reopen on 4 May.", numbered[0])
    ]


def test_a_markdown_table_row_is_read_under_its_column_names_and_cited_as_written(
    settings: Settings, tmp_path: Path
) -> None:
    text = (
        "# Flood situation report\n\n"
        "The Sennet River burst its banks on 3 March, displacing families in four districts.\n\n"
        "| District | Displaced | Shelters |\n|---|---|---|\n| Lisse | 14,200 | 22 |\n| Corby Flats | 9,400 | 9 |\n"
    )
    assistant = _on_brief(settings, tmp_path, text, "flood.md")
    question = "How many were displaced in Corby Flats?"
    numbered = _numbered(assistant, question)
    n = next(k for k, v in numbered.items() if "Corby Flats" in v)
    assert numbered[n] == f"[{n}] District: Corby Flats; Displaced: 9,400; Shelters: 9"
    # "displaced" is the column's name, not the row's: the claim is checked against the row as read.
    _with_model(assistant, f"9,400 were displaced in Corby Flats [{n}].")
    answer = assistant.ask(question, llm="scripted")
    assert not answer.refused and answer.answer == "9,400 were displaced in Corby Flats. [1]"
    assert answer.citations[0].quote == "| Corby Flats | 9,400 | 9 |"
    _quotes_are_verbatim(assistant, answer)


def test_a_table_row_in_a_conflict_is_quoted_as_written(settings: Settings, tmp_path: Path) -> None:
    text = (
        "# Flood report\n\nThe Dornach embankment failed on 4 March, flooding two districts.\n\n"
        "| Event | Date |\n|---|---|\n| Dornach embankment failed | 3 March |\n"
    )
    assistant = _on_brief(settings, tmp_path, text, "flood.md")
    answer = assistant.ask("When did the Dornach embankment fail?", llm="none")
    assert answer.conflicts
    quotes = [c.quote for value in answer.conflicts[0].values for c in value.citations]
    assert "| Dornach embankment failed | 3 March |" in quotes
    for value in answer.conflicts[0].values:
        for citation in value.citations:
            assert text[citation.start : citation.end] == citation.quote
    _quotes_are_verbatim(assistant, answer)


def test_a_claim_that_restates_the_question_s_verb_rests_first_on_a_sentence_that_states_it() -> None:
    won = analyze_question("Who won the men's singles Wimbledon in 2013?")
    other = _evidence("Tickets for the 2014 tournament sold out in a day.", 0.3, 0.1)
    since = _evidence("Wimbledon since the 2013 men's singles final against Andy Murray.", 0.7, 0.9, start=41)
    title = _evidence(
        "Andy Murray defeated Novak Djokovic in the final to win the men's singles title at the 2013 Wimbledon.",
        0.7,
        0.8,
        start=111,
    )
    # Both sentences hold every word but "won"; only the second says who won.
    drafts = verify_reply("Andy Murray won the men's singles Wimbledon in 2013 [1].", [other, since, title], won)
    assert drafts[0].evidence == (title,) and answers(drafts[0], won)
    assert not answers(verify_reply("Andy Murray won the men's singles Wimbledon in 2013 [1].", [since], won)[0], won)


def test_a_count_in_other_words_than_the_question_s_verb_answers_only_when_the_reader_confirms_it(
    settings: Settings, tmp_path: Path
) -> None:
    assistant = _on_brief(
        settings,
        tmp_path,
        "Arvel floods update.\n\nSome 41,300 people are displaced across four districts after the river burst its "
        "banks. Army engineers are repairing the embankment.\n",
    )
    question = "How many people have been forced from their homes by the floods?"
    n = next(k for k, line in _numbered(assistant, question).items() if "41,300" in line)
    # Verified, in the brief's words, but "displaced" is not the question's "forced": the reader is asked.
    claim = f"Some 41,300 people are displaced across four districts [{n}]."
    checker = _with_model(assistant, claim, "Yes")
    answer = assistant.ask(question, llm="scripted")
    assert not answer.refused and "41,300 people are displaced" in answer.answer
    check = str(checker.prompts[1][1].content)
    assert question in check and "Some 41,300 people are displaced" in check
    _quotes_are_verbatim(assistant, answer)
    _with_model(assistant, claim, "No")
    assert assistant.ask(question, llm="scripted").refused
    # A count that restates the question's verb, which the brief does not use, is never put to the reader.
    restated = _with_model(assistant, f"Some 41,300 people have been killed by the floods [{n}].", "Yes")
    assert assistant.ask("How many people have been killed by the floods?", llm="scripted").refused
    assert len(restated.prompts) == 1


def test_an_answer_shows_a_markdown_sentence_without_its_emphasis_and_cites_it_verbatim(
    settings: Settings, tmp_path: Path
) -> None:
    text = "# Dorvana outbreak\n\n**1,186 suspected cases and 97 deaths** have been reported since 17 March.\n"
    assistant = _on_brief(settings, tmp_path, text, "outbreak.md")
    answer = assistant.ask("How many suspected cases and deaths have been reported since 17 March?", llm="none")
    assert not answer.refused
    assert (
        answer.answer.startswith("1,186 suspected cases and 97 deaths have been reported") and "*" not in answer.answer
    )
    assert answer.citations[0].quote.startswith("**1,186 suspected cases and 97 deaths**")
    _quotes_are_verbatim(assistant, answer)
    assert unmarked("Use __init__ and 2**3, not **bold** [4].") == "Use init and 2**3, not bold."


def test_a_count_that_drops_its_bound_is_quoted_with_it_when_the_reader_confirms_its_sentence(
    settings: Settings, tmp_path: Path
) -> None:
    text = "# Floods\n\nAn estimated **41,300 people** are displaced across four districts after the river rose.\n"
    assistant = _on_brief(settings, tmp_path, text, "floods.md")
    question = "How many people have been forced from their homes by the floods?"
    n = next(k for k, line in _numbered(assistant, question).items() if "41,300" in line)
    # "41,300" without "An estimated" fails; its sentence holds the count, in other words than "forced": asked.
    checker = _with_model(assistant, f"41,300 people are displaced across four districts [{n}].", "yes", "yes")
    answer = assistant.ask(question, llm="scripted")
    assert answer.answer.startswith("An estimated 41,300 people are displaced") and len(checker.prompts) == 3
    _quotes_are_verbatim(assistant, answer)


def test_evidence_comes_from_the_next_best_chunks_of_the_retrieved_briefs_only(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text(
        "Drones over Gomel: the Gomel brigade counted drones over Gomel on Monday.\n\n"
        "The brigade shot down 14 of them near Mozyr.\n\nA convoy crossed the bridge at Pinsk.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text("Air defence shot down drones near Brest.\n", encoding="utf-8")
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingest([tmp_path / "a.txt", tmp_path / "b.txt"])
    question = "How many drones did the Gomel brigade shoot down?"
    ranked = [(p.chunk.source, p.chunk.paragraph) for p in assistant.retriever.passages(question, 4)]
    assert ranked == [("a.txt", 1), ("a.txt", 2), ("b.txt", 1), ("a.txt", 3)]

    def shown(k: int) -> str:
        model = _with_model(assistant, "The briefs do not say.")
        assistant.ask(question, k=k, llm="scripted")
        return str(model.prompts[0][-1].content)

    # One passage retrieved: the sentence that answers, in the brief's next best chunk, is shown too.
    assert "shot down 14 of them" in shown(1)
    # Two retrieved: another brief's chunk, though it ranks third, is not.
    assert "near Brest" not in shown(2)


def test_a_failed_answer_s_sentence_is_read_in_its_context_when_alone_it_does_not_answer(
    settings: Settings, tmp_path: Path
) -> None:
    brief = (
        "Meningitis outbreak in Dorvana\n\n"
        "UNICEF delivered 18,000 doses of ceftriaxone on 5 April. Current stocks are expected to last about three "
        "weeks.\n\nThe ministry opened two treatment centres in Halvik town on 2 April."
    )
    assistant = _on_brief(settings, tmp_path, brief)
    question = "For how long are the antibiotic supplies delivered by UNICEF expected to last?"
    numbered = _numbered(assistant, question)
    n = next(k for k, v in numbered.items() if "three weeks" in v)
    claim = f"The antibiotic supplies are expected to last about three weeks [{n}]."
    # Alone, "Current stocks…" does not say whose stocks: the reader says no, then yes once it reads the sentence
    # before; the sentence must also say what the claim says. Both sentences are quoted, the one before first.
    checker = _with_model(assistant, claim, "no", "yes", "yes")
    answer = assistant.ask(question, llm="scripted")
    assert not answer.refused and answer.answer == (
        "UNICEF delivered 18,000 doses of ceftriaxone on 5 April. [1] "
        "Current stocks are expected to last about three weeks. [2]"
    )
    alone, read_on, states = (str(p[1].content) for p in checker.prompts[1:])
    assert alone.startswith("Sentence: Current stocks")
    assert read_on.startswith("Context: ") and "UNICEF delivered 18,000 doses of ceftriaxone on 5 April." in read_on
    assert states.startswith("Sentence: Current stocks") and "Claim: " in states
    _quotes_are_verbatim(assistant, answer)
    # No in context as well, and the sentence is not taken.
    _with_model(assistant, claim, "no", "no", "yes")
    assert assistant.ask(question, llm="scripted").refused
