"""The app under load and under attack: many clients, many questions, a hung LLM, bad logins, hostile uploads."""

from __future__ import annotations

import gc
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import psutil
import pytest
from gradio_client import Client

from assistant import Assistant
from assistant.errors import ConfigError, LLMError
from benchmarks import free_port
from index import Settings
from ui import build_app, launch_options, serve
from ui.app import SESSIONS

from .fakes import HashEmbeddings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "china-belarus-brief.txt"
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "seeds" / "china-belarus-testset.jsonl").open()]
ANSWERABLE = "Who is the Commander of Belarusian Special Operations Forces?"
CLIENTS = 20
LOAD_SECONDS = 15.0
SEQUENTIAL = 500
WARM_UP = 50
RSS_MARGIN_MB = 12.0
LLM_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def silent_llm() -> Iterator[str]:
    """The base URL of a server on 127.0.0.1 that accepts every connection and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


@dataclass
class App:
    assistant: Assistant
    url: str
    home: Path
    expected: dict[str, str]


def _launch(assistant: Assistant, host: str = "127.0.0.1", auth: str | None = None) -> tuple[gr.Blocks, str]:
    demo = build_app(assistant)
    options = launch_options(assistant.settings, host, auth)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_port=free_port(), **options)
    return demo, url


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, silent_llm: str) -> Iterator[App]:
    """The app over the seed brief (fake embeddings), offering an `openai:any` backend that never answers."""
    home = tmp_path_factory.mktemp("brief-home")
    settings = Settings(home=home, llm="openai:any", llm_base_url=silent_llm, llm_timeout=LLM_TIMEOUT, max_file_mb=0.05)
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingestor.ingest_bytes(SEED.read_bytes(), SEED.name)
    expected = {question: assistant.ask(question, llm="none").answer for question in QUESTIONS}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GRADIO_TEMP_DIR", raising=False)
        demo, url = _launch(assistant)
        yield App(assistant, url, home, expected)
        demo.close()


def _call(http: httpx.Client, endpoint: str, data: list[Any], session: str | None = None) -> tuple[str, Any]:
    """Call a named endpoint over Gradio's REST API; return the final event ("complete" or "error") and its data."""
    started = http.post(f"gradio_api/call/{endpoint}", json={"data": data, "session_hash": session})
    started.raise_for_status()
    body = http.get(f"gradio_api/call/{endpoint}/{started.json()['event_id']}", timeout=60).text
    events = [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("event: ")]
    payloads = [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("data: ")]
    return events[-1], json.loads(payloads[-1])


@pytest.mark.integration
def test_twenty_clients_at_once_all_get_the_right_answers(app: App) -> None:
    deadline = time.perf_counter() + LOAD_SECONDS

    def keep_asking(number: int) -> list[float]:
        client, latencies = Client(app.url, verbose=False), []
        while time.perf_counter() < deadline:
            question = QUESTIONS[(number * 7 + len(latencies)) % len(QUESTIONS)]
            started = time.perf_counter()
            answer = client.predict(question, None, 5, "none", api_name="/ask")
            latencies.append(time.perf_counter() - started)
            assert answer["answer"] == app.expected[question]
        return latencies

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        per_client = list(pool.map(keep_asking, range(CLIENTS)))
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for client in per_client for latency in client)
    assert all(per_client), "every client got answers"
    assert elapsed < LOAD_SECONDS + 30, "the queue drains soon after the clients stop"
    print(
        f"\n{CLIENTS} clients, {len(latencies)} answers in {elapsed:.1f} s, all correct; latency p50 "
        f"{latencies[len(latencies) // 2]:.2f} s, p95 {latencies[int(len(latencies) * 0.95)]:.2f} s"
    )


def _rss_after(app: App, count: int, marks: set[int], session: str | None) -> dict[int, float]:
    """Ask ``count`` questions in turn over the REST API; return the process's RSS (MiB) after each of ``marks``.

    With ``session`` every call belongs to that one session, as a browser tab's do; without, each call is a
    session of its own, as plain REST clients' are.
    """
    rss = {}
    with httpx.Client(base_url=app.url, timeout=60) as http:
        for number in range(1, count + 1):
            question = QUESTIONS[number % len(QUESTIONS)]
            event, data = _call(http, "ask", [question, None, 5, "none"], session)
            assert event == "complete" and data[0]["answer"] == app.expected[question]
            if number in marks:
                gc.collect()
                rss[number] = psutil.Process().memory_info().rss / 2**20
    return rss


@pytest.mark.integration
def test_memory_stays_flat_over_five_hundred_questions(app: App) -> None:
    rss = _rss_after(app, SEQUENTIAL, {WARM_UP, SEQUENTIAL}, "one-session")
    print(f"\nRSS after {WARM_UP} questions {rss[WARM_UP]:.1f} MiB, after {SEQUENTIAL} {rss[SEQUENTIAL]:.1f} MiB")
    assert rss[SEQUENTIAL] - rss[WARM_UP] < RSS_MARGIN_MB


@pytest.mark.integration
def test_memory_stays_flat_however_many_sessions_ask(app: App) -> None:
    rss = _rss_after(app, 2 * SESSIONS, {SESSIONS, 2 * SESSIONS}, None)  # one call, one session
    low, high = rss[SESSIONS], rss[2 * SESSIONS]
    print(f"\nRSS after {SESSIONS} one-call sessions {low:.1f} MiB, after {2 * SESSIONS} {high:.1f} MiB")
    assert high - low < RSS_MARGIN_MB, "the server keeps at most SESSIONS sessions"


def test_a_hung_llm_server_is_cut_off_and_named(app: App, silent_llm: str) -> None:
    started = time.perf_counter()
    with pytest.raises(LLMError, match=rf"'openai:any' at {re.escape(silent_llm)} failed: \w*TimeoutError"):
        app.assistant.ask(ANSWERABLE, llm="openai:any")
    assert time.perf_counter() - started < LLM_TIMEOUT + 5


def test_the_app_reports_a_hung_llm_and_keeps_answering(app: App, silent_llm: str) -> None:
    client = Client(app.url, verbose=False)
    started = time.perf_counter()
    with pytest.raises(Exception, match=re.escape(silent_llm)):  # noqa: B017 - gradio_client's AppError
        client.predict(ANSWERABLE, None, 5, "openai:any", api_name="/ask")
    assert time.perf_counter() - started < LLM_TIMEOUT + 10
    answer = client.predict(ANSWERABLE, None, 5, "none", api_name="/ask")
    assert answer["answer"] == app.expected[ANSWERABLE]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org", "127.0.0.1.nip.io"])
def test_the_app_will_not_listen_beyond_loopback_without_a_login(settings: Settings, host: str) -> None:
    port = free_port()
    with pytest.raises(ConfigError, match=f"Refusing to serve on {host} without a login"):
        serve(Assistant(settings=settings, embeddings=HashEmbeddings()), host, port)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.fixture
def locked_app(settings: Settings) -> Iterator[str]:
    """An app that needs a login; it lives for one test, as building it moves GRADIO_TEMP_DIR (process-wide)."""
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingestor.ingest_bytes(SEED.read_bytes(), SEED.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GRADIO_TEMP_DIR", raising=False)
        demo, url = _launch(assistant, auth="ann:s3cret-Pass")
        yield url
        demo.close()


@pytest.mark.parametrize(("user", "password"), [("ann", "wrong"), ("ann", ""), ("bob", "s3cret-Pass"), ("", "")])
def test_wrong_credentials_are_refused(locked_app: str, user: str, password: str) -> None:
    with httpx.Client(base_url=locked_app) as http:
        login = http.post("login", data={"username": user, "password": password})
        assert login.status_code in (400, 401, 422)
        assert http.post("gradio_api/call/ask", json={"data": [ANSWERABLE, None, 5, "none"]}).status_code == 401
        assert http.post("gradio_api/upload", files=[("files", ("a.txt", b"x"))]).status_code == 401
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain ValueError or HTTP error
        Client(locked_app, verbose=False, auth=(user, password))


def test_the_right_credentials_open_the_app(locked_app: str) -> None:
    with httpx.Client(base_url=locked_app) as http:
        assert http.post("login", data={"username": "ann", "password": "s3cret-Pass"}).status_code == 200
        event, data = _call(http, "ask", [ANSWERABLE, None, 5, "none"])
    assert event == "complete" and "Denisenko" in data[0]["answer"]


def _outside(home: Path) -> set[Path]:
    """Every file under the test's folder (BRIEF_HOME's parent) that is not in BRIEF_HOME/app or the index."""
    return {
        path
        for path in home.parent.rglob("*")
        if path.is_file() and not path.is_relative_to(home / "app") and not path.is_relative_to(home / "chroma")
    }


@pytest.mark.parametrize("name", ["../../escape.txt", "/tmp/escape.txt", "..\\..\\escape.txt", "a/../../escape.txt"])
def test_an_upload_name_cannot_write_outside_the_app_folder(app: App, name: str) -> None:
    before = _outside(app.home)
    with httpx.Client(base_url=app.url) as http:
        uploaded = http.post("gradio_api/upload", files=[("files", (name, b"The Minsk garrison held drills."))])
        assert uploaded.status_code == 200
        path = Path(uploaded.json()[0])
        assert path.parent.parent == app.home / "app" / "cache" and path.name.endswith("escape.txt")
        event, data = _call(http, "ingest", [[{"path": str(path), "meta": {"_type": "gradio.FileData"}}]])
    assert event == "complete" and data[1]["added"] + data[1]["unchanged"] == ["escape.txt"]
    assert _outside(app.home) == before and not Path("/tmp/escape.txt").exists()
    app.assistant.remove("escape.txt")


def test_an_upload_over_the_size_limit_is_refused(app: App) -> None:
    with httpx.Client(base_url=app.url) as http:
        response = http.post("gradio_api/upload", files=[("files", ("../big.txt", b"A long brief. " * 8000))])
    assert response.status_code == 413 and "maximum allowed size" in response.text
    assert not list((app.home / "app").rglob("big.txt"))


@pytest.mark.parametrize("target", ["/etc/passwd", "index", "readme"])
def test_the_endpoints_never_read_server_files(app: App, target: str) -> None:
    path = {
        "/etc/passwd": "/etc/passwd",
        "index": str(app.home / "chroma" / "chroma.sqlite3"),
        "readme": str(ROOT / "README.md"),
    }[target]
    sources = {d.source for d in app.assistant.documents()}
    file_data = {"path": path, "meta": {"_type": "gradio.FileData"}}
    with httpx.Client(base_url=app.url) as http:
        assert _call(http, "ingest", [[file_data]])[0] == "error"
        assert _call(http, "evaluate", [file_data, 5, "none"])[0] == "error"
        assert _call(http, "evaluate", [path, 5, "none"])[0] == "error"
        assert http.get(f"gradio_api/file={path}").status_code in (403, 404)
    assert {d.source for d in app.assistant.documents()} == sources
