"""The ``ollama:`` backend (langchain-ollama's ChatOllama) against a stand-in Ollama server on loopback.

The stand-in is a real HTTP server implementing the endpoint ChatOllama calls, ``POST /api/chat``: it streams
its reply as newline-delimited JSON like Ollama does, answering with the first passage of the prompt, cited,
the way a capable model would, and refuses unknown models with Ollama's 404.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from langchain_core.messages import HumanMessage

from assistant import Assistant
from assistant.cli import CliContext, main
from assistant.errors import LLMError
from assistant.llm import make_chat_model
from benchmarks import free_port
from index import Settings

from .fakes import HashEmbeddings

QUESTION = "Who is the commander of Belarusian Special Operations Forces?"


@dataclass
class StandIn:
    """What the stand-in server saw, and what it answers."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    models: tuple[str, ...] = ("tiny",)


def _reply(messages: list[dict[str, Any]]) -> str:
    """The first numbered passage of the last message, cited, or a greeting when there is none."""
    passage = re.search(r"^\[1\] (.+)$", str(messages[-1].get("content", "")), re.MULTILINE)
    return f"{passage.group(1)} [1]" if passage else "Hello from the stand-in."


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stand_in.requests.append({"path": self.path, **request})
            if request.get("model") not in stand_in.models:
                self._json(404, {"error": f"model '{request.get('model')}' not found"})
            elif self.path == "/api/chat":
                self._chat(request)
            else:
                self._json(404, {"error": f"no endpoint {self.path}"})

        def _chat(self, request: dict[str, Any]) -> None:
            """Stream the reply word by word (ChatOllama always asks for a stream)."""
            words = re.findall(r"\S+\s*", _reply(request["messages"]))
            done = {"done": True, "done_reason": "stop", "prompt_eval_count": 50, "eval_count": len(words)}
            parts = [{"message": {"role": "assistant", "content": word}, "done": False} for word in words]
            parts.append({"message": {"role": "assistant", "content": ""}, **done})
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            for part in parts:
                line = {"model": request["model"], "created_at": "2026-01-01T00:00:00Z", **part}
                self.wfile.write(json.dumps(line).encode() + b"\n")
                self.wfile.flush()

    return Handler


@pytest.fixture
def ollama() -> Iterator[StandIn]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    stand_in = StandIn(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(stand_in)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


def test_the_chat_model_streams_the_server_reply(ollama: StandIn) -> None:
    model = make_chat_model("ollama:tiny", Settings(llm_base_url=ollama.url))
    chunks = [str(chunk.content) for chunk in model.stream([HumanMessage(content="Say hello")])]
    assert "".join(chunks) == "Hello from the stand-in." and len([c for c in chunks if c]) == 4
    assert model.invoke([HumanMessage(content="Again")]).content == "Hello from the stand-in."
    chat = [r for r in ollama.requests if r["path"] == "/api/chat"]
    assert len(chat) == 2 and chat[0]["model"] == "tiny" and all(r["stream"] is True for r in chat)
    assert chat[0]["messages"] == [{"role": "user", "content": "Say hello"}]
    assert chat[0]["options"]["temperature"] == 0.0
    assert chat[0]["options"]["num_predict"] == 160  # the same reply limit as the embedded model


def test_an_answer_through_the_ollama_backend(ollama: StandIn, settings: Settings, seed_dir: Path) -> None:
    configured = settings.model_copy(update={"llm": "ollama:tiny", "llm_base_url": ollama.url})
    assistant = Assistant(settings=configured, embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    answer = assistant.ask(QUESTION)
    assert answer.model == f"ollama:tiny at {ollama.url}"
    assert not answer.refused and "Denisenko" in answer.answer
    assert any(QUESTION in str(m.get("content")) for r in ollama.requests for m in r.get("messages", []))
    for citation in answer.citations:
        assert assistant.store.text(citation.source)[citation.start : citation.end] == citation.quote


def test_an_overview_through_the_ollama_backend_sends_its_shorter_limit(
    ollama: StandIn, settings: Settings, seed_dir: Path
) -> None:
    """An overview limits its replies; Ollama takes a limit as ``num_predict``, never ``max_tokens``."""
    configured = settings.model_copy(update={"llm": "ollama:tiny", "llm_base_url": ollama.url})
    assistant = Assistant(settings=configured, embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    answer = assistant.ask("What is this brief about?")
    assert not answer.refused and answer.citations
    limits = {r["options"]["num_predict"] for r in ollama.requests if r["path"] == "/api/chat"}
    assert limits and 160 not in limits, limits  # each call its own limit, not the model default


def test_an_unknown_model_is_one_clear_error(ollama: StandIn, settings: Settings, seed_dir: Path) -> None:
    configured = settings.model_copy(update={"llm": "ollama:absent", "llm_base_url": ollama.url})
    assistant = Assistant(settings=configured, embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    with pytest.raises(LLMError, match=rf"'ollama:absent' at {ollama.url} failed: .*model 'absent' not found"):
        assistant.ask(QUESTION)


def test_an_unreachable_server_is_one_line_naming_the_url(settings: Settings, seed_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    configured = settings.model_copy(update={"llm": "ollama:tiny", "llm_base_url": url})
    assistant = Assistant(settings=configured, embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    with pytest.raises(LLMError, match=rf"The LLM backend 'ollama:tiny' at {url} failed: "):
        assistant.ask(QUESTION)
    result = CliRunner().invoke(main, ["ask", QUESTION], obj=CliContext(assistant))
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"Error: The LLM backend 'ollama:tiny' at {url} failed: ")
    assert "Check that the server is running" in result.stderr
