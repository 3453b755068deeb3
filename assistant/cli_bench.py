"""``brief bench``: benchmarks anyone can rerun: RGB, latency, performance, the detectors, entities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .cli_common import CliContext, emit_json, k_option, llm_option, pass_context

__all__ = ["bench"]


@click.group()
def bench() -> None:
    """Benchmarks: a public data set through retrieval and answering (rgb), and this machine's speed (perf)."""


@bench.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(1), help="Ask only the first N queries (the pool keeps every snippet).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures and every answer as JSON.")
@click.option(
    "--protocol",
    type=click.Choice(["pooled", "paper"]),
    default="pooled",
    show_default=True,
    help="pooled: every snippet in one index; paper: five given documents at noise 0, 0.4, 0.8, and five negatives.",
)
@llm_option
@k_option
@pass_context
def rgb(
    context: CliContext, path: Path, limit: int | None, as_json: bool, protocol: str, llm: str | None, k: int | None
) -> None:
    """RGB (Chen et al., 2024): answer accuracy and negative rejection, pooled or as the paper gives documents."""
    from .evaluation import format_table, rgb_rows, run_rgb

    result = run_rgb(context.assistant, path, limit=limit, k=k, llm=llm, protocol=protocol)
    if as_json:
        emit_json(result)
    else:
        click.echo(format_table(rgb_rows(result)))


@bench.command(name="suspect")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--texts",
    "texts",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Also count flagged sentences of ordinary texts: .txt/.md files, folders, or .jsonl (every long string).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures and every error as JSON.")
def bench_suspect(path: Path | None, texts: tuple[Path, ...], as_json: bool) -> None:
    """Precision and recall of the suspect-text detector on a labelled set (default: the one in tests/data)."""
    from .evaluation import SUSPECT_SET, read_labelled, scan_texts, score_detector, suspect_report

    scores = score_detector(read_labelled(path or SUSPECT_SET))
    scanned = scan_texts(list(texts)) if texts else None
    if as_json:
        emit_json({**scores, **({"texts": scanned} if scanned else {})})
    else:
        click.echo(suspect_report(scores, scanned))


@bench.command(name="conflicts")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures and every false alarm as JSON.")
def bench_conflicts(path: Path, as_json: bool) -> None:
    """Conflicts found among RGB's agreeing passages (false alarms), and once its changed passages are added."""
    from .evaluation import conflicts_report, score_conflicts

    scores = score_conflicts(path)
    emit_json(scores) if as_json else click.echo(conflicts_report(scores))


@bench.command()
@click.option("--threads", default="1,2", show_default=True, help="Thread counts of the embedded model to compare.")
@click.option("--questions", default=12, show_default=True, type=click.IntRange(1), help="Seed questions per setting.")
@click.option("--overviews", default=3, show_default=True, type=click.IntRange(0), help="Overviews per setting.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@llm_option
@pass_context
def latency(context: CliContext, threads: str, questions: int, overviews: int, as_json: bool, llm: str | None) -> None:
    """Warm answer latency of the reader on the seed brief, thread counts side by side (temporary data only)."""
    import tempfile

    from benchmarks.latency import latency_rows, measure_latency

    from .evaluation import format_table

    try:
        counts = tuple(int(part) for part in threads.split(","))
    except ValueError:
        raise click.BadParameter(f"{threads!r} is not a comma-separated list of thread counts, e.g. 1,2") from None
    with tempfile.TemporaryDirectory(prefix="brief-latency-") as home:
        settings = context.assistant.settings.model_copy(update={"home": Path(home), "chroma_url": None})
        report = measure_latency(
            settings, counts, questions, overviews, llm or "embedded", lambda text: click.echo(text, err=True)
        )
    emit_json(report) if as_json else click.echo(format_table(latency_rows(report)))


@bench.command()
@click.option(
    "--llm",
    "llms",
    multiple=True,
    default=("embedded", "embedded:smollm2"),
    show_default=True,
    help="Backends to compare (repeatable).",
)
@click.option("--warm", default=10, show_default=True, type=click.IntRange(1), help="Warm questions per backend.")
@click.option("--cold", default=3, show_default=True, type=click.IntRange(1), help="Cold `brief ask` runs per backend.")
@click.option("--app", default=4, show_default=True, type=click.IntRange(0), help="Questions through `brief serve`.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@pass_context
def answers(context: CliContext, llms: tuple[str, ...], warm: int, cold: int, app: int, as_json: bool) -> None:
    """Answer latency, cold `brief ask` and `brief serve` memory per backend, side by side (temporary data only)."""
    import tempfile

    from benchmarks.answers import answer_rows, compare_answers

    from .evaluation import format_table

    with tempfile.TemporaryDirectory(prefix="brief-answers-") as home:
        settings = context.assistant.settings.model_copy(update={"home": Path(home), "chroma_url": None})
        report = compare_answers(settings, llms, warm, cold, app, lambda text: click.echo(text, err=True))
    emit_json(report) if as_json else click.echo(format_table(answer_rows(report)))


def _sizes(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of chunk counts, e.g. 1000,10000") from None
    if not sizes or min(sizes) < 1:
        raise click.BadParameter(f"{value!r}: every size must be a positive chunk count")
    return sizes


@bench.command()
@click.option("--docs", default=2000, show_default=True, type=click.IntRange(1), help="Generated briefs to ingest.")
@click.option(
    "--sizes", default="1000,10000,100000", show_default=True, callback=_sizes, help="Index sizes (chunks) to query."
)
@click.option("--queries", default=100, show_default=True, type=click.IntRange(2), help="Questions per index size.")
@click.option("--server/--no-server", default=True, show_default=True, help="Also measure on a `chroma run` server.")
@click.option(
    "--out",
    default="perf-report",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for perf.json and perf.md.",
)
@click.option(
    "--answers/--no-answers",
    default=True,
    show_default=True,
    help="Also time answers on the seed brief: warm, cold `brief ask`, and a running `brief serve`.",
)
@llm_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of Markdown.")
@pass_context
def perf(
    context: CliContext,
    docs: int,
    sizes: tuple[int, ...],
    queries: int,
    server: bool,
    out: Path,
    answers: bool,
    llm: str | None,
    as_json: bool,
) -> None:
    """Ingestion throughput, retrieval latency, answer latency, memory and start-up time (temporary data only)."""
    from benchmarks import run_perf, write_report

    assistant = context.assistant
    report = run_perf(
        assistant.embeddings,
        assistant.settings,
        docs=docs,
        sizes=sizes,
        queries=queries,
        server=server,
        progress=lambda message: click.echo(message, err=True),
        answers=answers,
        llm=llm or "embedded",
    )
    for path in write_report(report, out):
        click.echo(f"Wrote {path}", err=True)
    if as_json:
        emit_json(report)
    else:
        click.echo((out / "perf.md").read_text(encoding="utf-8"))


@bench.command(name="entities")
@click.argument("labels", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--briefs",
    "folders",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    default=("seeds",),
    show_default=True,
    help="Folder holding the labelled briefs (repeatable).",
)
@click.option(
    "--rounds", default=0, show_default=True, type=click.IntRange(0), help="Also time ingest with and without it."
)
@click.option(
    "--generated", default=0, show_default=True, type=click.IntRange(0), help="Generated briefs to add to that ingest."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@pass_context
def bench_entities(
    context: CliContext,
    labels: tuple[Path, ...],
    folders: tuple[Path, ...],
    rounds: int,
    generated: int,
    as_json: bool,
) -> None:
    """Precision and recall of the entity extractor on hand-labelled briefs (one table per LABELS file).

    With --rounds N, the briefs of the --briefs folders (and --generated M generated ones) are also ingested N
    times with and without entity extraction, alternately, each time into a fresh index, to measure its cost.
    """
    from benchmarks.entities import ingest_cost, score_entities

    results: dict[str, Any] = {}
    for path in labels:
        scores = score_entities(path, folders)
        results[str(path)] = scores.as_dict()
        if not as_json:
            click.echo(f"{path}\n\n{scores.table()}\n")
            for line in scores.as_dict()["missed"]:
                click.echo(f"missed: {line}", err=True)
            for line in scores.as_dict()["spurious"]:
                click.echo(f"spurious: {line}", err=True)
    if rounds:
        cost = ingest_cost(context.assistant.embeddings, context.assistant.settings, folders, rounds, generated)
        results["ingest_cost"] = cost
        if not as_json:
            click.echo(cost["table"])
    if as_json:
        emit_json(results)
