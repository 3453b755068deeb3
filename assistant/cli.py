"""The ``brief`` command line. Results go to stdout, logs and progress to stderr; ``--json`` for machines."""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from index import BriefError, Grade

if TYPE_CHECKING:
    from index import DocumentInfo

    from .citations import Answer

from .cli_bench import bench
from .cli_common import BriefGroup, CliContext, emit_json, erase_sequence, k_option, llm_option, pass_context

__all__ = ["CliContext", "erase_sequence", "main"]

_PACKAGES = ("assistant", "benchmarks", "index", "ui")
"""brief's own loggers: ``-v`` and ``BRIEF_LOG_LEVEL`` set their level; other libraries' stay at Python's default."""


def _grade(ctx: click.Context, param: click.Parameter, value: str | None) -> Grade | None:
    try:
        return Grade.parse(value) if value is not None else None
    except BriefError as error:
        raise click.BadParameter(str(error)) from None


def _marker(document: DocumentInfo, suspects: bool) -> str:
    """What ``brief list`` shows beside a document: its grade, and SUSPECT when it holds text addressed to an AI."""
    return f"{document.grade or '-':<2}" + (f"  {'SUSPECT' if document.suspect else '':<7}" if suspects else "")


class _StderrHandler(logging.StreamHandler):
    """Writes each record to the ``sys.stderr`` of the moment (click's test runner swaps it per command)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _configure_logging(verbose: int) -> None:
    """Send brief's log records to stderr at ``BRIEF_LOG_LEVEL`` (WARNING), INFO with ``-v``, DEBUG with ``-vv``."""
    from index import get_settings

    level = (logging.DEBUG if verbose > 1 else logging.INFO) if verbose else get_settings().log_level
    for name in _PACKAGES:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if not any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
            handler = _StderrHandler()
            handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
            logger.addHandler(handler)


def _source_options(function: Any) -> Any:
    """``--source`` (repeatable), ``--since`` and ``--until``: the briefs a question is limited to."""
    function = click.option(
        "--until", metavar="DATE", help="Only briefs dated on or before DATE (2024-10-28, 2024-10)."
    )(function)
    function = click.option("--since", metavar="DATE", help="Only briefs dated on or after DATE (2024-10-28, 2024).")(
        function
    )
    return click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this document (repeatable).")(
        function
    )


def _narrowed(context: CliContext, sources: tuple[str, ...], since: str | None, until: str | None) -> list[str] | None:
    """The source names a question is limited to (None: all), saying on stderr which undated briefs were left out."""
    from .narrowing import date_bound, narrow

    if not (sources or since or until):
        return None
    narrowing = narrow(
        context.assistant.documents(),
        sources,
        date_bound(since) if since else None,
        date_bound(until, end=True) if until else None,
    )
    if narrowing.undated:
        click.echo(
            f"note: left out {len(narrowing.undated)} brief(s) with no date: {', '.join(narrowing.undated)}", err=True
        )
    return narrowing.sources


def _streamed_answer(
    context: CliContext,
    question: str,
    history: Sequence[tuple[str, str]],
    k: int | None,
    llm: str | None,
    sources: list[str] | None,
    draft: bool,
    include_suspect: bool = False,
) -> Answer:
    """Answer ``question``, showing the model's draft dimmed on a terminal's stderr and erasing it afterwards.

    ``include_suspect`` lets documents holding text addressed to an AI system be evidence too.
    """
    from .citations import Answer

    answer: Answer | None = None
    drafting = draft and sys.stderr.isatty()
    written = ""
    narrowing: dict[str, Any] = {"sources": sources} if sources is not None else {}
    for event in context.assistant.stream(
        question, history, k=k, llm=llm, include_suspect=include_suspect, **narrowing
    ):
        if isinstance(event, Answer):
            answer = event
        elif drafting:
            written += event
            click.secho(event, err=True, nl=False, dim=True)
    if written:
        # The draft was only a preview: the checked answer below replaces it on the screen.
        click.echo(erase_sequence(written, shutil.get_terminal_size().columns), err=True, nl=False)
    assert answer is not None
    return answer


def _print_citations(answer: Answer) -> None:
    for citation in answer.citations:
        click.echo(f"\n[{citation.n}] {citation.label}\n    “{citation.quote}”")


def _print_answer(answer: Answer) -> None:
    """The answer and its cited passages on stdout; rejected sentences and timings on stderr."""
    click.echo(answer.answer)
    for sentence in answer.sentences:
        if not sentence.supported:
            click.secho(f"  [unsupported, not shown as an answer] {sentence.text}", err=True, fg="yellow")
    _print_citations(answer)
    timings = ", ".join(f"{name} {ms:.0f} ms" for name, ms in answer.timings_ms.items())
    click.echo(f"\nmodel: {answer.model}; confidence {answer.confidence:.2f}; {timings}", err=True)


@click.group(cls=BriefGroup)
@click.option("-v", "--verbose", count=True, help="Log more to stderr: -v what brief does, -vv debugging detail.")
@click.version_option(package_name="brief")
def main(verbose: int) -> None:
    """Ask questions of intelligence and news briefs and get answers cited to exact passages."""
    _configure_logging(verbose)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--grade",
    callback=_grade,
    metavar="GRADE",
    help="Admiralty grade of these sources, reliability A-F and credibility 1-6 (e.g. B2); kept by new versions.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
def ingest(context: CliContext, paths: tuple[Path, ...], grade: Grade | None, as_json: bool) -> None:
    """Index files and folders (.txt .md .html .pdf .docx)."""
    from tqdm import tqdm

    from index.ingest import expand_paths

    total = sum(1 for item in expand_paths(paths) if isinstance(item, Path))
    with tqdm(total=total, unit="file", file=sys.stderr, disable=None, desc="Indexing") as bar:
        report = context.assistant.ingest(paths, lambda name: (bar.set_postfix_str(name), bar.update()), grade)
    for failure in report.failed:
        click.echo(f"error: {failure}", err=True)
    for source, flagged in report.suspect.items():
        click.echo(
            f"warning: {source} holds text addressed to an AI system, kept out of answers "
            f"(brief ask --include-suspect uses it): “{' '.join(flagged.split())}”",
            err=True,
        )
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the documents as JSON.")
@pass_context
def list_documents(context: CliContext, as_json: bool) -> None:
    """Show the indexed documents: grade, SUSPECT when they hold text addressed to an AI, chunks, date, title."""
    documents = context.assistant.documents()
    if as_json:
        emit_json([d.as_dict() for d in documents])
        return
    if not documents:
        click.echo("No documents indexed yet: brief ingest PATH...", err=True)
        return
    width = max(len(d.source) for d in documents)
    suspects = any(d.suspect for d in documents)
    for d in documents:
        marker = _marker(d, suspects)
        click.echo(f"{d.source:<{width}}  {marker}  {d.chunks:>5} chunks  {d.date or '-':<18}  {d.title}")


@main.command()
@click.argument("source")
@click.argument("grade", required=False, callback=_grade)
@click.option("--clear", is_flag=True, help="Remove the document's grade.")
@pass_context
def grade(context: CliContext, source: str, grade: Grade | None, clear: bool) -> None:
    """Grade a document's source in the Admiralty code: reliability A-F, credibility 1-6 (e.g. brief grade X B2)."""
    if (grade is None) != clear:
        raise click.UsageError("Give either a GRADE such as B2, or --clear to remove the grade")
    context.assistant.set_grade(source, grade)
    click.echo(f"{source}: graded {grade} ({grade.meaning})" if grade else f"{source}: grade cleared")


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--include-suspect", is_flag=True, help="Also use documents holding text addressed to an AI system (brief list)."
)
@k_option
@llm_option
@_source_options
@pass_context
def ask(
    context: CliContext,
    question: str,
    as_json: bool,
    include_suspect: bool,
    k: int | None,
    llm: str | None,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
) -> None:
    """Answer QUESTION from the indexed briefs, citing the passages it rests on."""
    narrowed = _narrowed(context, sources, since, until)
    answer = _streamed_answer(
        context, question, (), k, llm, narrowed, draft=not as_json, include_suspect=include_suspect
    )
    if as_json:
        emit_json(answer.as_dict())
    else:
        _print_answer(answer)


@main.command()
@click.argument("source")
@pass_context
def remove(context: CliContext, source: str) -> None:
    """Delete a document (by its source name, as `brief list` shows it) from the index."""
    if not context.assistant.remove(source):
        raise click.ClickException(f"No document named {source!r} in the index; `brief list` shows what is there")
    click.echo(f"Removed {source}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
def reindex(context: CliContext, paths: tuple[Path, ...], as_json: bool) -> None:
    """Rebuild a damaged index: move its folder aside (kept, never deleted) and index the briefs again.

    The briefs come from the files the old index recorded (or the text it stored) while it can still be
    read, and from PATHS. Stop `brief serve` first.
    """
    from tqdm import tqdm

    with tqdm(unit="file", file=sys.stderr, disable=None, desc="Indexing") as bar:
        report = context.assistant.reindex(paths, lambda name: bar.update())
    for failure in report.ingest.failed:
        click.echo(f"error: {failure}", err=True)
    for source in report.lost:
        click.echo(f"error: {source}: lost (its file is gone and its stored text is unreadable)", err=True)
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(report.summary())
    if report.ingest.failed or report.lost:
        sys.exit(1)


@main.command()
@click.argument("topic")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50), help="Most quotes to return.")
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Quote only this document (repeatable).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "md", "csv", "json"]),
    default="text",
    show_default=True,
    help="text to read, md block quotes or a csv table to paste, json for machines.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@pass_context
def quotes(
    context: CliContext, topic: str, limit: int, sources: tuple[str, ...], output_format: str, as_json: bool
) -> None:
    """Verbatim passages about TOPIC, ranked, each with a citation ready to paste."""
    if as_json and output_format not in ("text", "json"):
        raise click.UsageError(f"--json and --format {output_format} ask for different outputs; give one of them")
    result = context.assistant.quotes(topic, limit=limit, sources=sources or None)
    if as_json or output_format == "json":
        emit_json(result.as_dict())
    elif output_format == "text":
        click.echo(result.to_text())
    else:
        if not result.quotes:
            click.echo(result.message, err=True)
        click.echo(result.to_markdown() if output_format == "md" else result.to_csv(), nl=False)


@main.command(name="eval")
@click.argument("testset", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the metrics and every scored answer as JSON.")
@llm_option
@k_option
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Write report.json, report.md and metrics.png here."
)
@click.option("--baseline", is_flag=True, help="Also run a plain LangChain dense-retrieval chain and compare.")
@pass_context
def eval_command(
    context: CliContext, testset: Path, as_json: bool, llm: str | None, k: int | None, out: Path | None, baseline: bool
) -> None:
    """Score answers to a JSON Lines test set: retrieval, answers, citations, refusals and latency."""
    from tqdm import tqdm

    from .evaluation import format_table, metric_rows, run_evaluation, write_outputs

    with tqdm(unit="question", file=sys.stderr, disable=None, desc="Evaluating") as bar:

        def step(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = run_evaluation(context.assistant, testset, k=k, llm=llm, baseline=baseline, progress=step)
    for problem in report.warnings:
        click.echo(f"warning: {problem}", err=True)
    if out:
        for path in write_outputs(out, report.payload, report.summaries, str(testset)):
            click.echo(f"Wrote {path}", err=True)
    if as_json:
        emit_json(report.payload)
    else:
        click.echo(format_table(metric_rows(report.summaries)))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--auth",
    envvar="BRIEF_AUTH",
    metavar="USER:PASSWORD",
    help="Require this login. Prefer the BRIEF_AUTH variable: a flag shows in the process list.",
)
@click.option(
    "--open",
    "open_",
    is_flag=True,
    help="Serve a non-loopback --host without a login: anyone who can reach the port can use the app.",
)
@pass_context
def serve(context: CliContext, host: str, port: int, auth: str | None, open_: bool) -> None:
    """Start the web app (ask, quotes, library, evaluation) at http://HOST:PORT.

    It listens on 127.0.0.1 only, unless --host names another address; that needs a login
    (BRIEF_AUTH=user:password or --auth) or an explicit --open.
    """
    from ui import serve as serve_app

    serve_app(context.assistant, host, port, auth, open_)


# --- Whole-brief commands (issue #13): entities, summarize, timeline, chat ---------------------------------------


@main.command()
@click.option(
    "--type", "kind", type=click.Choice(["person", "org", "place", "date"]), help="Only entities of this type."
)
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this document (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the entities as JSON.")
@pass_context
def entities(context: CliContext, kind: str | None, sources: tuple[str, ...], as_json: bool) -> None:
    """People, organisations, places and dates the briefs name, each mention with its citation."""
    listing = context.assistant.entities(sources or None, kind)
    if as_json:
        emit_json(listing)
        return
    if not listing:
        click.echo("No entities found.", err=True)
    for entity in listing:
        click.echo(f"{entity['type']}: {entity['name']} ({len(entity['mentions'])} mention(s))")
        for mention in entity["mentions"]:
            citation = mention["citation"]
            click.echo(f"    “{mention['text']}” {citation['label']}\n        “{citation['quote']}”")


@main.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (as `brief ask --json`).")
@llm_option
@pass_context
def summarize(context: CliContext, sources: tuple[str, ...], as_json: bool, llm: str | None) -> None:
    """An overview of every brief (or of SOURCE...): its central facts, one verified, cited sentence each.

    With a reader model each central sentence becomes a short bullet checked against it; with --llm none the
    sentences are quoted verbatim.
    """
    click.echo("Reading the briefs and embedding their sentences…", err=True)
    request = "Summarize the brief." if len(sources) == 1 else "Summarize the briefs."
    answer = _streamed_answer(context, request, (), None, llm, list(sources) or None, draft=not as_json)
    if as_json:
        emit_json(answer.as_dict())
        return
    for number, sentence in enumerate(answer.sentences, start=1):
        click.echo(f"{number}. {sentence.text} [{sentence.citations[0]}]")
    if not answer.sentences:
        click.echo(answer.answer)
    _print_citations(answer)


@main.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this document (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
@pass_context
def timeline(context: CliContext, sources: tuple[str, ...], as_json: bool) -> None:
    """Dated events across the briefs in date order, each sentence quoted with its citation."""
    events = context.assistant.timeline(sources or None)
    if as_json:
        emit_json([event.as_dict() for event in events])
        return
    if not events:
        click.echo("The briefs name no dates.", err=True)
    for event in events:
        until = f" to {event.until}" if event.until else ""
        click.echo(f"{event.normalized or '(undated)'}{until}  “{event.date}”  {event.sentence.label}")
        click.echo(f"    “{event.sentence.text}”")


_CHAT_HELP = "Ask a question; follow-ups see the earlier ones. /sources shows the last answer's passages, /quit ends."


@main.command()
@k_option
@llm_option
@_source_options
@pass_context
def chat(
    context: CliContext, k: int | None, llm: str | None, sources: tuple[str, ...], since: str | None, until: str | None
) -> None:
    """An interactive session: questions from stdin, answers with citations, follow-ups, /sources and /quit."""
    narrowed = _narrowed(context, sources, since, until)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(_CHAT_HELP, err=True)
    history: list[tuple[str, str]] = []
    last: Answer | None = None
    while True:
        if interactive:
            click.echo("> ", err=True, nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        question = line.strip()
        if not question:
            continue
        if question in ("/quit", "/exit"):
            break
        if question == "/sources":
            if last is None or not last.citations:
                click.echo("No passage cited yet.")
            else:
                _print_citations(last)
            continue
        if question.startswith("/"):
            click.echo(f"Unknown command {question}; {_CHAT_HELP}", err=True)
            continue
        last = _streamed_answer(context, question, history, k, llm, narrowed, draft=True)
        click.echo(last.answer)
        history.append((question, last.answer))


main.add_command(bench)
