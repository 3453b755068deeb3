from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.bench_perf import format_report, generate_briefs, measure_answers, run_perf, write_report
from assistant.cli import CliContext, main
from assistant.llm import EmbeddedChatModel, make_chat_model
from index import BriefStore, ConfigError, Ingestor, SentenceTransformerEmbeddings, Settings, chunk_document
from index.documents import SourceDocument
from index.embeddings import SMALL_CALL, NumpyBertEncoder, resolve_model_path

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
    args = ["bench", "perf", "--docs", "8", "--sizes", "100", "--queries", "3", "--no-server", "--no-answers"]
    args += ["--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--json"], obj=context)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ingest"]["documents"] == 8 and report["answers"] is None
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


def test_embedded_model_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    default = make_chat_model("embedded", Settings())
    assert isinstance(default, EmbeddedChatModel) and (default.n_threads, default.n_ctx) == (1, 2048)
    monkeypatch.setenv("BRIEF_LLM_THREADS", "2")
    monkeypatch.setenv("BRIEF_LLM_CONTEXT", "1024")
    tuned = make_chat_model("embedded", Settings())
    assert isinstance(tuned, EmbeddedChatModel) and (tuned.n_threads, tuned.n_ctx) == (2, 1024)


def test_app_warm_up_builds_the_bm25_index_once(settings: Settings, seed_dir: Path) -> None:
    from ui.app import warm_up

    assistant = Assistant(settings=settings.model_copy(update={"llm": "none"}), embeddings=HashEmbeddings())
    assistant.ingest([seed_dir])
    warm_up(assistant)
    assert assistant.retriever.builds == 1
    assistant.ask("Who is Denisenko?", llm="none")
    assert assistant.retriever.builds == 1


def test_unknown_embedding_backend_is_refused() -> None:
    with pytest.raises(ConfigError, match="Unknown embedding backend"):
        SentenceTransformerEmbeddings(backend="cuda")


def test_the_numpy_encoder_refuses_models_it_cannot_run_exactly(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "mpnet", "hidden_act": "gelu"}))
    assert not NumpyBertEncoder.supports(tmp_path)
    with pytest.raises(ConfigError, match="cannot run the model"):
        _ = SentenceTransformerEmbeddings(str(tmp_path), backend="numpy").light


@pytest.mark.integration
def test_numpy_and_torch_encoders_give_the_same_vectors() -> None:
    bundled = resolve_model_path("all-MiniLM-L6-v2")
    assert NumpyBertEncoder.supports(bundled)
    texts = [text for _, text in generate_briefs(3)]
    texts += ["Who is Denisenko?", "drone", "Kyiv", "A" * 3000, "Минск и Брест", ""]
    light = SentenceTransformerEmbeddings(backend="numpy").embed_documents(texts)
    heavy = SentenceTransformerEmbeddings(backend="torch").embed_documents(texts)
    assert np.abs(np.asarray(light) - np.asarray(heavy)).max() < 1e-5


@pytest.mark.integration
def test_small_calls_never_load_torch_and_large_ones_do() -> None:
    embeddings = SentenceTransformerEmbeddings()
    embeddings.embed_query("Who is Denisenko?")
    embeddings.embed_documents([f"Sentence number {n} about Minsk." for n in range(SMALL_CALL - 1)])
    assert embeddings._model is None and embeddings.light is not None
    embeddings.embed_documents([f"Sentence number {n} about Minsk." for n in range(SMALL_CALL)])
    assert embeddings._model is not None


@pytest.mark.integration
def test_a_cold_ask_imports_neither_torch_nor_the_ui(brief_home: Path, seed_dir: Path) -> None:
    code = (
        "import sys; from assistant.cli import main\n"
        f"main(['ingest', {str(seed_dir)!r}], standalone_mode=False)\n"
        "main(['ask', 'Who is the commander of Belarusian Special Operations Forces?', '--llm', 'none'],"
        " standalone_mode=False)\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', 'gradio') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Denisenko" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.integration
def test_answer_timings_with_the_extractive_backend(settings: Settings) -> None:
    report = measure_answers(settings, warm_questions=3, cold_runs=1, app_questions=0, llm="none")
    warm, cold = report["warm"], report["cold_cli"]
    assert warm["questions"] == 3 and warm["answered_by_the_model"] == 0 and warm["first_token"] == {"n": 0}
    assert warm["total"]["n"] == 3 and warm["total"]["p95_ms"] >= warm["total"]["p50_ms"] > 0
    assert cold["total"]["n"] == 1 and cold["peak_rss_mb"] > 0 and report["app"] is None
    markdown = format_report(
        {
            "ingest": {key: 0 for key in ("documents", "chunks", "ingest_seconds", "ingest_chunks_per_s")}
            | {"raw_encode_chunks_per_s": 0, "ingest_vs_raw": 0, "ingest_cpu_seconds": 0}
            | {"raw_encode_cpu_seconds": 0, "ingest_vs_raw_cpu": 0, "reingest_unchanged_seconds": 0},
            "machine": {"cpus": 2, "platform": "x", "python": "3", "embedder": "e"}
            | {"load_average_at_start": [1.0], "load_average_at_end": [1.0]},
            "retrieval": [],
            "memory": {"peak_rss_mb": 1, "server_peak_rss_mb": None},
            "startup": {"brief_list_seconds": 0.5, "documents": 0},
            "seconds": 1,
            "answers": report,
        }
    )
    assert "| cold `brief ask`, total | 1 |" in markdown and "| warm, total | 3 |" in markdown


@pytest.mark.integration
def test_a_prompt_longer_than_the_context_window_still_gets_an_answer() -> None:
    from langchain_core.messages import HumanMessage

    model = EmbeddedChatModel(n_ctx=512, max_tokens=8)
    long_prompt = "Passages: " + " ".join(f"Brigade {n} moved to Minsk in May." for n in range(120)) + " Where?"
    reply = "".join(str(chunk.content) for chunk in model.stream([HumanMessage(content=long_prompt)]))
    assert reply.strip() and model._context == 8192
