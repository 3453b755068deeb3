from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.cli import CliContext, main
from assistant.quotes import RELEVANCE_FLOOR
from index import Settings

from .conftest import SEED

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The seed indexed once with the real embedding model and Chroma, shared by this module's tests."""
    assistant = Assistant(settings=Settings(home=tmp_path_factory.mktemp("quotes-home"), chroma_url=None))
    assert assistant.ingest([SEED.parent]).added == [SEED.name]
    return assistant


def _verbatim(assistant: Assistant, topic: str) -> list[str]:
    result = assistant.quotes(topic)
    text = assistant.store.text(SEED.name)
    for quote in result.quotes:
        assert text[quote.start : quote.end] == quote.quote
        assert quote.citation == f"{SEED.name}, ¶{quote.paragraph}, chars {quote.start}–{quote.end}"
    return [q.quote for q in result.quotes]


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("North Korean troops", ["North Korean units in Russia’s Kursk region"]),
        ("hybrid warfare skills", ["hybrid warfare", "drones, trench clearing, and urban assault techniques"]),
        ("Moldova", ["Moldova’s Constitutional Court", "October 20 referendum"]),
    ],
)
def test_golden_top_quote(real: Assistant, topic: str, expected: list[str]) -> None:
    quotes = _verbatim(real, topic)
    assert quotes, f"no quote for {topic!r}"
    assert all(fragment in quotes[0] for fragment in expected), quotes[0]


def test_on_topic_filler_stays_below_the_floor(real: Assistant) -> None:
    quotes = _verbatim(real, "North Korean troops")
    assert not any(q.startswith("The People’s Republic of China") for q in quotes)


@pytest.mark.parametrize(
    "topic", ["semiconductor export controls", "Brazilian football", "interest rates in Japan", "Iran nuclear program"]
)
def test_off_topic_gets_no_quote(real: Assistant, topic: str) -> None:
    result = real.quotes(topic)
    assert result.quotes == [], [(q.score, q.quote) for q in result.quotes]
    assert result.message == f"The briefs hold no passage about '{topic}'."


def test_cli_json_with_the_real_model(real: Assistant) -> None:
    result = CliRunner().invoke(main, ["quotes", "Moldova", "--json"], obj=CliContext(real))
    assert result.exit_code == 0, result.output
    (quote,) = json.loads(result.stdout)["quotes"]
    assert quote["paragraph"] == 7 and quote["score"] >= RELEVANCE_FLOOR
    assert SEED.read_text(encoding="utf-8")[quote["start"] : quote["end"]] == quote["quote"]
