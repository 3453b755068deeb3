"""The rule-based entity extractor, its gazetteer, its stored form, and its place in ingestion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.briefs import load_briefs
from benchmarks.entities import ingest_cost, score_entities
from index import BriefStore, Ingestor, Settings
from index.entities import (
    EXTRACTOR_VERSION,
    entities_from_json,
    entities_to_json,
    extract_mentions,
    group_entities,
)
from index.gazetteer import CAPITALS, COUNTRIES, DEMONYMS, country_of, key

from .conftest import ROOT
from .fakes import HashEmbeddings


def _names(text: str, kind: str) -> list[str]:
    return [e.name for e in group_entities(extract_mentions(text)) if e.type == kind]


def test_every_mention_is_an_exact_span_of_the_text(seed_text: str) -> None:
    mentions = extract_mentions(seed_text)
    assert len(mentions) > 50
    for mention in mentions:
        assert seed_text[mention.start : mention.end] == mention.text
    for kind in ("person", "org", "place", "date"):
        spans = sorted((m.start, m.end) for m in mentions if m.type == kind)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), f"{kind} mentions overlap"


def test_the_seed_names_its_people_organisations_places_and_dates(seed_text: str) -> None:
    assert _names(seed_text, "person") == ["Vadim Denisenko", "Mark Rutte", "Vladimir Putin"]
    assert "Institute for the Study of War" in _names(seed_text, "org")
    assert "Belarusian Special Operations Forces" in _names(seed_text, "org")
    assert set(_names(seed_text, "place")) >= {"China", "Belarus", "Kazakhstan", "South Korea", "North Korea", "Kursk"}
    assert _names(seed_text, "date") == [
        "October",
        "October 28",
        "the night of October 27-28",
        "October 20",
        "October 31",
        "2024",
    ]


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Belarusian troops crossed.", "place", ["Belarus"]),
        ("This Sino-Belarusian plan holds.", "place", ["China", "Belarus"]),
        ("The Russia-Belarus alliance grew.", "place", ["Russia", "Belarus"]),
        ("Officials in Chisinau agreed.", "place", ["Chisinau"]),
        ("Ships sailed to Second Thomas Shoal on Monday.", "place", ["Second Thomas Shoal"]),
        ("Russian leader Vladimir Putin spoke.", "person", ["Vladimir Putin"]),
        ("NATO Secretary General Mark Rutte spoke.", "person", ["Mark Rutte"]),
        ("It was led by Gen. Abdel Fattah al Burhan, the army chief.", "person", ["Abdel Fattah al Burhan"]),
        ("Major General Vadim Denisenko spoke. Later Denisenko stated more.", "person", ["Vadim Denisenko"]),
        ("The Rapid Support Forces (RSF) advanced. The RSF held the city.", "org", ["Rapid Support Forces"]),
        ("Moldova’s Constitutional Court will rule.", "org", ["Constitutional Court"]),
        ("The UK Foreign and Commonwealth Office replied.", "org", ["UK Foreign and Commonwealth Office"]),
        ("Lockheed Martin builds jets, says Lockheed.", "org", ["Lockheed Martin"]),
        ("In October, on October 27-28 and on Sunday, December 10, 2023.", "date", None),
        ("Talks began two decades ago and resumed last week.", "date", ["two decades ago", "last week"]),
        ("Prices may rise. In May 2023 they did.", "date", ["May 2023"]),
    ],
)
def test_rules_on_small_texts(text: str, kind: str, expected: list[str] | None) -> None:
    if expected is None:
        assert [m.text for m in extract_mentions(text) if m.type == kind] == [
            "October",
            "October 27-28",
            "Sunday, December 10, 2023",
        ]
    else:
        assert _names(text, kind) == expected


def test_no_mention_in_plain_lower_case_text() -> None:
    assert extract_mentions("the committee may march on, and the army said nothing about it.") == []


def test_gazetteer_maps_names_demonyms_and_capitals_to_countries() -> None:
    assert country_of("Belarusian") == "Belarus"
    assert country_of("PRC") == "China"
    assert country_of("Beijing") == "China"
    assert country_of("U.S.") == "United States"
    assert country_of("Moldova’s") == "Moldova"
    assert country_of("Atlantis") is None
    assert len(COUNTRIES) >= 190
    assert DEMONYMS[key("Uzbek")] == "Uzbekistan"
    assert CAPITALS[key("Kyiv")] == "Ukraine"


def test_stored_form_round_trips_and_refuses_stale_or_foreign_data(seed_text: str) -> None:
    mentions = extract_mentions(seed_text)
    stored = entities_to_json(mentions)
    assert entities_from_json(stored, seed_text) == mentions
    payload = json.loads(stored)
    assert payload["v"] == EXTRACTOR_VERSION
    assert entities_from_json(json.dumps({**payload, "v": EXTRACTOR_VERSION + 1}), seed_text) is None
    assert entities_from_json(stored, seed_text[:100]) is None  # offsets beyond the text
    assert entities_from_json("not json", seed_text) is None


def test_ingest_stores_the_entities_and_old_documents_get_them_from_their_text(
    settings: Settings, seed_dir: Path
) -> None:
    embeddings = HashEmbeddings()
    store = BriefStore(settings)
    Ingestor(store, embeddings, settings).ingest_paths([seed_dir])
    stored = store.stored_entities("china-belarus-brief.txt")
    assert stored is not None
    text = store.text("china-belarus-brief.txt")
    assert entities_from_json(stored, text) == extract_mentions(text)

    old_home = settings.model_copy(update={"home": settings.home / "old"})
    old_store = BriefStore(old_home)
    folder = settings.home / "old-briefs"
    folder.mkdir()
    (folder / "old.txt").write_text(text + "\n\nOn Monday, Colonel Anna Weiss visited Tbilisi.", encoding="utf-8")
    Ingestor(old_store, embeddings, old_home, entities=False).ingest_paths([folder])
    assert old_store.stored_entities("old.txt") is None
    (brief,) = load_briefs(old_store)
    assert list(brief.mentions) == extract_mentions(old_store.text("old.txt"))
    assert {"Anna Weiss", "Tbilisi", "Monday"} <= {m.name for m in brief.mentions}


def test_precision_and_recall_on_the_seed_labels_stay_high() -> None:
    scores = score_entities(ROOT / "tests" / "data" / "entities-seed.jsonl", [ROOT / "seeds"]).as_dict()
    assert scores["all"]["precision"] >= 0.9
    assert scores["all"]["recall"] >= 0.9


def test_scoring_counts_a_duplicate_entity_as_a_false_positive(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Lockheed Martin won. Raytheon lost.", encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    rows = [
        {"source": "b.txt", "type": "org", "name": "Lockheed Martin", "aliases": []},
        {"source": "b.txt", "type": "org", "name": "Boeing", "aliases": []},
    ]
    labels.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    org = score_entities(labels, [tmp_path]).as_dict()["types"]["org"]
    assert (org["tp"], org["fp"], org["fn"]) == (1, 1, 1)


def test_ingest_cost_times_both_kinds_side_by_side(settings: Settings, seed_dir: Path) -> None:
    cost = ingest_cost(HashEmbeddings(), settings, [seed_dir], rounds=2, generated=3)
    assert cost["files"] == 4
    assert [len(cost["seconds"][kind]) for kind in ("without", "with")] == [2, 2]
    assert cost["extraction_seconds"] > 0
    assert "| with entities |" in cost["table"]


def test_bench_entities_command_prints_a_table_per_label_file() -> None:
    from click.testing import CliRunner

    from assistant.cli import main

    labels = str(ROOT / "tests" / "data" / "entities-seed.jsonl")
    result = CliRunner().invoke(main, ["bench", "entities", labels, "--briefs", str(ROOT / "seeds")])
    assert result.exit_code == 0, result.output
    assert "| all | 100.0% | 100.0% | 27 | 0 | 0 |" in result.stdout
    as_json = CliRunner().invoke(main, ["bench", "entities", labels, "--briefs", str(ROOT / "seeds"), "--json"])
    assert json.loads(as_json.stdout)[labels]["all"]["recall"] == 1.0
    missing = CliRunner().invoke(main, ["bench", "entities", labels, "--briefs", str(ROOT / "docs")])
    assert missing.exit_code == 1 and "is not in" in missing.output
