"""Ingestion of many documents at once: one embedding batch, reused vectors, all-or-nothing failures."""

from __future__ import annotations

from pathlib import Path

from index import BriefStore, Ingestor, SentenceTransformerEmbeddings, Settings

from .fakes import HashEmbeddings, write_briefs


class RecordingEmbeddings(HashEmbeddings):
    """Hash embeddings that remember every batch of texts they were asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return super().embed_documents(texts)


def test_documents_are_embedded_together_and_unchanged_text_is_not_reembedded(
    store: BriefStore, settings: Settings, tmp_path: Path
) -> None:
    embeddings = RecordingEmbeddings()
    ingestor = Ingestor(store, embeddings, settings)
    paths = write_briefs(tmp_path / "corpus", 12)
    report = ingestor.ingest_paths([tmp_path / "corpus"])
    assert len(report.added) == 12 and report.reused == 0
    assert len(embeddings.batches) == 1 and len(embeddings.batches[0]) == report.chunks
    changed = paths[0].read_text(encoding="utf-8") + "\nA new closing paragraph about Minsk was added.\n"
    paths[0].write_text(changed, encoding="utf-8")
    embeddings.batches.clear()
    again = ingestor.ingest_paths([tmp_path / "corpus"])
    assert again.replaced == ["brief-000000.txt"] and len(again.unchanged) == 11
    assert embeddings.batches == [["A new closing paragraph about Minsk was added."]]
    assert again.reused == again.chunks - 1
    text = store.text("brief-000000.txt")
    chunks = [c for c in store.chunks() if c.source == "brief-000000.txt"]
    assert len(chunks) == again.chunks and all(text[c.start : c.end] == c.text for c in chunks)


def test_the_same_name_twice_in_one_call_keeps_the_last(store: BriefStore, settings: Settings, tmp_path: Path) -> None:
    for folder, words in (("one", "Drones struck depots."), ("two", "Moldova voted on October 20.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "note.txt").write_text(words, encoding="utf-8")
    report = Ingestor(store, HashEmbeddings(), settings).ingest_paths([tmp_path / "one", tmp_path / "two"])
    assert report.added == ["note.txt"] and report.replaced == ["note.txt"]
    assert [c.text for c in store.chunks()] == ["Moldova voted on October 20."]


def test_an_embedder_failure_fails_the_batch_and_writes_nothing(
    store: BriefStore, settings: Settings, tmp_path: Path
) -> None:
    write_briefs(tmp_path / "corpus", 3)
    broken = SentenceTransformerEmbeddings(str(tmp_path / "no-model-here"))
    report = Ingestor(store, broken, settings).ingest_paths([tmp_path / "corpus"])
    assert len(report.failed) == 3 and not report.added
    assert all("is not a local sentence-transformers model folder" in str(f) for f in report.failed)
    assert store.documents() == [] and store.chunks() == []
