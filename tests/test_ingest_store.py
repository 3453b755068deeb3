from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.cli import CliContext, main
from index import BriefStore, Ingestor, Settings

from .fakes import HashEmbeddings


@pytest.fixture
def ingestor(store: BriefStore, fake_embeddings: HashEmbeddings, settings: Settings) -> Ingestor:
    return Ingestor(store, fake_embeddings, settings)


def test_ingest_seed_then_reingest_adds_nothing(ingestor: Ingestor, store: BriefStore, seed_dir: Path) -> None:
    first = ingestor.ingest_paths([seed_dir])
    assert first.added == ["china-belarus-brief.txt"] and not first.failed
    chunks = store.chunks()
    assert len(chunks) == first.chunks > 5
    second = ingestor.ingest_paths([seed_dir])
    assert second.unchanged == ["china-belarus-brief.txt"] and second.chunks == 0
    assert [c.id for c in store.chunks()] == [c.id for c in chunks]


def test_chunks_point_at_exact_characters_of_stored_text(
    ingestor: Ingestor, store: BriefStore, seed_dir: Path, seed_text: str
) -> None:
    ingestor.ingest_paths([seed_dir])
    text = store.text("china-belarus-brief.txt")
    assert text == seed_text
    for chunk in store.chunks():
        assert text[chunk.start : chunk.end] == chunk.text


def test_changed_file_replaces_its_chunks(ingestor: Ingestor, store: BriefStore, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Drones struck depots. Trenches were cleared.", encoding="utf-8")
    ingestor.ingest_paths([path])
    path.write_text("Moldova voted on October 20. The court reviews it.", encoding="utf-8")
    report = ingestor.ingest_paths([path])
    assert report.replaced == ["note.txt"]
    texts = " ".join(c.text for c in store.chunks())
    assert "Moldova" in texts and "Drones" not in texts
    assert store.document("note.txt").chunks == len(store.chunks())  # type: ignore[union-attr]


def test_bad_files_fail_alone_and_lose_nothing(
    ingestor: Ingestor, store: BriefStore, seed_dir: Path, tmp_path: Path
) -> None:
    ingestor.ingest_paths([seed_dir])
    before = store.chunks()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    (bad / "good.md").write_text("# Good\n\nA fine brief about Kursk.", encoding="utf-8")
    report = ingestor.ingest_paths([bad, tmp_path / "missing.txt"])
    assert report.added == ["good.md"]
    reasons = sorted(str(f) for f in report.failed)
    assert len(reasons) == 3
    assert any("empty.txt: empty file" in r for r in reasons)
    assert any("latin.txt: not UTF-8" in r for r in reasons)
    assert any("missing.txt: no such file" in r for r in reasons)
    after = {c.id for c in store.chunks()}
    assert {c.id for c in before} <= after


def test_interrupted_write_is_invisible_and_repaired(
    ingestor: Ingestor, store: BriefStore, tmp_path: Path, fake_embeddings: HashEmbeddings
) -> None:
    from index import SourceDocument, chunk_document

    path = tmp_path / "n.txt"
    path.write_text("Old version sentence one. Old version sentence two.", encoding="utf-8")
    ingestor.ingest_paths([path])
    new = SourceDocument(source="n.txt", text="New text. Brand new.", title="n")
    chunks = chunk_document(new)
    # A crash after the chunks were written but before the document record was committed:
    store._chunks.upsert(
        ids=[c.id for c in chunks],
        embeddings=fake_embeddings.embed_documents([c.text for c in chunks]),
        documents=[c.text for c in chunks],
        metadatas=[
            {
                "source": c.source,
                "doc_sha256": c.doc_sha256,
                "start": c.start,
                "end": c.end,
                "paragraph": c.paragraph,
                "index": c.index,
            }
            for c in chunks
        ],
    )
    visible = " ".join(c.text for c in store.chunks())
    assert "Old version" in visible and "New text" not in visible
    assert all("New" not in h.chunk.text for h in store.search(fake_embeddings.embed_query("New text"), 5))
    assert store.repair() == len(chunks)
    assert store.repair() == 0


def test_remove(ingestor: Ingestor, store: BriefStore, seed_dir: Path) -> None:
    ingestor.ingest_paths([seed_dir])
    assert store.remove("china-belarus-brief.txt")
    assert store.documents() == [] and store.chunks() == []
    assert not store.remove("china-belarus-brief.txt")


@pytest.fixture
def runner_context(settings: Settings, fake_embeddings: HashEmbeddings) -> CliContext:
    return CliContext(Assistant(settings=settings, embeddings=fake_embeddings))


def test_cli_ingest_list_remove(runner_context: CliContext, seed_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", str(seed_dir)], obj=runner_context)
    assert result.exit_code == 0, result.output
    assert "Indexed 1 document(s)" in result.stdout
    listed = runner.invoke(main, ["list", "--json"], obj=runner_context)
    documents = json.loads(listed.stdout)
    assert documents[0]["source"] == "china-belarus-brief.txt" and documents[0]["chunks"] > 5
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    failed = runner.invoke(main, ["ingest", str(tmp_path / "bad.pdf"), str(seed_dir)], obj=runner_context)
    assert failed.exit_code == 1
    assert "bad.pdf: corrupt or unreadable PDF" in failed.stderr
    assert "1 unchanged, 1 failed" in failed.stdout
    removed = runner.invoke(main, ["remove", "china-belarus-brief.txt"], obj=runner_context)
    assert removed.exit_code == 0 and "Removed" in removed.stdout
    again = runner.invoke(main, ["remove", "china-belarus-brief.txt"], obj=runner_context)
    assert again.exit_code == 1 and "No document named" in again.stderr
