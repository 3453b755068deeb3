"""Answers about whole briefs: lists from the entity index, extractive overviews, timelines, narrowing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.briefs import load_briefs
from assistant.errors import SourceError
from assistant.lists import entity_listing, list_answer, list_question
from assistant.narrowing import date_bound, narrow
from assistant.overview import is_overview_question, overview_answer, select_overview_sentences
from assistant.timeline import Anchor, anchor_of, build_timeline, normalize_date, parse_date
from index import BriefStore, DocumentInfo, Ingestor, Settings

from .fakes import HashEmbeddings

SEED = "china-belarus-brief.txt"
SEED_COUNTRIES = {
    "China",
    "Russia",
    "Ukraine",
    "Belarus",
    "Uzbekistan",
    "Kazakhstan",
    "South Korea",
    "North Korea",
    "Moldova",
    "Georgia",
}
DATED = "dated-brief.txt"
DATED_TEXT = (
    "Ministers met in Minsk on Sunday, December 10, 2023.\n\n"
    "In October, the Kazakh army held drills. On the night of October 27-28 drones struck Kursk.\n\n"
    "Last year the talks failed."
)


@pytest.fixture
def store(settings: Settings, seed_dir: Path) -> BriefStore:
    (seed_dir / DATED).write_text(DATED_TEXT, encoding="utf-8")
    store = BriefStore(settings)
    report = Ingestor(store, HashEmbeddings(), settings).ingest_paths([seed_dir])
    assert not report.failed
    return store


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which countries are mentioned in the brief?", "country"),
        ("What countries does the brief name?", "country"),
        ("Which nations are involved?", "country"),
        ("Which people are mentioned?", "person"),
        ("Who is mentioned in the briefs?", "person"),
        ("What organisations are named in these briefs?", "org"),
        ("Which organizations are referenced?", "org"),
        ("List the places mentioned", "place"),
        ("List all the cities.", "place"),
        ("Which dates are mentioned?", "date"),
        ("List the names of the organisations mentioned", "org"),
        ("Which countries sent delegations to military exercises in Belarus?", None),
        ("Who disclosed the presence of North Korean units?", None),
        ("What is this brief about?", None),
        ("On what date was Moldova's referendum held?", None),
        ("Which units listened to the briefing?", None),
        ("Who was named the 2021 National Teacher of the Year?", None),
        ("Which officials were named to the new cabinet?", None),
        ("Which people are mentioned, and where?", "person"),
    ],
)
def test_list_questions_are_recognised(question: str, kind: str | None) -> None:
    assert list_question(question) == kind


def test_the_seed_country_list_is_complete_and_each_item_cited(store: BriefStore) -> None:
    answer = list_answer("Which countries are mentioned in the brief?", load_briefs(store, [SEED]))
    assert not answer.refused
    names = [s.text for s in answer.sentences]
    assert set(names) == SEED_COUNTRIES and len(names) == len(set(names))
    text = store.text(SEED)
    by_number = {c.n: c for c in answer.citations}
    for sentence in answer.sentences:
        citation = by_number[sentence.citations[0]]
        assert text[citation.start : citation.end] == citation.quote
        assert sentence.text.split()[-1] in citation.quote  # "South Korea" cited to "South Korean"
    assert answer.answer.startswith("The brief names 10 countries: China [")


def test_lists_cover_every_brief_unless_narrowed(store: BriefStore) -> None:
    everything = {s.text for s in list_answer("Which countries are mentioned?", load_briefs(store)).sentences}
    assert everything == SEED_COUNTRIES  # Minsk is Belarus, the Kazakh army Kazakhstan, Kursk is not a country
    places = {s.text for s in list_answer("Which places are mentioned?", load_briefs(store, [DATED])).sentences}
    assert places == {"Minsk", "Kazakhstan", "Kursk"}
    nobody = list_answer("Which people are mentioned?", load_briefs(store, [DATED]))
    assert nobody.refused and nobody.answer == "The brief names no people." and not nobody.citations
    with pytest.raises(SourceError, match="nope.txt"):
        list_answer("Which people are mentioned?", load_briefs(store, ["nope.txt"]))


def test_entity_listing_cites_every_mention(store: BriefStore) -> None:
    people = entity_listing(load_briefs(store, [SEED]), "person")
    assert [p["name"] for p in people] == ["Vadim Denisenko", "Mark Rutte", "Vladimir Putin"]
    text = store.text(SEED)
    denisenko = people[0]["mentions"]
    assert [m["text"] for m in denisenko] == ["Vadim Denisenko", "Denisenko"]
    for mention in denisenko:
        citation = mention["citation"]
        assert text[mention["start"] : mention["end"]] == mention["text"]
        assert text[citation["start"] : citation["end"]] == citation["quote"]
        assert citation["start"] <= mention["start"] and mention["end"] <= citation["end"]
        assert citation["label"].startswith(f"{SEED}, ¶3, chars ")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is this brief about?", True),
        ("What are the briefs about?", True),
        ("Summarize the brief.", True),
        ("Summarise the briefs", True),
        ("What are the key takeaways?", True),
        ("Give me an overview", True),
        ("What are the main points?", True),
        ("Key points please", True),
        ("Tell me about the briefs", True),
        ("Describe this brief in a few sentences", True),
        ("Summarize the briefs about Sudan", False),
        ("Tell me about Denisenko", False),
        ("What is the Institute for the Study of War?", False),
        ("Who disclosed the presence of North Korean units?", False),
        ("What happened on October 28?", False),
    ],
)
def test_overview_questions_are_recognised(question: str, expected: bool) -> None:
    assert is_overview_question(question) is expected


def test_overview_sentences_are_verbatim_distinct_and_few(store: BriefStore) -> None:
    embeddings = HashEmbeddings()
    (brief,) = load_briefs(store, [SEED])
    chosen = select_overview_sentences([brief], embeddings.embed_documents)
    assert 3 <= len(chosen) <= 6
    assert chosen[0].start == 0  # the lead sentence
    assert [s.start for s in chosen] == sorted(s.start for s in chosen)
    for sentence in chosen:
        assert brief.text[sentence.start : sentence.end] == sentence.text
    answer = overview_answer("Summarize the brief.", chosen, {brief.source: brief.title})
    assert not answer.refused and len(answer.citations) == len(chosen)
    assert [c.quote for c in answer.citations] == [s.text for s in chosen]
    assert all(s.supported and s.citations == (n,) for n, s in enumerate(answer.sentences, start=1))
    assert answer.answer.endswith(f"[{len(chosen)}]")


def test_an_overview_of_several_briefs_spans_them(store: BriefStore) -> None:
    briefs = load_briefs(store)
    answer = overview_answer(
        "Summarize the briefs.", select_overview_sentences(briefs, HashEmbeddings().embed_documents)
    )
    assert {c.source for c in answer.citations} == {SEED, DATED}


def test_the_seed_timeline_holds_every_dated_event_in_order(store: BriefStore) -> None:
    events = build_timeline(load_briefs(store, [SEED]))
    text = store.text(SEED)
    assert [(e.date, e.normalized, e.until) for e in events] == [
        ("2024", "2024", None),
        ("October", "--10", None),
        ("October 20", "--10-20", None),
        ("the night of October 27-28", "--10-27", "--10-28"),
        ("October 28", "--10-28", None),
        ("October 31", "--10-31", None),
    ]
    for event in events:
        assert event.date in event.sentence.text
        assert text[event.sentence.start : event.sentence.end] == event.sentence.text
        assert event.as_dict()["citations"][0]["quote"] == event.sentence.text


def test_a_dated_brief_anchors_its_relative_dates(store: BriefStore) -> None:
    (brief,) = load_briefs(store, [DATED])
    assert anchor_of(brief) == Anchor(2023, date(2023, 12, 10), "document date")
    events = {e.date: (e.normalized, e.until) for e in build_timeline([brief])}
    assert events == {
        "Sunday, December 10, 2023": ("2023-12-10", None),
        "October": ("2023-10", None),
        "the night of October 27-28": ("2023-10-27", "2023-10-28"),
        "Last year": ("2022", None),
    }


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Sunday", ("2023-12-10", None)),
        ("Friday", ("2023-12-08", None)),
        ("yesterday", ("2023-12-09", None)),
        ("late January", ("2023-01", None)),
        ("10 December 2021", ("2021-12-10", None)),
        ("May 3rd to 5th", ("2023-05-03", "2023-05-05")),
        ("last month", ("2023-11", None)),
        ("two years ago", ("2021", None)),
        ("2024-02-29", ("2024-02-29", None)),
        ("the 1990s", (None, None)),
    ],
)
def test_normalising_against_a_document_date(expression: str, expected: tuple[str | None, str | None]) -> None:
    assert normalize_date(expression, Anchor(2023, date(2023, 12, 10), "document date")) == expected


def test_without_a_document_date_dates_stay_partial() -> None:
    assert normalize_date("October 28", Anchor()) == ("--10-28", None)
    assert normalize_date("in October", Anchor()) == ("--10", None)
    assert normalize_date("Sunday", Anchor()) == (None, None)
    assert parse_date("published 10 Dec 2023") == date(2023, 12, 10)
    assert parse_date("October 28") is None


def _info(source: str, day: str | None) -> DocumentInfo:
    return DocumentInfo(source=source, title=source, sha256="0", chunks=1, date=day)


def test_narrowing_by_source_and_date() -> None:
    documents = [_info("a.txt", "2023-12-10"), _info("b.txt", "October 1, 2024"), _info("c.txt", None)]
    assert narrow(documents).sources is None
    assert narrow(documents, ["b.txt", "a.txt"]).sources == ["a.txt", "b.txt"]
    ranged = narrow(documents, since=date_bound("2024"), until=date_bound("2024-10", end=True))
    assert (ranged.sources, ranged.undated) == (["b.txt"], ["c.txt"])
    assert narrow(documents, ["a.txt"], until=date_bound("2023-12-10", end=True)).sources == ["a.txt"]
    with pytest.raises(SourceError, match="'x.txt'"):
        narrow(documents, ["x.txt"])
    with pytest.raises(SourceError, match="No indexed brief is dated"):
        narrow(documents, since=date_bound("2030"))
    with pytest.raises(SourceError, match="not a date"):
        date_bound("soon")
    assert date_bound("2024-02", end=True) == date(2024, 2, 29)
