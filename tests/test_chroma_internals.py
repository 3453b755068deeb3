from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import chromadb
import pytest

from index import BriefStore, Ingestor, Settings, StoreError
from index.chroma_internals import ChromaFolder
from index.records import TextCache

from .fakes import HashEmbeddings


def test_an_unknown_chroma_version_is_one_clear_error(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chromadb, "__version__", "1.6.0")
    with pytest.raises(StoreError) as caught:
        BriefStore(settings).documents()
    message = str(caught.value)
    assert "brief does not know Chroma 1.6.0" in message and "pip install 'chromadb>=1.5,<1.6'" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("ALTER TABLE max_seq_id RENAME COLUMN seq_id TO position", "its table max_seq_id has no column seq_id"),
        ("ALTER TABLE embeddings_queue RENAME TO log", "has no table embeddings_queue"),
    ],
)
def test_a_chroma_schema_it_does_not_know_is_one_clear_error(
    settings: Settings, fake_embeddings: HashEmbeddings, tmp_path: Path, statement: str, named: str
) -> None:
    store = BriefStore(settings)
    assert store.documents() == []
    store.close()
    with closing(sqlite3.connect(settings.chroma_path / "chroma.sqlite3")) as database, database:
        database.execute(statement)
    with pytest.raises(StoreError, match=f"brief does not know Chroma {chromadb.__version__}: .*{named}"):
        ChromaFolder(settings.chroma_path).check()


class _CountingCollection:
    """The documents collection, counting the reads that fetch whole texts."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.text_reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.collection, name)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self.text_reads += "documents" in kwargs.get("include", ())
        return self.collection.get(*args, **kwargs)


def test_text_is_served_from_its_cache_without_fetching_the_document(
    store: BriefStore, fake_embeddings: HashEmbeddings, settings: Settings, seed_dir: Path, seed_text: str
) -> None:
    Ingestor(store, fake_embeddings, settings).ingest_paths([seed_dir])
    counting = _CountingCollection(store._documents)
    store._collections["documents"] = counting
    assert store.text("china-belarus-brief.txt") == seed_text
    assert store.text("china-belarus-brief.txt") == seed_text
    assert counting.text_reads == 1, "the second read comes from the cache"

    changed = seed_dir / "china-belarus-brief.txt"
    changed.write_text(seed_text + "\n\nA new closing paragraph.", encoding="utf-8")
    Ingestor(store, fake_embeddings, settings).ingest_paths([seed_dir])
    assert store.text("china-belarus-brief.txt").endswith("A new closing paragraph.")
    assert counting.text_reads == 2, "a new version is fetched once"
    with pytest.raises(StoreError, match="No document named 'missing.txt'"):
        store.text("missing.txt")
    assert counting.text_reads == 2, "an unknown source is refused from the committed records"


def test_the_text_cache_drops_the_least_recently_used_beyond_its_budget() -> None:
    cache = TextCache(budget=10)
    cache.put(("a", "1"), "aaaa")
    cache.put(("b", "1"), "bbbb")
    assert cache.get(("a", "1")) == "aaaa"  # a is now the most recently used
    cache.put(("c", "1"), "cccc")
    assert cache.get(("b", "1")) is None and cache.get(("a", "1")) == "aaaa" and cache.get(("c", "1")) == "cccc"
    cache.put(("big", "1"), "x" * 11)
    assert cache.get(("big", "1")) is None and len(cache) == 2, "a text over the whole budget is not kept"
