"""``brief bench answers``: answer latency, cold start and memory of several backends, side by side in one run.

Each backend gets its own scratch index of the seed brief and goes through :func:`benchmarks.measure_answers`:
warm questions in this process, cold ``brief ask`` processes, and a running ``brief serve`` asked through its API
(whose peak memory is read from /proc). The backends are measured one after the other in the same run, so their
figures meet the same machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index import Settings

from .measure import Progress, measure_answers

__all__ = ["answer_rows", "compare_answers"]


def compare_answers(
    settings: Settings,
    llms: Sequence[str],
    warm: int = 10,
    cold: int = 3,
    app: int = 4,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The answer figures of each backend in ``llms``; ``settings.home`` must be an empty scratch folder."""
    reports = {}
    for llm in llms:
        home = Path(settings.home) / llm.replace(":", "-").replace("/", "-")
        reports[llm] = measure_answers(
            settings.model_copy(update={"home": home, "chroma_url": None}),
            warm_questions=warm,
            cold_runs=cold,
            app_questions=app,
            llm=llm,
            progress=progress,
        )
    return {"benchmark": "brief bench answers", "threads": settings.llm_threads, "backends": reports}


def _seconds(summary: dict[str, Any] | None) -> str:
    return f"{summary['p50_ms'] / 1000:.2f}" if summary and summary.get("n") else "n/a"


def _speed_cells(speeds: dict[str, float] | None) -> list[str]:
    if not speeds:
        return ["n/a"] * 3
    return [
        f"{speeds['prompt_tokens_per_answer']:.0f}",
        f"{speeds['prompt_tokens_per_s']:.0f}",
        f"{speeds['written_tokens_per_s']:.0f}",
    ]


def answer_rows(report: dict[str, Any]) -> list[list[str]]:
    """One row per backend: latencies, ``brief serve`` memory, and in-process llama.cpp's reading and writing.

    Latencies are warm first token and total, cold ``brief ask``, and an answer through ``brief serve``.
    """
    rows = [
        [
            "backend",
            "warm first token p50 (s)",
            "warm total p50 (s)",
            "cold `brief ask` p50 (s)",
            "`brief serve` peak memory (MiB)",
            "`brief serve` answer p50 (s)",
            "prompt tokens read per answer",
            "prompt read (tokens/s)",
            "written (tokens/s)",
        ]
    ]
    for llm, figures in report["backends"].items():
        app = figures.get("app") or {}
        rows.append(
            [
                llm,
                _seconds(figures["warm"]["first_token"]),
                _seconds(figures["warm"]["total"]),
                _seconds(figures["cold_cli"]["total"]),
                f"{app['peak_rss_mb']:.0f}" if app.get("peak_rss_mb") is not None else "n/a",
                _seconds(app.get("api_total")),
                *_speed_cells(figures["warm"].get("llama_cpp")),
            ]
        )
    return rows
