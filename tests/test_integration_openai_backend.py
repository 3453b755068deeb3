"""The ``openai:`` backend against a real OpenAI-compatible server (llama.cpp's, serving the reader on loopback)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.model_pack import QWEN_CODER_1_5B, pack_path
from benchmarks import free_port, stop_process
from index import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def openai_server(model_cache: Path) -> Iterator[str]:
    pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server] (the dev extra)")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(pack_path(QWEN_CODER_1_5B, model_cache)),
            "--model_alias",
            "qwen",
        ]
        + ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the llama.cpp OpenAI-compatible server did not start within 120 s")
        yield url
    finally:
        stop_process(process, 10)


def test_openai_compatible_server_plugs_in_by_configuration(openai_server: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", llm="openai:qwen", llm_base_url=openai_server)
    assistant = Assistant(settings=settings)
    assistant.ingest([Path(__file__).resolve().parents[1] / "seeds"])
    answer = assistant.ask("When did Ukrainian forces launch drone attacks?")
    assert answer.model == f"openai:qwen at {openai_server}"
    assert not answer.refused and "October 27-28" in answer.answer
    for citation in answer.citations:
        assert assistant.store.text(citation.source)[citation.start : citation.end] == citation.quote
    refusal = assistant.ask("Which party won Georgia's 2024 parliamentary elections?")
    assert refusal.refused


def test_the_served_model_writes_no_more_than_the_embedded_one(openai_server: str) -> None:
    """llama.cpp's server reads ``max_tokens`` (not ``max_completion_tokens``): the reply stops at the same limit."""
    from langchain_core.messages import HumanMessage

    from assistant.llm import make_chat_model

    model = make_chat_model("openai:qwen", Settings(llm_base_url=openai_server))
    assert model is not None
    reply = model.bind(max_tokens=8).invoke([HumanMessage(content="Count from one to one hundred in words.")])
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] <= 8
