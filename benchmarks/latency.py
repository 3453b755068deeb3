"""``brief bench latency``: the reader's answer latency on this machine, thread counts side by side.

The seed brief is indexed in a scratch folder and its test-set questions are asked warm (after one warm-up
question), each question once per thread count in turn, so both settings meet the same load. Overviews ("What is
this brief about?") are timed the same way, each after an untimed question, so its prompt is read as a first
overview's is. The times are to the first draft token the model writes (what a user
first sees) and to the verified answer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from index import Settings

from .measure import SEED_BRIEF, SEED_TESTSET, latency_summary, stream_timings

__all__ = ["OVERVIEW", "latency_rows", "measure_latency"]

OVERVIEW = "What is this brief about?"


def measure_latency(
    settings: Settings,
    threads: Sequence[int] = (1, 2),
    questions: int = 12,
    overviews: int = 3,
    llm: str = "embedded",
    progress: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """Warm first-token and total seconds per thread count, for questions and for overviews.

    ``settings.home`` must be an empty scratch folder: the seed brief is indexed there.
    """
    from assistant.evaluation.testset import read_testset
    from assistant.service import Assistant

    base = Assistant(settings=settings)
    base.ingest([SEED_BRIEF])
    assistants = {
        count: Assistant(
            settings=settings.model_copy(update={"llm_threads": count}), embeddings=base.embeddings, store=base.store
        )
        for count in threads
    }
    asked = [q.question for q in read_testset(SEED_TESTSET).questions[: questions + 1]]
    samples: dict[int, dict[str, list[float]]] = {
        count: {"first": [], "total": [], "overview_first": [], "overview_total": []} for count in threads
    }
    load_before = os.getloadavg()[0]
    for count, assistant in assistants.items():
        if progress:
            progress(f"latency: loading the model with {count} thread(s) and a warm-up question")
        stream_timings(assistant, asked[0], llm)
    for number, question in enumerate(asked[1:], start=1):
        if progress:
            progress(f"latency: question {number}/{len(asked) - 1}")
        for count, assistant in assistants.items():
            first, total, _ = stream_timings(assistant, question, llm)
            samples[count]["total"].append(total)
            if first is not None:
                samples[count]["first"].append(first)
    for number in range(overviews):
        if progress:
            progress(f"latency: overview {number + 1}/{overviews}")
        for count, assistant in assistants.items():
            # A question first, so the overview's prompt is read afresh (llama.cpp would otherwise reuse it whole).
            stream_timings(assistant, asked[1 + number % (len(asked) - 1)], llm)
            first, total, _ = stream_timings(assistant, OVERVIEW, llm)
            samples[count]["overview_total"].append(total)
            if first is not None:
                samples[count]["overview_first"].append(first)
    return {
        "llm": llm,
        "questions": len(asked) - 1,
        "overviews": overviews,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "threads": {
            str(count): {name: latency_summary(values) for name, values in figures.items()}
            for count, figures in samples.items()
        },
    }


def _cell(summary: dict[str, Any], both: bool = True) -> str:
    if not summary.get("n"):
        return "n/a"
    p50, p95 = summary["p50_ms"] / 1000, summary["p95_ms"] / 1000
    return f"{p50:.2f} / {p95:.2f}" if both else f"{p50:.2f}"


def latency_rows(report: dict[str, Any]) -> list[list[str]]:
    """The report as table rows: one row per thread count, p50 and p95 seconds."""
    rows = [
        ["threads", "first token p50/p95 (s)", "total p50/p95 (s)", "overview: first text p50", "overview: total p50"]
    ]
    for count, figures in report["threads"].items():
        rows.append(
            [
                count,
                _cell(figures["first"]),
                _cell(figures["total"]),
                _cell(figures["overview_first"], both=False),
                _cell(figures["overview_total"], both=False),
            ]
        )
    return rows
