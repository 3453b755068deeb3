"""The whole-brief commands (entities, summarize, timeline, chat) and narrowing `brief ask`, through CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.citations import Answer
from assistant.cli import CliContext, main
from index import Settings

from .fakes import HashEmbeddings

SEED = "china-belarus-brief.txt"


class RecordingAssistant(Assistant):
    """The real assistant, noting the history and narrowing each question was asked with."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[tuple[str, list[tuple[str, str]]]] = []

    def stream(
        self,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        k: int | None = None,
        llm: str | None = None,
        **narrowing: Any,
    ) -> Iterator[str | Answer]:
        self.asked.append((question, list(history)))
        return super().stream(question, history, k, llm, **narrowing)


@pytest.fixture
def context(settings: Settings, seed_dir: Path) -> CliContext:
    context = CliContext(RecordingAssistant(settings=settings, embeddings=HashEmbeddings()))
    result = CliRunner().invoke(main, ["ingest", str(seed_dir)], obj=context)
    assert result.exit_code == 0, result.output
    return context


def _run(context: CliContext, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), obj=context, input=input)


def test_entities_json_lists_every_mention_with_its_citation(context: CliContext) -> None:
    result = _run(context, "entities", "--json")
    assert result.exit_code == 0, result.output
    entities = json.loads(result.stdout)
    assert {e["type"] for e in entities} == {"person", "org", "place", "date"}
    belarus = next(e for e in entities if e["name"] == "Belarus")
    assert {m["text"] for m in belarus["mentions"]} == {"Belarus", "Belarusian"}
    text = (Path(__file__).parents[1] / "seeds" / SEED).read_text(encoding="utf-8")
    for mention in belarus["mentions"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
        assert set(mention["citation"]) == {"source", "start", "end", "quote", "paragraph", "label"}


def test_entities_text_by_type_and_unknown_source(context: CliContext) -> None:
    people = _run(context, "entities", "--type", "person", "--source", SEED)
    assert people.exit_code == 0
    assert people.stdout.startswith("person: Vadim Denisenko (2 mention(s))\n")
    assert "org:" not in people.stdout
    missing = _run(context, "entities", "--source", "nope.txt")
    assert missing.exit_code == 1 and "No document named 'nope.txt'" in missing.output


def test_timeline_json_has_the_issue_shape(context: CliContext) -> None:
    result = _run(context, "timeline", "--json")
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)
    assert [e["date"] for e in events] == [
        "2024",
        "October",
        "October 20",
        "the night of October 27-28",
        "October 28",
        "October 31",
    ]
    for event in events:
        assert {"date", "normalized", "text", "citations"} <= set(event)
        assert event["citations"][0]["quote"] == event["text"]


def test_summarize_prints_cited_sentences_and_json(context: CliContext) -> None:
    text = _run(context, "summarize", SEED, "--llm", "none")
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("1. The People’s Republic of China (PRC)")
    assert f"[1] {SEED}, ¶1, chars 0–221" in text.stdout
    as_json = json.loads(_run(context, "summarize", "--json", "--llm", "none").stdout)
    assert as_json["refused"] is False and 3 <= len(as_json["citations"]) <= 6
    assert _run(context, "summarize", "nope.txt", "--llm", "none").exit_code == 1


def test_chat_keeps_history_and_shows_sources(context: CliContext) -> None:
    script = "\n".join(
        ["Who disclosed the presence of North Korean units in Kursk?", "", "/sources", "/bogus", "Who reported it?"]
        + ["/quit", "not asked", ""]
    )
    result = _run(context, "chat", "--llm", "none", input=script)
    assert result.exit_code == 0, result.output
    assistant = context.assistant
    assert isinstance(assistant, RecordingAssistant)
    assert [question for question, _ in assistant.asked] == [
        "Who disclosed the presence of North Korean units in Kursk?",
        "Who reported it?",
    ]
    first_answer = assistant.asked[1][1][0][1]
    assert "Mark Rutte" in first_answer
    assert f"[1] {SEED}, ¶5, chars 2020–2235" in result.stdout  # /sources
    assert "Unknown command /bogus" in result.stderr


def test_chat_ends_at_end_of_input(context: CliContext) -> None:
    result = _run(context, "chat", "--llm", "none", input="/sources\n")
    assert result.exit_code == 0
    assert result.stdout == "No passage cited yet.\n"


def test_ask_refuses_unknown_sources_and_dates_that_leave_nothing(context: CliContext) -> None:
    unknown = _run(context, "ask", "Who is Rutte?", "--source", "nope.txt", "--llm", "none")
    assert unknown.exit_code == 1 and "No document named 'nope.txt'" in unknown.output
    undated = _run(context, "ask", "Who is Rutte?", "--since", "2024-01-01", "--llm", "none")
    assert undated.exit_code == 1 and "(1 have no date)" in undated.output
    bad = _run(context, "ask", "Who is Rutte?", "--until", "tomorrow", "--llm", "none")
    assert bad.exit_code == 1 and "'tomorrow' is not a date" in bad.output


def test_ask_narrowed_to_a_source_passes_it_on(settings: Settings, seed_dir: Path) -> None:
    context = CliContext(Assistant(settings=settings, embeddings=HashEmbeddings()))
    assert _run(context, "ingest", str(seed_dir)).exit_code == 0
    result = CliRunner().invoke(
        main, ["ask", "Who disclosed it?", "--source", SEED, "--llm", "none", "--json"], obj=context
    )
    if result.exception:
        raise result.exception
    assert {c["source"] for c in json.loads(result.stdout)["citations"]} == {SEED}
