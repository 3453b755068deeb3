"""``brief bench perf``: the whole benchmark in a temporary folder, returned as one report."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from index import BriefStore, Settings

from .measure import Progress, brief_list_seconds, measure_answers, measure_ingest, measure_retrieval, peak_rss_mb
from .processes import chroma_server

__all__ = ["DEFAULT_SIZES", "run_perf"]

DEFAULT_SIZES = (1_000, 10_000, 100_000)


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
        startup = {"brief_list_seconds": brief_list_seconds(work / "ingest"), "documents": ingest["documents"]}
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
        "memory": {"peak_rss_mb": peak_rss_mb(), "server_peak_rss_mb": server_rss},
        "startup": startup,
        "answers": answer_report,
        "seconds": round(time.perf_counter() - started, 1),
    }
