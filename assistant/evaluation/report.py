"""Present evaluation summaries: a terminal table, a Markdown report, a PNG chart, and the files of ``--out``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["format_table", "markdown_report", "metric_rows", "write_chart", "write_outputs"]

_METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("retrieval hit@1", "retrieval", "hit@1", "rate"),
    ("retrieval hit@3", "retrieval", "hit@3", "rate"),
    ("retrieval hit@5", "retrieval", "hit@5", "rate"),
    ("retrieval MRR", "retrieval", "mrr", "score"),
    ("answer exact match", "answer", "exact_match", "rate"),
    ("answer contains reference", "answer", "contains_reference", "rate"),
    ("answer token F1", "answer", "token_f1", "score"),
    ("citation precision", "citations", "precision", "rate"),
    ("citation recall", "citations", "recall", "rate"),
    ("refusal recall (unanswerable)", "refusal", "refusal_recall", "rate"),
    ("false refusals (answerable)", "refusal", "false_refusal_rate", "rate"),
    ("unsupported-claim rate (sentences)", "claims", "unsupported_rate", "rate"),
)


def _format(value: float | None, kind: str) -> str:
    if value is None:
        return "n/a"
    return {"rate": f"{100 * value:.1f}%", "score": f"{value:.3f}", "ms": f"{value:.1f}"}[kind]


def _stages(summaries: Sequence[dict[str, Any]]) -> list[str]:
    order = ["retrieve", "generate", "total"]
    found = {stage for s in summaries for stage in s["latency_ms"]}
    return [s for s in order if s in found] + sorted(found - set(order))


def metric_rows(summaries: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Return a header row (metric, one column per system), then one formatted row per metric."""
    rows = [["metric", *(s["system"] for s in summaries)]]
    rows += [[label, *(_format(s[group][key], kind) for s in summaries)] for label, group, key, kind in _METRICS]
    for stage in _stages(summaries):
        for p in ("p50", "p95"):
            values = [_format(s["latency_ms"].get(stage, {}).get(p), "ms") for s in summaries]
            rows.append([f"latency {stage} {p} (ms)", *values])
    return rows


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned plain-text columns; numbers right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _markdown_table(rows: Sequence[Sequence[str]]) -> str:
    escaped = [[cell.replace("|", "\\|").replace("\n", " ") for cell in row] for row in rows]
    header, body = escaped[0], escaped[1:]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in body])


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_report(summaries: Sequence[dict[str, Any]], testset: str) -> str:
    """Render the Markdown report: the metric table, then every question of the first system."""
    main = summaries[0]
    systems = ", ".join(f"{s['system']} ({s['model']})" for s in summaries)
    questions = [
        ["id", "type", "refused", "hit rank", "contains ref.", "F1", "answer"],
        *(
            [
                q["id"],
                q["type"],
                "yes" if q["refused"] else "no",
                str(q["hit_rank"] or "-"),
                {True: "yes", False: "no", None: "-"}[q["contains_reference"]],
                "-" if q["token_f1"] is None else f"{q['token_f1']:.2f}",
                _shorten(q["answer"]),
            ]
            for q in main["per_question"]
        ),
    ]
    return (
        f"# Evaluation of {testset}\n\n{main['n']} questions ({main['refusal']['answerable']} answerable, "
        f"{main['refusal']['unanswerable']} unanswerable). Systems: {systems}.\n\n"
        f"{_markdown_table(metric_rows(summaries))}\n\n![metrics](metrics.png)\n\n"
        f"## Questions ({main['system']})\n\n{_markdown_table(questions)}\n"
    )


def write_chart(summaries: Sequence[dict[str, Any]], path: Path) -> None:
    """Draw the quality metrics (left) and latency percentiles (right) as a PNG, one colour per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [label for label, *_ in _METRICS]
    stages = [(stage, p) for stage in _stages(summaries) for p in ("p50", "p95")]
    figure, (quality, latency) = plt.subplots(1, 2, figsize=(13, 6), gridspec_kw={"width_ratios": [3, 2]})
    height = 0.8 / len(summaries)
    for number, summary in enumerate(summaries):
        values = [summary[group][key] or 0.0 for _, group, key, _ in _METRICS]
        positions = [i + number * height for i in range(len(labels))]
        quality.barh(positions, values, height=height, label=summary["system"])
        times = [summary["latency_ms"].get(stage, {}).get(p) or 0.0 for stage, p in stages]
        latency.barh([i + number * height for i in range(len(stages))], times, height=height, label=summary["system"])
    offset = height * (len(summaries) - 1) / 2
    quality.set_yticks([i + offset for i in range(len(labels))], labels)
    quality.set_xlim(0, 1)
    quality.invert_yaxis()
    quality.set_title("Quality (fraction)")
    latency.set_yticks([i + offset for i in range(len(stages))], [f"{s} {p}" for s, p in stages])
    latency.invert_yaxis()
    latency.set_title("Latency (ms)")
    quality.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_outputs(out: Path, payload: dict[str, Any], summaries: Sequence[dict[str, Any]], testset: str) -> list[Path]:
    """Write ``report.json``, ``report.md`` and ``metrics.png`` into ``out`` (created); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / "metrics.png"]
    paths[0].write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(markdown_report(summaries, testset), encoding="utf-8")
    write_chart(summaries, paths[2])
    return paths
