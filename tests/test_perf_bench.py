from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.bench_perf import format_report, generate_briefs, run_perf, write_report
from assistant.cli import CliContext, main
from index import BriefStore, Ingestor, SentenceTransformerEmbeddings, Settings, chunk_document
from index.documents import SourceDocument

from .fakes import HashEmbeddings


class RecordingEmbeddings(HashEmbeddings):
    """Hash embeddings that remember every batch of texts they were asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return super().embed_documents(texts)


def _write_briefs(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate_briefs(count):
        paths.append(folder / name)
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def test_generated_briefs_are_deterministic_and_brief_sized() -> None:
    first = list(generate_briefs(5))
    assert first == list(generate_briefs(5))
    assert list(generate_briefs(2, start=3)) == first[3:5]
    assert list(generate_briefs(3, seed=8)) != first[:3]
    for name, text in first:
        assert name.endswith(".txt")
        assert 1_500 < len(text) < 6_000
        chunks = chunk_document(SourceDocument(name, text, name))
        assert 4 <= len(chunks) <= 20
        assert all(c.text.rstrip().endswith((".", "?")) for c in chunks[1:])


def test_documents_are_embedded_together_and_unchanged_text_is_not_reembedded(
    store: BriefStore, settings: Settings, tmp_path: Path
) -> None:
    embeddings = RecordingEmbeddings()
    ingestor = Ingestor(store, embeddings, settings)
    paths = _write_briefs(tmp_path / "corpus", 12)
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
    _write_briefs(tmp_path / "corpus", 3)
    broken = SentenceTransformerEmbeddings(str(tmp_path / "no-model-here"))
    report = Ingestor(store, broken, settings).ingest_paths([tmp_path / "corpus"])
    assert len(report.failed) == 3 and not report.added
    assert all("is not a local sentence-transformers model folder" in str(f) for f in report.failed)
    assert store.documents() == [] and store.chunks() == []


def test_perf_benchmark_at_a_small_size(settings: Settings, tmp_path: Path) -> None:
    progress: list[str] = []
    report = run_perf(
        HashEmbeddings(), settings, docs=20, sizes=(150, 400), queries=5, server=False, progress=progress.append
    )
    ingest = report["ingest"]
    assert ingest["documents"] == 20 and ingest["failed"] == 0 and ingest["chunks"] > 100
    assert ingest["ingest_vs_raw"] > 0 and ingest["reingest_unchanged_seconds"] >= 0
    rows = report["retrieval"]
    assert [(r["mode"], r["chunks"] >= size) for r, size in zip(rows, (150, 400), strict=True)] == [
        ("embedded", True),
        ("embedded", True),
    ]
    assert rows[0]["chunks"] < rows[1]["chunks"] < 600
    assert all(r["bm25_rebuilt_during_queries"] == 0 and r["hybrid"]["p95_ms"] >= r["hybrid"]["p50_ms"] for r in rows)
    assert report["memory"]["peak_rss_mb"] > 0 and report["memory"]["server_peak_rss_mb"] is None
    assert report["startup"]["brief_list_seconds"] > 0
    assert any("filling the store to 400 chunks" in line for line in progress)
    json_path, markdown_path = write_report(report, tmp_path / "out")
    assert json.loads(json_path.read_text(encoding="utf-8")) == report
    markdown = markdown_path.read_text(encoding="utf-8")
    assert markdown == format_report(report)
    assert "| embedded | " in markdown and "## Ingestion" in markdown


def test_bench_perf_command(settings: Settings, tmp_path: Path) -> None:
    context = CliContext(Assistant(settings=settings, embeddings=HashEmbeddings()))
    out = tmp_path / "report"
    args = ["bench", "perf", "--docs", "8", "--sizes", "100", "--queries", "3", "--no-server", "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--json"], obj=context)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ingest"]["documents"] == 8
    assert (out / "perf.json").exists() and (out / "perf.md").exists()
    bad = CliRunner().invoke(main, ["bench", "perf", "--sizes", "ten"], obj=context)
    assert bad.exit_code == 2 and "comma-separated list of chunk counts" in bad.output


def test_brief_list_loads_no_model_and_no_langchain(brief_home: Path) -> None:
    code = (
        "import sys; from assistant.cli import main\n"
        "before = {m for m in ('chromadb', 'langchain_core', 'torch') if m in sys.modules}\n"
        "main(['list'], standalone_mode=False)\n"
        "after = {m for m in ('langchain_core', 'torch', 'sentence_transformers') if m in sys.modules}\n"
        "print(sorted(before), sorted(after))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[] []"
    assert "No documents indexed yet" in result.stderr


@pytest.mark.integration
@pytest.mark.server
def test_perf_benchmark_with_the_real_model_and_a_server(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    report = run_perf(SentenceTransformerEmbeddings(), settings, docs=20, sizes=(200,), queries=5)
    assert report["machine"]["embedder"] == "all-MiniLM-L6-v2"
    assert 150 < report["ingest"]["chunks"] < 300 and report["ingest"]["raw_encode_chunks_per_s"] > 0
    assert [r["mode"] for r in report["retrieval"]] == ["embedded", "server"]
    assert all(r["chunks"] >= 200 and r["bm25_rebuilt_during_queries"] == 0 for r in report["retrieval"])
    assert report["memory"]["server_peak_rss_mb"] > 0
