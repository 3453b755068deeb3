"""``brief bench perf``: ingestion throughput, retrieval latency, memory and start-up time on this machine.

Everything runs in a temporary folder on generated data, never on the user's index:

* ingestion: a deterministic corpus of brief-sized documents is ingested with the configured embedder, and
  the same chunks are then encoded directly by the model, so the two speeds compare like for like;
* retrieval: the store grows to each size with generated chunks carrying random unit vectors (the dense
  side only needs vectors; the BM25 side gets real sentences), then questions go through the hybrid
  retriever, in the embedded store and on a ``chroma run`` server;
* memory: the process's peak resident set size (and the server's, when one ran);
* start-up: wall time of ``brief list`` in a fresh process;
* answers (``--answers``): the seed brief is indexed and seed questions are asked with the embedded LLM, warm
  (in this process, after a warm-up question: time to the first draft token and to the verified answer),
  cold (``brief ask`` in a fresh process each time) and through a running ``brief serve`` app, whose peak
  memory is read from /proc.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.embeddings import Embeddings

from index import (
    BriefStore,
    ConfigError,
    Ingestor,
    SentenceTransformerEmbeddings,
    Settings,
    SourceDocument,
    chunk_document,
)

from .retrieval import HybridRetriever

__all__ = [
    "DEFAULT_SIZES",
    "ChromaServer",
    "chroma_server",
    "format_report",
    "generate_briefs",
    "measure_answers",
    "run_perf",
    "stop_process",
    "write_report",
]

DEFAULT_SIZES = (1_000, 10_000, 100_000)
ROOT = Path(__file__).resolve().parents[1]
SEED_BRIEF = ROOT / "seeds" / "china-belarus-brief.txt"
SEED_TESTSET = ROOT / "seeds" / "china-belarus-testset.jsonl"
_FILL_BATCH_DOCS = 100

Progress = Callable[[str], None]
_T = TypeVar("_T")

_COUNTRIES = (
    "Belarus China Russia Ukraine Moldova Georgia Kazakhstan Uzbekistan Poland Lithuania Latvia Estonia Finland "
    "Turkey Iran Syria Armenia Azerbaijan Serbia Hungary Romania Slovakia Mongolia Japan India"
).split()
_PLACES = (
    "Minsk Brest Grodno Gomel Kursk Belgorod Bryansk Kharkiv Odesa Kherson Zaporizhzhia Pokrovsk Chisinau "
    "Tbilisi Astana Tashkent Vilnius Riga Tallinn Warsaw Rzeszow Kaliningrad Sevastopol Mariupol Donetsk Luhansk "
    "Avdiivka Toretsk Kupiansk Lyman Sumy Chernihiv Mozyr Baranovichi Lida Polotsk Vitebsk Mogilev Orsha Pinsk"
).split()
_FIRST = (
    "Vadim Viktor Pavel Andrei Sergei Oleksandr Yuri Dmitri Nikolai Aleksandr Li Wang Zhang Chen Ivan Mikhail "
    "Olena Iryna Natalia Tatiana Maia Salome Kassym Shavkat Gitanas Edgars Alar Radoslaw Petr Boris"
).split()
_LAST = (
    "Denisenko Khrenin Volfovich Muraveiko Shoigu Gerasimov Syrskyi Budanov Zaluzhnyi Kovalenko Petrenko Sandu "
    "Kobakhidze Tokayev Mirziyoyev Nauseda Rinkevics Karis Duda Lukashenko Wei Jun Hao Ming Orlov Sidorov Melnyk"
).split()
_TITLES = (
    "Major General",
    "Lieutenant General",
    "Colonel",
    "Defence Minister",
    "Foreign Minister",
    "Chief of the General Staff",
    "spokesperson",
    "Deputy Commander",
    "Commander of Special Operations Forces",
    "intelligence chief",
)
_ORGS = (
    "the Institute for the Study of War",
    "the Ministry of Defence",
    "the General Staff",
    "the State Border Committee",
    "the Collective Security Treaty Organization",
    "the Shanghai Cooperation Organisation",
    "NATO",
    "the European Union",
    "the People's Liberation Army",
    "the Wagner Group",
    "Rosgvardia",
    "the Main Intelligence Directorate",
    "the OSCE monitoring mission",
    "the Security Service",
    "the National Guard",
)
_UNITS = (
    "airborne brigade",
    "motorised rifle division",
    "special operations detachment",
    "air defence regiment",
    "drone company",
    "engineering battalion",
    "border guard unit",
    "artillery brigade",
    "naval infantry brigade",
    "electronic warfare unit",
)
_THINGS = (
    "drone use",
    "trench clearing",
    "urban assault techniques",
    "electronic warfare",
    "air defence systems",
    "ammunition supplies",
    "artillery shells",
    "glide bombs",
    "long-range missiles",
    "grain exports",
    "energy infrastructure",
    "rail logistics",
    "satellite imagery",
    "sanctions evasion",
    "cyber operations",
    "disinformation campaigns",
    "border fortifications",
    "joint exercises",
    "military exchanges",
    "recruitment drives",
)
_VERBS = (
    "expanded",
    "observed",
    "reported",
    "confirmed",
    "denied",
    "intensified",
    "suspended",
    "announced",
    "studied",
    "coordinated",
    "deployed",
    "withdrew",
)
_MONTHS = "January February March April May June July August September October November December".split()
_SENTENCES = (
    "{person} said on {date} that {org} had {verb} {thing} near {place}.",
    "According to {person}, forces from {country} have {verb} {thing} over the past {number} months.",
    "{org} reported that a {unit} from {country} {verb} {thing} in the {place} region.",
    "Analysts at {org} believe {country} may be studying {thing} to improve its own {thing2}.",
    "Satellite images taken on {date} show at least {number} vehicles of a {unit} near {place}.",
    "Delegations from {country} and {country2} took part in {thing} near {place} in {month}.",
    "The {unit} was moved to {place} after {org} {verb} {thing} along the border with {country}.",
    "Officials in {place} described the situation as tense, and {org} said {thing} would continue.",
    "{person} told reporters that {country} would not accept further {thing} without consultations.",
    "Losses in the {place} direction reached {number} personnel and {number2} pieces of equipment, {org} said.",
    "The exercise, held near {place}, focused on {thing} and {thing2} under conditions of {thing3}.",
    "It remains unclear whether {country} will extend {thing} beyond {month}, {org} noted.",
)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_TITLES)} {rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _date(rng: random.Random) -> str:
    return f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(2021, 2025)}"


def _sentence(rng: random.Random) -> str:
    template = rng.choice(_SENTENCES)
    return template.format(
        person=_person(rng),
        date=_date(rng),
        org=rng.choice(_ORGS),
        verb=rng.choice(_VERBS),
        thing=rng.choice(_THINGS),
        thing2=rng.choice(_THINGS),
        thing3=rng.choice(_THINGS),
        place=rng.choice(_PLACES),
        country=rng.choice(_COUNTRIES),
        country2=rng.choice(_COUNTRIES),
        unit=rng.choice(_UNITS),
        number=rng.randint(2, 40),
        number2=rng.randint(10, 900),
        month=rng.choice(_MONTHS),
    )


def _brief(rng: random.Random) -> str:
    """One brief about the size of the seed brief: a title line, then five to seven paragraphs."""
    title = f"{rng.choice(_COUNTRIES)} and {rng.choice(_COUNTRIES)}: {rng.choice(_THINGS)} near {rng.choice(_PLACES)}"
    paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(3, 5))) for _ in range(rng.randint(5, 7))]
    return "\n\n".join([title, *paragraphs]) + "\n"


def generate_briefs(count: int, seed: int = 7, start: int = 0) -> Iterator[tuple[str, str]]:
    """``count`` generated briefs as (file name, text), the same for the same seed and start."""
    for number in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + number)
        yield f"brief-{number:06d}.txt", _brief(rng)


def _questions(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    shapes = (
        "What did {org} report about {thing} near {place}?",
        "Which {unit} was moved to {place}?",
        "Who is {first} {last}?",
        "Has {country} taken part in {thing}?",
        "What happened in {place} in {month}?",
    )
    return [
        rng.choice(shapes).format(
            org=rng.choice(_ORGS),
            thing=rng.choice(_THINGS),
            place=rng.choice(_PLACES),
            unit=rng.choice(_UNITS),
            first=rng.choice(_FIRST),
            last=rng.choice(_LAST),
            country=rng.choice(_COUNTRIES),
            month=rng.choice(_MONTHS),
        )
        for _ in range(count)
    ]


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    cut = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"p50_ms": round(cut[49], 2), "p95_ms": round(cut[94], 2)}


@dataclass(frozen=True)
class ChromaServer:
    """A running ``chroma run`` server."""

    url: str
    pid: int

    def peak_rss_mb(self) -> float | None:
        """The server's peak resident set size in MiB, where /proc tells it."""
        return _vm_hwm_mb(self.pid)


def _vm_hwm_mb(pid: int) -> float | None:
    """The peak resident set size of process ``pid`` in MiB, where /proc tells it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((row for row in status.splitlines() if row.startswith("VmHWM:")), None)
    return round(int(line.split()[1]) / 1024, 1) if line else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float, what: str, log_path: Path) -> None:
    """Wait until ``url`` answers 200; fail with the end of the server's log if it exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise ConfigError(f"{what} did not start on {url} within {timeout:.0f}s; its log ends:\n{tail}")
        time.sleep(0.2)


def stop_process(process: subprocess.Popen[Any], timeout: float) -> None:
    """Ask a child process to stop, and kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def chroma_server(path: Path, timeout: float = 60.0) -> Iterator[ChromaServer]:
    """Run ``chroma run`` on a free loopback port with its data in ``path``; stop it on exit."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if executable is None:
        raise ConfigError("The `chroma` command is not installed in this environment: pip install chromadb")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    path.mkdir(parents=True, exist_ok=True)
    log_path = path.parent / f"{path.name}-server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [executable, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    try:
        _wait_until_up(f"{url}/api/v2/heartbeat", process, timeout, "`chroma run`", log_path)
        yield ChromaServer(url, process.pid)
    finally:
        stop_process(process, 15)


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
        "peak_rss_mb": _peak_rss_mb(),
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
    asked = _questions(queries + 3)
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
                "peak_rss_mb": _peak_rss_mb(),
            }
        )
    return rows


def _brief_list_seconds(home: Path, runs: int = 3) -> float:
    """Median wall time of ``brief list --json`` in a fresh process against the index in ``home``."""
    command = _brief_command()
    env = {**os.environ, "BRIEF_HOME": str(home)}
    env.pop("BRIEF_CHROMA_URL", None)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*command, "list", "--json"], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def _brief_command() -> list[str]:
    script = Path(sys.executable).with_name("brief")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]


def _stream_timings(assistant: Any, question: str, llm: str) -> tuple[float | None, float, bool]:
    """(seconds to the first draft token or None when the model was not asked, total seconds, refused)."""
    from .citations import Answer

    started = time.perf_counter()
    first: float | None = None
    refused = False
    for event in assistant.stream(question, llm=llm):
        if isinstance(event, Answer):
            refused = event.refused
        elif first is None:
            first = time.perf_counter() - started
    return first, time.perf_counter() - started, refused


def _summary(samples_s: Sequence[float]) -> dict[str, float | int]:
    if not samples_s:
        return {"n": 0}
    ms = [s * 1000 for s in samples_s]
    return {"n": len(ms), **_percentiles(ms), "max_ms": round(max(ms), 2)}


def measure_app(home: Path, questions: Sequence[str], llm: str, timeout: float = 180.0) -> dict[str, Any]:
    """Start ``brief serve`` on the index in ``home``, ask ``questions`` through its API; its latency and memory."""
    from gradio_client import Client

    port = _free_port()
    env = {**os.environ, "BRIEF_HOME": str(home), "BRIEF_LLM": llm, "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("BRIEF_CHROMA_URL", None)
    log_path = home / "serve.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*_brief_command(), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, process, timeout, "`brief serve`", log_path)
        listening = time.perf_counter() - started
        client = Client(url, verbose=False)
        rss_idle = _vm_hwm_mb(process.pid)
        totals = []
        for question in questions:
            asked = time.perf_counter()
            client.predict(question, None, 5, llm, api_name="/ask")
            totals.append(time.perf_counter() - asked)
        return {
            "questions": len(questions),
            "listening_after_s": round(listening, 2),
            "api_total": _summary(totals[1:] or totals),
            "first_question_s": round(totals[0], 2) if totals else None,
            "peak_rss_mb_before_questions": rss_idle,
            "peak_rss_mb": _vm_hwm_mb(process.pid),
        }
    finally:
        stop_process(process, 20)


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
    from .evaluation.testset import read_testset
    from .service import Assistant

    questions = [item.question for item in read_testset(SEED_TESTSET).questions[: warm_questions + 1]]
    assistant = Assistant(settings=settings)
    assistant.ingest([SEED_BRIEF])
    if progress:
        progress(f"answers: {warm_questions} warm questions with --llm {llm}")
    load = os.getloadavg()[0]
    warm_up = _stream_timings(assistant, questions[0], llm)
    first_tokens, totals, refused = [], [], 0
    for question in questions[1:]:
        first, total, was_refused = _stream_timings(assistant, question, llm)
        totals.append(total)
        refused += was_refused
        if first is not None:
            first_tokens.append(first)
    warm = {
        "questions": len(totals),
        "answered_by_the_model": len(first_tokens),
        "refused": refused,
        "first_question_total_s": round(warm_up[1], 2),
        "first_token": _summary(first_tokens),
        "total": _summary(totals),
        "load_average_before": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    if progress:
        progress(f"answers: {cold_runs} cold `brief ask` processes")
    env = {**os.environ, "BRIEF_HOME": str(settings.home), "BRIEF_LLM": llm}
    env.pop("BRIEF_CHROMA_URL", None)
    cold_times = []
    load = os.getloadavg()[0]
    for question in questions[1 : cold_runs + 1]:
        started = time.perf_counter()
        subprocess.run([*_brief_command(), "ask", question], env=env, check=True, capture_output=True)
        cold_times.append(time.perf_counter() - started)
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cold = {
        "total": _summary(cold_times),
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
    return {"llm": llm, "warm": warm, "cold_cli": cold, "app": app, "peak_rss_mb": _peak_rss_mb()}


def _machine(embeddings: Embeddings) -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "embedder": getattr(embeddings, "model_name", type(embeddings).__name__),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    if "torch" in sys.modules:
        info["torch_threads"] = sys.modules["torch"].get_num_threads()
    return info


def run_perf(
    embeddings: Embeddings,
    settings: Settings,
    docs: int = 2_000,
    sizes: Sequence[int] = DEFAULT_SIZES,
    queries: int = 100,
    server: bool = True,
    progress: Progress | None = None,
    answers: bool = False,
    llm: str = "embedded",
) -> dict[str, Any]:
    """Run the whole benchmark in a temporary folder and return the report.

    ``answers`` adds :func:`measure_answers` (real embedder, ``llm``, the seed brief); it runs first, while
    this process is still small, so its memory figures are the app's and not the benchmark's.
    """
    started = time.perf_counter()
    machine = _machine(embeddings)
    with tempfile.TemporaryDirectory(prefix="brief-perf-") as folder:
        work = Path(folder)

        def isolated(name: str, url: str | None = None) -> Settings:
            return settings.model_copy(update={"home": work / name, "chroma_url": url})

        answer_report = measure_answers(isolated("answers"), llm=llm, progress=progress) if answers else None
        if progress:
            progress(f"ingesting {docs:,} generated briefs")
        ingest = measure_ingest(embeddings, isolated("ingest"), docs, work)
        startup = {"brief_list_seconds": _brief_list_seconds(work / "ingest"), "documents": ingest["documents"]}
        retrieval = measure_retrieval(
            BriefStore(isolated("embedded")), embeddings, sizes, queries, "embedded", progress
        )
        server_rss = None
        if server:
            with chroma_server(work / "server") as running:
                store = BriefStore(isolated("client", running.url))
                retrieval += measure_retrieval(store, embeddings, sizes, queries, "server", progress)
                server_rss = running.peak_rss_mb()
    return {
        "benchmark": "brief bench perf",
        "machine": {**machine, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "settings": {"docs": docs, "sizes": list(sizes), "queries": queries, "chunk_chars": settings.chunk_chars},
        "ingest": ingest,
        "retrieval": retrieval,
        "memory": {"peak_rss_mb": _peak_rss_mb(), "server_peak_rss_mb": server_rss},
        "startup": startup,
        "answers": answer_report,
        "seconds": round(time.perf_counter() - started, 1),
    }


def format_report(report: dict[str, Any]) -> str:
    """The report as Markdown."""
    ingest, machine = report["ingest"], report["machine"]
    lines = [
        "# brief performance",
        "",
        f"{machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}, embedder {machine['embedder']}; "
        f"load average {machine['load_average_at_start'][0]} at the start, "
        f"{machine['load_average_at_end'][0]} at the end.",
        "",
        "## Ingestion",
        "",
        "| documents | chunks | ingest s | ingest chunks/s | raw encode chunks/s | ingest / raw "
        "| CPU s: ingest / raw encode | ingest / raw by CPU time | re-ingest s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {ingest['documents']:,} | {ingest['chunks']:,} | {ingest['ingest_seconds']} | "
        f"{ingest['ingest_chunks_per_s']} | {ingest['raw_encode_chunks_per_s']} | {ingest['ingest_vs_raw']:.0%} | "
        f"{ingest['ingest_cpu_seconds']} / {ingest['raw_encode_cpu_seconds']} | {ingest['ingest_vs_raw_cpu']:.0%} | "
        f"{ingest['reingest_unchanged_seconds']} |",
        "",
        "## Retrieval latency, ms (k=5)",
        "",
        "hybrid = query embedding + dense search + BM25 + fusion; then the same questions again with their vectors",
        "known; then each part alone.",
        "",
        "| mode | chunks | hybrid p50 / p95 | hybrid, vector known p50 / p95 | dense p50 / p95 | BM25 p50 / p95 "
        "| embedding p50 / p95 | BM25 build ms | rebuilds while querying |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    parts = ("hybrid", "hybrid_query_vector_known", "dense", "bm25", "query_embedding")
    for row in report["retrieval"]:
        figures = " | ".join(f"{row[name]['p50_ms']} / {row[name]['p95_ms']}" for name in parts)
        lines.append(
            f"| {row['mode']} | {row['chunks']:,} | {figures} | {row['bm25_build_ms']:,} | "
            f"{row['bm25_rebuilt_during_queries']} |"
        )
    memory, startup = report["memory"], report["startup"]
    server_rss = memory["server_peak_rss_mb"]
    lines += [
        "",
        "## Memory and start-up",
        "",
        f"- peak RSS of the benchmark process: {memory['peak_rss_mb']} MiB"
        + (f"; of the Chroma server: {server_rss} MiB" if server_rss else ""),
        f"- `brief list` with {startup['documents']:,} documents indexed: {startup['brief_list_seconds']} s",
        f"- whole benchmark: {report['seconds']} s",
        "",
    ]
    if report.get("answers"):
        lines += _answer_lines(report["answers"])
    return "\n".join(lines)


def _ms(figures: dict[str, Any]) -> str:
    return f"{figures['p50_ms'] / 1000:.2f} / {figures['p95_ms'] / 1000:.2f}" if figures.get("n") else "-"


def _answer_lines(answers: dict[str, Any]) -> list[str]:
    warm, cold, app = answers["warm"], answers["cold_cli"], answers.get("app")
    lines = [
        f"## Answers on the seed brief, `--llm {answers['llm']}`",
        "",
        "| what | n | p50 / p95 s | load average before / after |",
        "| --- | ---: | ---: | ---: |",
        f"| warm, time to first draft token | {warm['first_token']['n']} | {_ms(warm['first_token'])} | "
        f"{warm['load_average_before']} / {warm['load_average_after']} |",
        f"| warm, total | {warm['total']['n']} | {_ms(warm['total'])} | "
        f"{warm['load_average_before']} / {warm['load_average_after']} |",
        f"| cold `brief ask`, total | {cold['total']['n']} | {_ms(cold['total'])} | "
        f"{cold['load_average_before']} / {cold['load_average_after']} |",
    ]
    if app and "skipped" in app:
        app = None
    if app:
        lines.append(
            f"| `brief serve` API, total | {app['api_total']['n']} | {_ms(app['api_total'])} | "
            f"{app['load_average_before']} / {app['load_average_after']} |"
        )
    lines += [
        "",
        f"- warm: {warm['questions']} seed questions after one warm-up, {warm['answered_by_the_model']} reached the "
        f"model, {warm['refused']} refused",
        f"- peak RSS of a cold `brief ask`: {cold['peak_rss_mb']} MiB",
    ]
    if app:
        lines.append(
            f"- `brief serve`: listening after {app['listening_after_s']} s; peak RSS {app['peak_rss_mb']} MiB "
            f"({app['peak_rss_mb_before_questions']} MiB before the first question)"
        )
    lines.append("")
    return lines


def write_report(report: dict[str, Any], out: Path) -> list[Path]:
    """Write ``perf.json`` and ``perf.md`` into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = out / "perf.json", out / "perf.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    markdown_path.write_text(format_report(report), encoding="utf-8")
    return [json_path, markdown_path]
