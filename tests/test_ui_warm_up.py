"""The app's background warm-up."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant import Assistant
from index import Settings

from .fakes import HashEmbeddings


def test_app_warm_up_builds_the_bm25_index_once(settings: Settings, seed_dir: Path) -> None:
    from ui.app import warm_up

    assistant = Assistant(settings=settings.model_copy(update={"llm": "none"}), embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    warm_up(assistant)
    assert assistant.retriever.builds == 1
    assistant.ask("Who is Denisenko?", llm="none")
    assert assistant.retriever.builds == 1


def test_a_failed_warm_up_is_logged_not_swallowed(
    settings: Settings, seed_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from ui.app import warm_up

    assistant = Assistant(settings=settings.model_copy(update={"llm": "bogus"}), embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    with caplog.at_level(logging.DEBUG, logger="ui"):
        warm_up(assistant)
    warnings = [r for r in caplog.records if r.name == "ui.app" and r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "Warm-up failed, the first question will load the models: ConfigError: Unknown LLM backend 'bogus': "
        "use embedded, none, ollama:MODEL or openai:MODEL"
    ]
    assert any(r.exc_info for r in caplog.records if r.levelno == logging.DEBUG)


def test_a_warm_up_logs_its_time(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    from ui.app import warm_up

    assistant = Assistant(settings=settings.model_copy(update={"llm": "none"}), embeddings=HashEmbeddings())
    with caplog.at_level(logging.INFO, logger="ui"):
        warm_up(assistant)
    assert [r.getMessage().startswith("Warm-up done in ") for r in caplog.records if r.name == "ui.app"] == [True]
