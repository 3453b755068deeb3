"""``brief bench perf`` (the :mod:`benchmarks` package): corpus, measurements, report and command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.cli import CliContext, main
from benchmarks import format_report, generate_briefs, measure_answers, run_perf, write_report
from index import SentenceTransformerEmbeddings, Settings, chunk_document
from index.documents import SourceDocument

from .fakes import HashEmbeddings


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
def test_bench_answers_compares_backends_side_by_side() -> None:
    """Two backends, each on its own scratch index: warm, cold `brief ask` and `brief serve` figures, one row each."""
    result = CliRunner().invoke(
        main,
        ["bench", "answers", "--llm", "none", "--llm", "embedded:smollm2", "--warm", "2", "--cold", "1", "--app", "1"]
        + ["--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report["backends"]) == ["none", "embedded:smollm2"]
    none, small = report["backends"]["none"], report["backends"]["embedded:smollm2"]
    assert none["warm"]["answered_by_the_model"] == 0 and small["warm"]["answered_by_the_model"] == 2
    for figures in (none, small):
        assert figures["cold_cli"]["total"]["n"] == 1 and figures["app"]["peak_rss_mb"] > 0
    # llama.cpp's own counters say how fast the in-process model read and wrote; a model-free backend has none.
    speeds = small["warm"]["llama_cpp"]
    assert none["warm"]["llama_cpp"] is None and speeds["prompt_tokens_per_answer"] > 20
    assert speeds["prompt_tokens_per_s"] > 0 and speeds["written_tokens_per_s"] > 0
    table = CliRunner().invoke(main, ["bench", "answers", "--llm", "none", "--warm", "1", "--cold", "1", "--app", "0"])
    assert table.exit_code == 0, table.output
    header, *_, row = table.stdout.splitlines()
    assert "`brief serve` peak memory" in header and row.split()[0] == "none" and row.split()[-1] == "n/a"
