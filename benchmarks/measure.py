"""The benchmark's measurements: ingestion against the bare encoder, hybrid retrieval latency, answer latency."""

from __future__ import annotations

import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.embeddings import Embeddings

from assistant.retrieval import HybridRetriever
from index import BriefStore, Ingestor, SentenceTransformerEmbeddings, Settings, SourceDocument, chunk_document

from .corpus import generate_briefs, generate_questions
from .processes import brief_command, free_port, stop_process, vm_hwm_mb, wait_until_up

if TYPE_CHECKING:
    from assistant.service import Assistant

__all__ = [
    "SEED_BRIEF",
    "SEED_TESTSET",
    "Progress",
    "brief_list_seconds",
    "latency_summary",
    "measure_answers",
    "measure_app",
    "measure_ingest",
    "measure_retrieval",
    "peak_rss_mb",
    "stream_timings",
]

ROOT = Path(__file__).resolve().parents[1]
SEED_BRIEF = ROOT / "seeds" / "china-belarus-brief.txt"
SEED_TESTSET = ROOT / "seeds" / "china-belarus-testset.jsonl"
_FILL_BATCH_DOCS = 100

Progress = Callable[[str], None]
_T = TypeVar("_T")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cut = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"p50_ms": round(cut[49], 2), "p95_ms": round(cut[94], 2)}


def _raw_encoder(embeddings: Embeddings) -> Callable[[list[str]], object]:
    """The model's own batch encoder, without brief around it (the embedder itself when it has no model)."""
    if isinstance(embeddings, SentenceTransformerEmbeddings):
        model, batch_size = embeddings.model, embeddings.batch_size
        return lambda texts: model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    return embeddings.embed_documents


def measure_ingest(embeddings: Embeddings, settings: Settings, docs: int, workdir: Path) -> dict[str, Any]:
    """Ingest ``docs`` generated briefs into an empty store, then encode the same chunks with the bare model."""
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True)
    for name, text in generate_briefs(docs):
        (corpus / name).write_text(text, encoding="utf-8")
    store = BriefStore(settings)
    ingestor = Ingestor(store, embeddings, settings)
    encode = _raw_encoder(embeddings)
    encode(["Warm-up sentence so that model loading is not timed."])
    cpu = time.process_time()
    report = ingestor.ingest_paths([corpus])
    ingest_cpu = time.process_time() - cpu
    texts = [chunk.text for chunk in store.chunks()]
    started, cpu = time.perf_counter(), time.process_time()
    encode(texts)
    raw_seconds, raw_cpu = time.perf_counter() - started, time.process_time() - cpu
    again = ingestor.ingest_paths([corpus])
    ingest_rate = report.chunks / report.seconds
    raw_rate = len(texts) / raw_seconds
    return {
        "documents": report.documents,
        "failed": len(report.failed),
        "chunks": report.chunks,
        "characters": sum(len(t) for t in texts),
        "ingest_seconds": round(report.seconds, 2),
        "ingest_chunks_per_s": round(ingest_rate, 1),
        "raw_encode_seconds": round(raw_seconds, 2),
        "raw_encode_chunks_per_s": round(raw_rate, 1),
        "ingest_vs_raw": round(ingest_rate / raw_rate, 3),
        "ingest_cpu_seconds": round(ingest_cpu, 2),
        "raw_encode_cpu_seconds": round(raw_cpu, 2),
        "ingest_vs_raw_cpu": round(raw_cpu / ingest_cpu, 3),
        "reingest_unchanged_seconds": round(again.seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
    }


def _fill(store: BriefStore, target: int, start_doc: int, dimensions: int) -> int:
    """Grow ``store`` to at least ``target`` chunks of generated briefs with random unit vectors.

    Returns the number of the next unused generated brief.
    """
    import numpy as np

    rng = np.random.default_rng(start_doc)
    have = sum(info.chunks for info in store.committed().values())
    number = start_doc
    while have < target:
        batch = []
        for name, text in generate_briefs(_FILL_BATCH_DOCS, seed=13, start=number):
            document = SourceDocument(source=name, text=text, title=text.split("\n", 1)[0])
            chunks = chunk_document(document, store.settings.chunk_chars)
            vectors = rng.standard_normal((len(chunks), dimensions)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            batch.append((document, chunks, vectors.tolist()))
            have += len(chunks)
            number += 1
            if have >= target:
                break
        store.write_many(batch)
    return number


def _latencies_ms(action: Callable[[_T], object], inputs: Sequence[_T]) -> list[float]:
    """Wall time of ``action`` on each input, in milliseconds."""
    samples = []
    for item in inputs:
        started = time.perf_counter()
        action(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


class _RememberedQueries(Embeddings):
    """Embeds through another embedder and remembers each question's vector."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.vectors: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (not remembered)."""
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        """The question's vector, computed on its first use."""
        if text not in self.vectors:
            self.vectors[text] = self.inner.embed_query(text)
        return self.vectors[text]


def measure_retrieval(
    store: BriefStore,
    embeddings: Embeddings,
    sizes: Sequence[int],
    queries: int,
    mode: str,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Latency of hybrid retrieval (and of its dense, lexical and query-embedding parts) at each size.

    Each question is asked twice: first as a new question (its embedding is computed), then again with its
    vector remembered, which is the cost of retrieval itself.
    """
    asked = generate_questions(queries + 3)
    questions, warm_up = asked[:queries], asked[queries:]
    dimensions = len(embeddings.embed_query(warm_up[0]))
    rows = []
    next_doc = 0
    for size in sorted(sizes):
        if progress:
            progress(f"{mode}: filling the store to {size:,} chunks")
        started = time.perf_counter()
        next_doc = _fill(store, size, next_doc, dimensions)
        fill_seconds = time.perf_counter() - started
        remembered = _RememberedQueries(embeddings)
        retriever = HybridRetriever(store=store, embeddings=remembered, k=5)
        started = time.perf_counter()
        lexical = retriever.lexical_index()
        build_ms = (time.perf_counter() - started) * 1000
        for question in warm_up:
            retriever.passages(question)
        total = _latencies_ms(retriever.passages, questions)
        cached = _latencies_ms(retriever.passages, questions)
        vectors = [remembered.embed_query(q) for q in questions]
        dense = _latencies_ms(partial(store.search, k=20), vectors)
        bm25 = _latencies_ms(partial(lexical.search, k=40), questions)
        embed = _latencies_ms(embeddings.embed_query, questions)
        rows.append(
            {
                "mode": mode,
                "chunks": sum(info.chunks for info in store.committed().values()),
                "queries": len(questions),
                "fill_seconds": round(fill_seconds, 1),
                "bm25_build_ms": round(build_ms, 1),
                "bm25_rebuilt_during_queries": retriever.builds - 1,
                "hybrid": _percentiles(total),
                "hybrid_query_vector_known": _percentiles(cached),
                "dense": _percentiles(dense),
                "bm25": _percentiles(bm25),
                "query_embedding": _percentiles(embed),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    return rows


def brief_list_seconds(home: Path, runs: int = 3) -> float:
    """Median wall time of ``brief list --json`` in a fresh process against the index in ``home``."""
    command = brief_command()
    env = {**os.environ, "BRIEF_HOME": str(home)}
    env.pop("BRIEF_CHROMA_URL", None)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*command, "list", "--json"], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def stream_timings(assistant: Assistant, question: str, llm: str) -> tuple[float | None, float, bool]:
    """Time one streamed answer: (seconds to its first draft token, total seconds, whether it was refused).

    The first is None when no draft text came before the answer.
    """
    from assistant.citations import Answer

    started = time.perf_counter()
    first: float | None = None
    refused = False
    for event in assistant.stream(question, llm=llm):
        if isinstance(event, Answer):
            refused = event.refused
        elif first is None:
            first = time.perf_counter() - started
    return first, time.perf_counter() - started, refused


def latency_summary(samples_s: Sequence[float]) -> dict[str, float | int]:
    """The count, percentiles and maximum, in milliseconds, of latencies given in seconds."""
    if not samples_s:
        return {"n": 0}
    ms = [s * 1000 for s in samples_s]
    return {"n": len(ms), **_percentiles(ms), "max_ms": round(max(ms), 2)}


def measure_app(home: Path, questions: Sequence[str], llm: str, timeout: float = 180.0) -> dict[str, Any]:
    """Start ``brief serve`` on the index in ``home``, ask ``questions`` through its API; its latency and memory."""
    from gradio_client import Client

    port = free_port()
    env = {**os.environ, "BRIEF_HOME": str(home), "BRIEF_LLM": llm, "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("BRIEF_CHROMA_URL", None)
    log_path = home / "serve.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*brief_command(), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, process, timeout, "`brief serve`", log_path)
        listening = time.perf_counter() - started
        client = Client(url, verbose=False)
        rss_idle = vm_hwm_mb(process.pid)
        totals = []
        for question in questions:
            asked = time.perf_counter()
            client.predict(question, None, 5, llm, api_name="/ask")
            totals.append(time.perf_counter() - asked)
        return {
            "questions": len(questions),
            "listening_after_s": round(listening, 2),
            "api_total": latency_summary(totals[1:] or totals),
            "first_question_s": round(totals[0], 2) if totals else None,
            "peak_rss_mb_before_questions": rss_idle,
            "peak_rss_mb": vm_hwm_mb(process.pid),
        }
    finally:
        stop_process(process, 20)


def _speeds(counters: dict[str, float] | None, answers: int) -> dict[str, float] | None:
    """In-process llama.cpp's reading and writing speeds over the warm answers (None for other backends)."""
    if not counters or not answers or not counters["prompt_s"] or not counters["write_s"]:
        return None
    return {
        "prompt_tokens_per_answer": round(counters["prompt_tokens"] / answers, 1),
        "prompt_tokens_per_s": round(counters["prompt_tokens"] / counters["prompt_s"], 1),
        "written_tokens_per_s": round(counters["written_tokens"] / counters["write_s"], 1),
    }


def measure_answers(
    settings: Settings,
    warm_questions: int = 20,
    cold_runs: int = 3,
    app_questions: int = 6,
    llm: str = "embedded",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Answer latency on the seed brief with the real embedder and ``llm``: warm, cold CLI, and in the app.

    ``settings.home`` must be an empty scratch folder: the seed brief is indexed there.
    """
    from assistant.evaluation.testset import read_testset
    from assistant.llm import EmbeddedChatModel
    from assistant.service import Assistant

    questions = [item.question for item in read_testset(SEED_TESTSET).questions[: warm_questions + 1]]
    assistant = Assistant(settings=settings)
    assistant.ingest([SEED_BRIEF])
    if progress:
        progress(f"answers: {warm_questions} warm questions with --llm {llm}")
    load = os.getloadavg()[0]
    warm_up = stream_timings(assistant, questions[0], llm)
    model = assistant.chat_model(llm)
    embedded = model if isinstance(model, EmbeddedChatModel) else None
    if embedded is not None:
        embedded.take_counters()  # from here on: the warm answers only
    first_tokens, totals, refused = [], [], 0
    for question in questions[1:]:
        first, total, was_refused = stream_timings(assistant, question, llm)
        totals.append(total)
        refused += was_refused
        if first is not None:
            first_tokens.append(first)
    read = embedded.take_counters() if embedded is not None else None
    warm = {
        "questions": len(totals),
        "answered_by_the_model": len(first_tokens),
        "refused": refused,
        "first_question_total_s": round(warm_up[1], 2),
        "first_token": latency_summary(first_tokens),
        "total": latency_summary(totals),
        "load_average_before": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "llama_cpp": _speeds(read, len(first_tokens)),
    }
    if progress:
        progress(f"answers: {cold_runs} cold `brief ask` processes")
    env = {**os.environ, "BRIEF_HOME": str(settings.home), "BRIEF_LLM": llm}
    env.pop("BRIEF_CHROMA_URL", None)
    cold_times = []
    load = os.getloadavg()[0]
    for question in questions[1 : cold_runs + 1]:
        started = time.perf_counter()
        subprocess.run([*brief_command(), "ask", question], env=env, check=True, capture_output=True)
        cold_times.append(time.perf_counter() - started)
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cold = {
        "total": latency_summary(cold_times),
        "runs_s": [round(t, 2) for t in cold_times],
        "peak_rss_mb": round(children_peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1),
        "load_average_before": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    app: dict[str, Any] | None = None
    if app_questions and importlib.util.find_spec("gradio_client") is None:
        app = {"skipped": "gradio_client is not installed (pip install 'brief[dev]')"}
    elif app_questions:
        if progress:
            progress(f"answers: `brief serve` with {app_questions} questions through its API")
        load = os.getloadavg()[0]
        app = measure_app(settings.home, questions[1 : app_questions + 1], llm)
        app["load_average_before"] = round(load, 2)
        app["load_average_after"] = round(os.getloadavg()[0], 2)
    return {"llm": llm, "warm": warm, "cold_cli": cold, "app": app, "peak_rss_mb": peak_rss_mb()}
