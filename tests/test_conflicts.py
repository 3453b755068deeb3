from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.briefs import SourceSentence
from assistant.cli import main
from assistant.conflicts import Conflict, find_conflicts
from ui.render import conflicts_html


def S(source: str, text: str, start: int = 0, paragraph: int = 1) -> SourceSentence:
    """An evidence sentence as the answer path has it."""
    return SourceSentence(source, start, start + len(text), paragraph, text)


def _values(conflicts: list[Conflict]) -> list[list[str]]:
    return [[value.value for value in conflict.values] for conflict in conflicts]


OFFICERS = "How many Chinese officers arrived in Minsk?"


def test_two_sources_giving_different_counts_conflict_with_citations_and_grades_best_first() -> None:
    first = S("tass.txt", "Some 25 Chinese officers arrived in Minsk on Monday for the exercises.", 120, 3)
    second = S("isw.txt", "According to the ministry, 40 officers from China arrived in Minsk this week.", 0, 1)
    (conflict,) = find_conflicts(OFFICERS, [first, second], {"isw.txt": "B2", "tass.txt": "D4"})
    assert conflict.kind == "number" and conflict.fact == "officer"
    assert _values([conflict]) == [["40 officers", "Some 25 Chinese officers"]]
    top = conflict.values[0].citations[0]
    assert (top.source, top.start, top.end, top.paragraph, top.grade) == ("isw.txt", 0, len(second.text), 1, "B2")
    assert top.quote == second.text
    data = conflict.as_dict()
    assert [v["value"] for v in data["values"]] == ["40 officers", "Some 25 Chinese officers"]
    assert [c["source"] for c in data["citations"]] == ["isw.txt", "tass.txt"]
    assert data["values"][1]["citations"][0] == {
        "source": "tass.txt",
        "start": 120,
        "end": 120 + len(first.text),
        "paragraph": 3,
        "quote": first.text,
        "grade": "D4",
    }


def test_ungraded_values_come_last_and_one_value_gathers_its_sources() -> None:
    sentences = [
        S("a.txt", "Forty officers arrived in Minsk from China."),
        S("b.txt", "Chinese officers arrived in Minsk: 25 officers, the ministry said."),
        S("c.txt", "China sent 25 officers, who arrived in Minsk by train."),
    ]
    (conflict,) = find_conflicts(OFFICERS, sentences, {"c.txt": "A1"})
    assert [v.value for v in conflict.values] == ["25 officers", "Forty officers"]
    assert [c.source for c in conflict.values[0].citations] == ["c.txt", "b.txt"]
    assert [c.grade for c in conflict.citations] == ["A1", None, None]


def test_a_conflict_within_one_source() -> None:
    sentences = [
        S("brief.txt", "Forty Chinese officers arrived in Minsk in March.", 0),
        S("brief.txt", "The 25 Chinese officers who arrived in Minsk trained with Belarusian units.", 200),
    ]
    assert _values(find_conflicts(OFFICERS, sentences)) == [["Forty Chinese officers", "25 Chinese officers"]]


@pytest.mark.parametrize(
    "sentences",
    [
        pytest.param(
            [S("a.txt", "40 Chinese officers and 25 drones arrived in Minsk.")],
            id="two numbers, two nouns, one sentence",
        ),
        pytest.param(
            [S("a.txt", "40 officers arrived in Minsk in March and 25 officers left in April.")],
            id="one sentence contrasting two counts",
        ),
        pytest.param(
            [S("a.txt", "40 Chinese officers arrived in Minsk."), S("b.txt", "25 Chinese drones arrived in Minsk.")],
            id="same predicate, different nouns",
        ),
        pytest.param(
            [
                S("a.txt", "40 Chinese officers arrived in Minsk."),
                S("b.txt", "40 officers from China arrived in Minsk."),
            ],
            id="same value twice",
        ),
        pytest.param(
            [
                S("a.txt", "More than 30 Chinese officers arrived in Minsk."),
                S("b.txt", "40 Chinese officers arrived in Minsk."),
            ],
            id="a bound the other value meets",
        ),
        pytest.param(
            [
                S("a.txt", "About 40 Chinese officers arrived in Minsk."),
                S("b.txt", "38 officers from China arrived in Minsk."),
            ],
            id="an approximation",
        ),
        pytest.param(
            [
                S("a.txt", "40 Chinese officers arrived in Minsk."),
                S("b.txt", "25 Chinese officers left Warsaw in 2023."),
            ],
            id="a sentence that does not answer the question",
        ),
        pytest.param(
            [
                S("a.txt", "In 2024, 40 Chinese officers arrived in Minsk."),
                S("b.txt", "In 2025 officers from China arrived in Minsk."),
            ],
            id="a year is not a count",
        ),
    ],
)
def test_no_conflict(sentences: list[S]) -> None:
    assert find_conflicts(OFFICERS, sentences) == []


def test_bounds_that_cannot_meet_conflict() -> None:
    sentences = [
        S("a.txt", "At least 40 Chinese officers arrived in Minsk."),
        S("b.txt", "Fewer than 30 officers from China arrived in Minsk."),
    ]
    assert _values(find_conflicts(OFFICERS, sentences)) == [["At least 40 Chinese officers", "Fewer than 30 officers"]]


def test_amounts_with_scales_currencies_and_percentages() -> None:
    deal = "How much did Jordan pay for the F-16 Block 70 jets?"
    sentences = [
        S("a.txt", "Jordan will pay $4.21 billion for the F-16 Block 70 jets."),
        S("b.txt", "For the F-16 Block 70 jets Jordan is to pay $3.9 billion, officials said."),
    ]
    assert _values(find_conflicts(deal, sentences)) == [["$4.21 billion", "$3.9 billion"]]
    turnout = "What percentage of voters backed the referendum in Moldova?"
    sentences = [
        S("a.txt", "In Moldova, 50.4% of voters backed the referendum."),
        S("b.txt", "Moldova's referendum was backed by 49 per cent of voters."),
    ]
    assert _values(find_conflicts(turnout, sentences)) == [["50.4%", "49 per cent"]]


def test_different_dates_for_the_same_event_conflict_and_partial_ones_agree() -> None:
    question = "When did the Chinese officers arrive in Minsk?"
    sentences = [
        S("a.txt", "The Chinese officers arrived in Minsk on 12 March 2025."),
        S("b.txt", "Chinese officers arrived in Minsk on March 14, according to state media."),
        S("c.txt", "The officers from China arrived in Minsk in March 2025."),
    ]
    (conflict,) = find_conflicts(question, sentences, {"b.txt": "C3"})
    assert conflict.kind == "date" and [v.value for v in conflict.values] == ["March 14", "12 March 2025", "March 2025"]
    assert find_conflicts(question, [sentences[0], sentences[2]]) == [], "March 2025 may be 12 March 2025"
    years = [S("a.txt", "The officers from China arrived in Minsk in 2024."), sentences[0]]
    assert _values(find_conflicts(question, years)) == [["2024", "12 March 2025"]]


def test_different_people_in_the_same_role_conflict_by_surname() -> None:
    question = "Who is the commander of the Belarusian Special Operations Forces?"
    seed = S(
        "seed.txt",
        "According to Major General Vadim Denisenko, Commander of Belarusian Special Operations Forces, China has "
        "recently increased its military exchanges with Belarus.",
    )
    same = S("other.txt", "Denisenko Vadim Denisenko leads the Belarusian Special Operations Forces as commander.")
    planted = S("planted.txt", "The commander of the Belarusian Special Operations Forces is Colonel Ivan Petrov.")
    (conflict,) = find_conflicts(question, [seed, planted], {"seed.txt": "B2", "planted.txt": "E5"})
    assert conflict.kind == "person" and [v.value for v in conflict.values] == ["Vadim Denisenko", "Ivan Petrov"]
    assert find_conflicts(question, [seed, same]) == [], "the same surname is the same person"
    unrelated = S("news.txt", "NATO Secretary General Mark Rutte disclosed that North Korean units were in Kursk.")
    assert find_conflicts(question, [seed, unrelated]) == [], "a name in a sentence about something else"


def test_different_places_conflict_unless_one_contains_the_other() -> None:
    question = "Where did the 38th Air Assault Brigade deploy?"
    sentences = [
        S("a.txt", "The 38th Air Assault Brigade deployed to Brest in March."),
        S("b.txt", "In March the 38th Air Assault Brigade deployed to Gomel."),
        S("c.txt", "The 38th Air Assault Brigade deployed to the Brest region."),
    ]
    assert _values(find_conflicts(question, sentences[:2])) == [["Brest", "Gomel"]]
    assert find_conflicts(question, [sentences[0], sentences[2]]) == []


def test_questions_without_a_slot_have_no_conflicts() -> None:
    sentences = [
        S("a.txt", "40 Chinese officers arrived in Minsk."),
        S("b.txt", "25 Chinese officers arrived in Minsk."),
    ]
    assert find_conflicts("Why did Chinese officers come to Minsk?", sentences) == []
    assert find_conflicts(OFFICERS, []) == []


def test_a_sentence_given_twice_is_one_citation() -> None:
    sentence = S("a.txt", "40 Chinese officers arrived in Minsk.")
    assert find_conflicts(OFFICERS, [sentence, sentence]) == []


def test_conflicts_html_shows_the_values_side_by_side_with_grades_escaped() -> None:
    sentences = [
        S("tass.txt", "Some 25 Chinese officers arrived in Minsk <b>on Monday</b>.", 120, 3),
        S("isw.txt", "According to the ministry, 40 officers from China arrived in Minsk this week.", 0, 1),
    ]
    html = conflicts_html(find_conflicts(OFFICERS, sentences, {"isw.txt": "B2"}))
    assert html.count('<div class="brief-conflict-value">') == 2 and "The sources disagree" in html
    assert html.index("40 officers") < html.index("Some 25 Chinese officers"), "the graded source first"
    assert '<span class="brief-grade">B2</span>' in html and ">ungraded<" in html
    assert "isw.txt, ¶1, chars 0–" in html and "&lt;b&gt;on Monday&lt;/b&gt;" in html and "<b>" not in html
    assert conflicts_html([]) == ""


def test_brief_bench_conflicts_counts_false_alarms_and_detections(tmp_path: Path) -> None:
    rgb = tmp_path / "rgb.jsonl"
    agreeing = ["40 Chinese officers arrived in Minsk on Monday.", "Forty officers from China arrived in Minsk."]
    rgb.write_text(
        json.dumps(
            {"query": OFFICERS, "positive": agreeing, "positive_wrong": ["25 Chinese officers arrived in Minsk."]}
        )
        + "\n"
        + json.dumps(
            {
                "query": OFFICERS,
                "positive": [agreeing[0], "25 officers arrived in Minsk from China."],
                "positive_wrong": [],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["bench", "conflicts", str(rgb)])
    assert result.exit_code == 0, result.output
    assert "2 queries: a conflict among agreeing passages (false alarm) for 50.0%" in result.stdout
    assert "once the changed passages are added for 100.0%" in result.stdout
    scores = json.loads(CliRunner().invoke(main, ["bench", "conflicts", str(rgb), "--json"]).stdout)
    assert scores["false_alarms"] == [{"query": OFFICERS, "values": [["40 Chinese officers", "25 officers"]]}]
    rgb.write_text('{"query": "q"}\n', encoding="utf-8")
    bad = CliRunner().invoke(main, ["bench", "conflicts", str(rgb)])
    assert bad.exit_code == 1 and "needs query, positive and positive_wrong" in bad.output
