"""The benchmark report as Markdown, and both files (``perf.json``, ``perf.md``) written to a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["format_report", "write_report"]


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
