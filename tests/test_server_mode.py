from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from benchmarks import ChromaServer, chroma_server, free_port
from index import BriefStore, Settings, StoreError, get_settings

SEED_NAME = "china-belarus-brief.txt"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server") / "data") as running:
        yield running
    with pytest.raises(ProcessLookupError):
        os.kill(running.pid, 0)


@pytest.fixture
def server_env(server: ChromaServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BRIEF_CHROMA_URL", server.url)
    get_settings.cache_clear()
    return server.url


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.integration
@pytest.mark.server
def test_every_command_uses_the_chroma_server(server_env: str, brief_home: Path, seed_dir: Path) -> None:
    assert "Indexed 1 document(s)" in _run("ingest", str(seed_dir))
    assert [d["source"] for d in json.loads(_run("list", "--json"))] == [SEED_NAME]
    answer = json.loads(
        _run("ask", "Who is the commander of Belarusian Special Operations Forces?", "--llm", "none", "--json")
    )
    assert "Denisenko" in answer["answer"] and answer["citations"][0]["source"] == SEED_NAME
    quotes = json.loads(_run("quotes", "Denisenko", "--json"))
    assert any("Denisenko" in q["quote"] for q in quotes["quotes"])
    assert not (brief_home / "chroma").exists(), "the embedded store was used instead of the server"

    other_client = BriefStore(Settings(home=brief_home, chroma_url=server_env))
    assert [d.source for d in other_client.documents()] == [SEED_NAME]
    assert any("Denisenko" in c.text for c in other_client.chunks())

    assert "Removed" in _run("remove", SEED_NAME)
    assert json.loads(_run("list", "--json")) == []
    assert other_client.documents() == [] and other_client.chunks() == []


@pytest.mark.integration
@pytest.mark.server
def test_chroma_server_helper_stops_its_server(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "data") as running:
        store = BriefStore(Settings(home=tmp_path / "home", chroma_url=running.url))
        assert store.documents() == []
    with pytest.raises(ProcessLookupError):
        os.kill(running.pid, 0)
    with pytest.raises(StoreError, match=running.url):
        BriefStore(Settings(home=tmp_path / "home", chroma_url=running.url)).documents()


def test_an_unreachable_server_is_a_clear_error(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    store = BriefStore(settings.model_copy(update={"chroma_url": url}))
    with pytest.raises(StoreError) as caught:
        store.documents()
    message = str(caught.value)
    assert message.startswith(f"Cannot open the index at {url}: ")
    assert f"check that the Chroma server at {url} is running (chroma run)" in message

    monkeypatch.setenv("BRIEF_CHROMA_URL", url)
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["list"])
    assert result.exit_code == 1 and f"Cannot open the index at {url}" in result.stderr


def test_a_malformed_server_url_is_named(settings: Settings) -> None:
    store = BriefStore(settings.model_copy(update={"chroma_url": "http://"}))
    with pytest.raises(StoreError, match=r"BRIEF_CHROMA_URL='http://' is not a URL like http://localhost:8000"):
        store.documents()
