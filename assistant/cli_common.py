"""What every ``brief`` command shares: the lazily created assistant, the common options, JSON output, errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from index import BriefError
from index.settings import int_range

if TYPE_CHECKING:
    from .service import Assistant

__all__ = ["BriefGroup", "CliContext", "emit_json", "erase_sequence", "k_option", "llm_option", "pass_context"]


def erase_sequence(text: str, columns: int) -> str:
    """The terminal control sequence that erases ``text``, just written from the start of a line, from the screen.

    It moves the cursor up over every screen row the text took (long lines wrap at ``columns``), back to the
    first column, and clears from there down.
    """
    rows = sum(max(1, -(-len(line) // max(1, columns))) for line in text.split("\n"))
    return ("\r" if rows == 1 else f"\x1b[{rows - 1}A\r") + "\x1b[J"


def emit_json(payload: Any) -> None:
    """Print ``payload`` as indented JSON on stdout (non-ASCII kept as is)."""
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


class CliContext:
    """Lazily creates the assistant so commands that need no model load none (tests pass their own)."""

    def __init__(self, assistant: Assistant | None = None) -> None:
        self._assistant = assistant

    @property
    def assistant(self) -> Assistant:
        """The assistant, created on first use."""
        if self._assistant is None:
            from .service import Assistant

            self._assistant = Assistant()
        return self._assistant


pass_context = click.make_pass_decorator(CliContext, ensure=True)


class BriefGroup(click.Group):
    """Turns every :class:`BriefError` into a one-line error and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a :class:`BriefError` becomes click's one-line error."""
        try:
            return super().invoke(ctx)
        except BriefError as error:
            raise click.ClickException(str(error)) from None


llm_option = click.option(
    "--llm", envvar="BRIEF_LLM", help="LLM backend: embedded, none (extractive), ollama:MODEL or openai:MODEL."
)
k_option = click.option(
    "--k", "k", type=click.IntRange(*int_range("k")), envvar="BRIEF_K", help="Passages retrieved per question."
)
