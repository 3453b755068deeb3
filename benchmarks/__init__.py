"""``brief bench perf``: ingestion throughput, retrieval latency, memory and start-up time on this machine.

Everything runs in a temporary folder on generated data, never on the user's index:

* ingestion: a deterministic corpus of brief-sized documents (:mod:`benchmarks.corpus`) is ingested with the
  configured embedder, and the same chunks are then encoded directly by the model, so the two speeds compare
  like for like;
* retrieval: the store grows to each size with generated chunks carrying random unit vectors (the dense
  side only needs vectors; the BM25 side gets real sentences), then questions go through the hybrid
  retriever, in the embedded store and on a ``chroma run`` server (:mod:`benchmarks.processes`);
* memory: the process's peak resident set size (and the server's, when one ran);
* start-up: wall time of ``brief list`` in a fresh process;
* answers (``--answers``): the seed brief is indexed and seed questions are asked with the embedded LLM, warm
  (in this process, after a warm-up question: time to the first draft token and to the verified answer),
  cold (``brief ask`` in a fresh process each time) and through a running ``brief serve`` app, whose peak
  memory is read from /proc.

The measurements are in :mod:`benchmarks.measure`, the whole run in :mod:`benchmarks.perf`, and the Markdown
report in :mod:`benchmarks.report`. This package sits beside the runtime packages: ``brief bench perf``
imports it only when it runs.
"""

from .corpus import generate_briefs, generate_questions
from .measure import measure_answers, measure_app, measure_ingest, measure_retrieval
from .perf import DEFAULT_SIZES, run_perf
from .processes import ChromaServer, chroma_server, free_port, stop_process
from .report import format_report, write_report

__all__ = [
    "DEFAULT_SIZES",
    "ChromaServer",
    "chroma_server",
    "format_report",
    "free_port",
    "generate_briefs",
    "generate_questions",
    "measure_answers",
    "measure_app",
    "measure_ingest",
    "measure_retrieval",
    "run_perf",
    "stop_process",
    "write_report",
]
