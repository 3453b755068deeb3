"""The app's background warm-up."""

from __future__ import annotations

from pathlib import Path

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
