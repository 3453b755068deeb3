"""The ``brief`` command line. Results go to stdout, logs and progress to stderr; ``--json`` for machines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from index import BriefError

from .service import Assistant

__all__ = ["CliContext", "main"]


def _emit_json(payload: Any) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


class CliContext:
    """Lazily creates the assistant so commands that need no model load none (tests pass their own)."""

    def __init__(self, assistant: Assistant | None = None) -> None:
        self._assistant = assistant

    @property
    def assistant(self) -> Assistant:
        if self._assistant is None:
            self._assistant = Assistant()
        return self._assistant


pass_context = click.make_pass_decorator(CliContext, ensure=True)


class _BriefGroup(click.Group):
    """Turns every :class:`BriefError` into a one-line error and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BriefError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_BriefGroup)
@click.version_option(package_name="brief")
def main() -> None:
    """Ask questions of intelligence and news briefs and get answers cited to exact passages."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
def ingest(context: CliContext, paths: tuple[Path, ...], as_json: bool) -> None:
    """Index files and folders (.txt .md .html .pdf .docx)."""
    from tqdm import tqdm

    from index.ingest import expand_paths

    total = sum(1 for item in expand_paths(paths) if isinstance(item, Path))
    with tqdm(total=total, unit="file", file=sys.stderr, disable=None, desc="Indexing") as bar:
        report = context.assistant.ingest(paths, progress=lambda name: (bar.set_postfix_str(name), bar.update()))
    for failure in report.failed:
        click.echo(f"error: {failure}", err=True)
    if as_json:
        _emit_json(report.as_dict())
    else:
        click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the documents as JSON.")
@pass_context
def list_documents(context: CliContext, as_json: bool) -> None:
    """Show the indexed documents with their chunk counts."""
    documents = context.assistant.documents()
    if as_json:
        _emit_json([d.as_dict() for d in documents])
        return
    if not documents:
        click.echo("No documents indexed yet: brief ingest PATH...", err=True)
        return
    width = max(len(d.source) for d in documents)
    for d in documents:
        click.echo(f"{d.source:<{width}}  {d.chunks:>5} chunks  {d.date or '-':<18}  {d.title}")


@main.command()
@click.argument("source")
@pass_context
def remove(context: CliContext, source: str) -> None:
    """Delete a document (by its source name, as `brief list` shows it) from the index."""
    if not context.assistant.remove(source):
        raise click.ClickException(f"No document named {source!r} in the index; `brief list` shows what is there")
    click.echo(f"Removed {source}")
