from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from index import Settings

pytestmark = pytest.mark.integration


def test_real_model_and_chroma_index_the_seed(settings: Settings, seed_dir: Path) -> None:
    assistant = Assistant(settings=settings)
    report = assistant.ingest([seed_dir])
    assert report.added == ["china-belarus-brief.txt"]
    vector = assistant.embeddings.embed_query("North Korean units in Kursk")
    assert len(vector) == 384
    hits = assistant.store.search(vector, 3)
    assert "North Korean units" in hits[0].chunk.text
    passages = assistant.retriever.passages("Who is the commander of Belarusian Special Operations Forces?", 3)
    assert "Denisenko" in passages[0].chunk.text
    reopened = Assistant(settings=Settings(home=settings.home))
    assert [d.source for d in reopened.documents()] == ["china-belarus-brief.txt"]
