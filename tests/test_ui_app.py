from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from click.testing import CliRunner
from gradio_client import Client, handle_file
from langchain_core.language_models import BaseChatModel
from langchain_core.outputs import ChatGenerationChunk

from assistant import Assistant
from assistant.cli import CliContext, main
from assistant.errors import ConfigError
from index import Settings
from ui import build_app, launch_options

from .fakes import HashEmbeddings, ScriptedChatModel

SEED = Path(__file__).resolve().parents[1] / "seeds" / "china-belarus-brief.txt"
QUESTION = "Who is the Commander of Belarusian Special Operations Forces?"
SLOW_SECONDS = 3.0


class SlowChatModel(ScriptedChatModel):
    """A scripted model that thinks for a while before it writes, like the embedded one on a busy CPU."""

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        time.sleep(SLOW_SECONDS)
        yield from super()._stream(*args, **kwargs)


class SlowAssistant(Assistant):
    """An assistant whose "embedded" backend is the slow scripted model."""

    def chat_model(self, spec: str | None = None) -> BaseChatModel | None:
        if spec == "embedded":
            return SlowChatModel(replies=["Vadim Denisenko commands them [1]."], prompts=[])
        return super().chat_model(spec)


def _launch(assistant: Assistant, auth: str | None = None) -> tuple[gr.Blocks, str]:
    demo = build_app(assistant)
    _, url, _ = demo.launch(
        prevent_thread_lock=True, quiet=True, **launch_options(assistant.settings, "127.0.0.1", auth)
    )
    return demo, url


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Assistant, str, Path]]:
    """One running app over the seed brief (fake embeddings), shared by the tests of this module."""
    home = tmp_path_factory.mktemp("brief-home")
    assistant = SlowAssistant(settings=Settings(home=home, max_file_mb=0.05), embeddings=HashEmbeddings())
    assistant.ingestor.ingest_bytes(SEED.read_bytes(), SEED.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GRADIO_TEMP_DIR", raising=False)
        demo, url = _launch(assistant)
        yield assistant, url, home
        demo.close()


@pytest.fixture
def client(app: tuple[Assistant, str, Path], tmp_path: Path) -> Client:
    return Client(app[1], verbose=False, download_files=str(tmp_path / "downloads"))


def test_the_api_has_exactly_the_five_named_endpoints(client: Client) -> None:
    api = client.view_api(return_format="dict", print_info=False)
    assert set(api["named_endpoints"]) == {"/ask", "/quotes", "/ingest", "/evaluate", "/overview"}
    assert api["unnamed_endpoints"] == {}


def test_ask_then_follow_up(client: Client) -> None:
    first = client.predict(QUESTION, None, 5, "none", api_name="/ask")
    assert not first["refused"] and "Denisenko" in first["answer"] and first["model"] == "none (extractive)"
    assert first["citations"][0]["source"] == SEED.name
    follow = client.predict("What rank does he hold?", [[QUESTION, first["answer"]]], 5, "none", api_name="/ask")
    assert "Major General" in follow["answer"]


def test_ask_reports_bad_input_as_an_error(client: Client) -> None:
    with pytest.raises(Exception, match="Unknown LLM backend 'openai:gpt-4o'"):
        client.predict(QUESTION, None, 5, "openai:gpt-4o", api_name="/ask")


def test_quotes(client: Client) -> None:
    result = client.predict("Belarusian Special Operations Forces", 2, None, api_name="/quotes")
    assert 1 <= len(result["quotes"]) <= 2 and result["message"].startswith(f"{len(result['quotes'])} quote")
    assert result["quotes"][0]["citation"].startswith(f"{SEED.name}, ¶")


def test_upload_a_good_and_a_bad_file(client: Client, app: tuple[Assistant, str, Path], tmp_path: Path) -> None:
    assistant, _, home = app
    good, bad = tmp_path / "minsk-note.md", tmp_path / "payload.exe"
    good.write_text("# Minsk note\n\nThe Minsk garrison held drills on October 9, 2024.", encoding="utf-8")
    bad.write_bytes(b"MZ\x00\x00not a brief")
    status, report = client.predict([handle_file(good), handle_file(bad)], api_name="/ingest")
    assert report["added"] == ["minsk-note.md"]
    assert report["failed"] == [{"file": "payload.exe", "reason": report["failed"][0]["reason"]}]
    assert "unsupported file type .exe" in status and "unsupported file type .exe" in report["failed"][0]["reason"]
    assert "minsk-note.md" in [d.source for d in assistant.documents()]
    assert list((home / "app" / "cache").rglob("minsk-note.md")), "uploads stay in the app's own folder"
    assistant.remove("minsk-note.md")


def test_uploads_over_the_size_limit_are_refused(client: Client, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("A long brief. " * 8000, encoding="utf-8")
    with pytest.raises(Exception, match="413|size"):
        client.predict([handle_file(big)], api_name="/ingest")


def test_evaluate_the_seed_test_set(client: Client) -> None:
    status, metrics, chart, questions, files = client.predict(None, 5, "none", api_name="/evaluate")
    assert status.startswith("51 questions")
    assert metrics["headers"] == ["metric", "brief"] and len(questions["data"]) == 51
    assert Path(chart).suffix in {".png", ".webp"}
    assert sorted(Path(f["path"] if isinstance(f, dict) else f).name for f in files) == ["report.json", "report.md"]


def test_ten_clients_asking_at_once_all_get_answers(app: tuple[Assistant, str, Path]) -> None:
    url = app[1]

    def ask(number: int) -> dict[str, Any]:
        return Client(url, verbose=False).predict(QUESTION, None, 5, "none", api_name="/ask")

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(ask, range(10)))
    assert len(answers) == 10 and all("Denisenko" in a["answer"] and a["citations"] for a in answers)


def test_a_slow_question_does_not_hold_up_the_library(app: tuple[Assistant, str, Path], tmp_path: Path) -> None:
    url = app[1]
    note = tmp_path / "drills.txt"
    note.write_text("Belarusian units trained with drones in Brest.", encoding="utf-8")
    slow = [Client(url, verbose=False).submit(QUESTION, None, 5, "embedded", api_name="/ask") for _ in range(3)]
    started = time.perf_counter()
    status, report = Client(url, verbose=False).predict([handle_file(note)], api_name="/ingest")
    ingest_seconds = time.perf_counter() - started
    assert report["added"] == ["drills.txt"] and ingest_seconds < SLOW_SECONDS
    assert not any(job.done() for job in slow[2:]), "the third question waits in the queue, it is not dropped"
    assert all("Denisenko" in job.result(timeout=60)["answer"] for job in slow)
    app[0].remove("drills.txt")


def test_a_login_is_required_when_one_is_set(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    demo, url = _launch(Assistant(settings=settings, embeddings=HashEmbeddings()), auth="ann:s3cret")
    try:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain ValueError or HTTP error
            Client(url, verbose=False)
        assert Client(url, verbose=False, auth=("ann", "s3cret")).view_api(print_info=False, return_format="dict")
    finally:
        demo.close()


@pytest.mark.parametrize(
    ("host", "auth", "open_", "expected"),
    [
        ("127.0.0.1", None, False, None),
        ("localhost", None, False, None),
        ("::1", None, False, None),
        ("0.0.0.0", "ann:s3cret", False, ("ann", "s3cret")),
        ("192.168.1.20", None, True, None),
        ("127.0.0.1", "ann:pass:word", False, ("ann", "pass:word")),
    ],
)
def test_launch_options(settings: Settings, host: str, auth: str | None, open_: bool, expected: Any) -> None:
    options = launch_options(settings, host, auth, open_)
    assert options["server_name"] == host and options["auth"] == expected
    assert options["max_file_size"] == settings.max_file_bytes


@pytest.mark.parametrize(
    ("host", "auth", "message"),
    [
        ("0.0.0.0", None, "Refusing to serve on 0.0.0.0 without a login: set BRIEF_AUTH=user:password"),
        ("example.org", None, "or pass --open"),
        ("0.0.0.0", "ann", "must look like user:password"),
        ("127.0.0.1", ":s3cret", "must look like user:password"),
    ],
)
def test_launch_options_refuse_an_open_address_without_a_login(
    settings: Settings, host: str, auth: str | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        launch_options(settings, host, auth)


def test_cli_serve_refuses_a_public_address_without_a_login(settings: Settings) -> None:
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"], obj=CliContext(assistant))
    assert result.exit_code == 1 and "Refusing to serve on 0.0.0.0 without a login" in result.output
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--open" in help_text and "BRIEF_AUTH" in help_text


@pytest.mark.timeout(60)
def test_cli_serve_on_a_taken_port_is_one_clear_error(settings: Settings) -> None:
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)], obj=CliContext(assistant))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output and "--port N" in result.output


@pytest.mark.integration
def test_the_app_with_the_real_embedding_model(
    settings: Settings, seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    assistant = Assistant(settings=settings)
    assistant.ingest([seed_dir])
    demo, url = _launch(assistant)
    try:
        client = Client(url, verbose=False, download_files=str(tmp_path))
        answer = client.predict("Who is Denisenko?", None, 5, "none", api_name="/ask")
        assert not answer["refused"] and "Vadim Denisenko" in answer["citations"][0]["quote"]
        quotes = client.predict("North Korean troops", 3, None, api_name="/quotes")
        assert quotes["quotes"] and "North Korean" in quotes["quotes"][0]["quote"]
    finally:
        demo.close()
