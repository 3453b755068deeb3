"""The embedded llama.cpp chat model: its settings and a prompt longer than its context window."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.llm import EmbeddedChatModel, make_chat_model
from assistant.model_pack import QWEN_CODER_1_5B
from index import Settings


def test_embedded_model_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    default = make_chat_model("embedded", Settings())
    assert isinstance(default, EmbeddedChatModel) and (default.n_threads, default.n_ctx) == (2, 2048)
    monkeypatch.setenv("BRIEF_LLM_THREADS", "1")
    monkeypatch.setenv("BRIEF_LLM_CONTEXT", "1024")
    tuned = make_chat_model("embedded", Settings())
    assert isinstance(tuned, EmbeddedChatModel) and (tuned.n_threads, tuned.n_ctx) == (1, 1024)


@pytest.mark.integration
def test_a_model_without_a_named_cache_uses_the_configured_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path
) -> None:
    """Not the working folder: a test or a script run from the repository must not assemble 1.1 GB there."""
    monkeypatch.chdir(tmp_path)
    path = EmbeddedChatModel().model_file()
    assert path.parent == model_cache and path.stat().st_size == QWEN_CODER_1_5B.size
    assert not list(tmp_path.iterdir())


@pytest.mark.integration
def test_a_prompt_longer_than_the_context_window_still_gets_an_answer() -> None:
    from langchain_core.messages import HumanMessage

    model = EmbeddedChatModel(n_ctx=512, max_tokens=8)  # the pack comes from BRIEF_MODEL_CACHE
    long_prompt = "Passages: " + " ".join(f"Brigade {n} moved to Minsk in May." for n in range(120)) + " Where?"
    reply = "".join(str(chunk.content) for chunk in model.stream([HumanMessage(content=long_prompt)]))
    assert reply.strip() and model._context == 8192


@pytest.mark.integration
def test_a_new_process_starts_from_the_saved_prompt_state(tmp_path: Path, model_cache: Path) -> None:
    """The first reply saves llama.cpp's state; a new model loads it and replies the same; a bad file is dropped."""
    from langchain_core.messages import HumanMessage, SystemMessage

    cache = tmp_path / "cache"
    cache.mkdir()
    verified = EmbeddedChatModel(model_cache=str(model_cache)).model_file()
    for path in (verified, verified.with_name(verified.name + ".verified")):
        (cache / path.name).symlink_to(path)
    messages = [
        SystemMessage(content="You answer in one short sentence."),
        HumanMessage(content="Sentences:\n[1] Thirteen aircraft were seen on Monday.\n\nQuestion: How many aircraft?"),
    ]

    def reply(model: EmbeddedChatModel) -> str:
        return "".join(str(chunk.content) for chunk in model.stream(messages))

    first = EmbeddedChatModel(model_cache=str(cache), max_tokens=16)
    assert not list(cache.glob("*.state.npz"))
    answer = reply(first)
    (saved,) = cache.glob("*.state.npz")
    assert "llama-cpp-" in saved.name and ".ctx2048." in saved.name
    second = EmbeddedChatModel(model_cache=str(cache), max_tokens=16)
    restored = second._model().n_tokens
    assert restored > 0, "the saved tokens are loaded before any prompt is read"
    second.warm_up()
    assert second._model().n_tokens == restored, "the warm-up completion does not throw the loaded state away"
    assert reply(second) == answer
    saved.write_bytes(b"not a state")
    third = EmbeddedChatModel(model_cache=str(cache), max_tokens=16)
    assert reply(third) == answer and list(cache.glob("*.state.npz")) == [saved]  # dropped, then saved afresh
    assert saved.stat().st_size > 1_000_000
