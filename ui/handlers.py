"""The app's event handlers: plain methods over one :class:`Assistant`, returning what the components show.

Each handler validates its inputs, calls ``assistant`` and renders the result with :mod:`ui.render`; a
:class:`BriefError` becomes a ``gr.Error`` whose message the user sees. Nothing here holds state between
calls: the conversation lives in the browser session (``gr.State``).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import Assistant
from index import BriefError, Grade, IngestReport
from index.settings import int_range

from .render import (
    answer_markdown,
    conflicts_html,
    document_rows,
    flags_html,
    ingest_markdown,
    markdown_text,
    model_markdown,
    quotes_html,
    sources_html,
)

__all__ = ["SEED_TESTSET", "Handlers", "backends", "safe_name"]

SEED_TESTSET = Path(__file__).resolve().parents[1] / "seeds" / "china-belarus-testset.jsonl"
_SEARCHING = '<p class="brief-empty">Searching the briefs…</p>'
_QUESTION_COLUMNS = ["id", "type", "question", "answer", "refused", "hit_rank", "contains_reference", "token_f1"]

Message = dict[str, Any]
Pairs = list[list[str]]
Table = dict[str, list[Any]]
"""A table as ``gr.Dataframe`` takes it: ``{"headers": [...], "data": [[row], ...]}``."""


def backends(configured: str) -> list[str]:
    """Return the LLM backends the app offers: embedded, none, and the configured one."""
    return list(dict.fromkeys(["embedded", "none", configured]))


def safe_name(name: str) -> str:
    """Return the base name of an upload with anything but letters, digits and ``._-() `` replaced by ``_``."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    cleaned = re.sub(r"[^\w.\-() ]+", "_", base).strip(" ._")
    return cleaned[-120:] or "upload"


def _error(message: str) -> gr.Error:
    """Make a ``gr.Error`` that shows ``message`` as text (Gradio renders error messages as HTML)."""
    return gr.Error(escape(message, quote=False))


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except BriefError as error:
        raise _error(str(error)) from None


def _counter(progress: gr.Progress, total: int, verb: str) -> Callable[..., None]:
    """Make a callback that advances ``progress`` one step of ``total``, naming the file it is given if any."""
    steps = itertools.count(1)
    return lambda name="": progress((next(steps), total), desc=f"{verb} {name}".strip())


def _merge(reports: Sequence[IngestReport]) -> IngestReport:
    total = IngestReport()
    for report in reports:
        total.added += report.added
        total.replaced += report.replaced
        total.unchanged += report.unchanged
        total.failed += report.failed
        total.chunks += report.chunks
        total.seconds += report.seconds
    return total


class Handlers:
    """Event handlers of the app, bound to one assistant; files it writes go under ``folder``."""

    def __init__(self, assistant: Assistant, folder: Path) -> None:
        """Serve ``assistant``; downloads are written under ``folder``."""
        self.assistant = assistant
        self.folder = folder
        self.backends = backends(assistant.settings.llm)

    def _k(self, k: float | None) -> int:
        if k is None:
            return self.assistant.settings.k
        low, high = int_range("k")
        if not low <= k <= high or k != int(k):
            raise _error(f"k must be a whole number from {low} to {high}, not {k}")
        return int(k)

    def _backend(self, llm: str | None) -> str:
        llm = llm or self.assistant.settings.llm
        if llm not in self.backends:
            raise _error(f"Unknown LLM backend {llm!r}: this app offers {', '.join(self.backends)}")
        return llm

    def _write(self, kind: str, name: str, content: str) -> str:
        """Save ``content`` as ``name`` in a folder named by its hash (same content, same file)."""
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
        path = self.folder / kind / digest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        return str(path)

    def _request(
        self, question: str, history: Pairs, k: float | None, llm: str | None
    ) -> tuple[list[tuple[str, str]], int, str]:
        """Check a question's inputs: (history pairs, k, backend)."""
        if not question.strip():
            raise _error("Type a question first.")
        try:
            pairs = [(str(q), str(a)) for q, a in history]
        except (TypeError, ValueError):
            raise _error("history must be a list of [question, answer] pairs") from None
        return pairs, self._k(k), self._backend(llm)

    def respond(
        self, question: str, chat: list[Message], history: Pairs, k: float, llm: str, include_suspect: bool = False
    ) -> Iterator[tuple[str, list[Message], Pairs, str, str]]:
        """Stream an answer into the chat: (question box, chat, history, sources panel, model line).

        ``include_suspect`` lets documents holding text addressed to an AI system be evidence too.
        """
        pairs, whole_k, backend = self._request(question, history, k, llm)
        chat = [*chat, {"role": "user", "content": markdown_text(question)}, {"role": "assistant", "content": "…"}]
        yield "", chat, history, _SEARCHING, ""
        draft = ""
        with _user_errors():
            for event in self.assistant.stream(question, pairs, whole_k, backend, include_suspect=include_suspect):
                if isinstance(event, str):
                    draft += event
                    chat = [*chat[:-1], {"role": "assistant", "content": markdown_text(draft) + " ▌"}]
                    yield "", chat, history, _SEARCHING, ""
                    continue
                chat = [*chat[:-1], {"role": "assistant", "content": answer_markdown(event)}]
                history = [*history, [question, event.answer]]
                grades = {d.source: d.grade for d in self.assistant.documents()}
                panel = conflicts_html(event.conflicts) + sources_html(event, self.assistant.text, grades)
                yield "", chat, history, panel, model_markdown(event)

    def ask(
        self, question: str, history: Pairs | None = None, k: int | None = None, llm: str | None = None
    ) -> dict[str, Any]:
        """Answer a question from the briefs; ``history`` holds earlier [question, answer] pairs, oldest first.

        Returns the answer JSON ``brief ask --json`` prints: answer, refused, citations, sentences, model.
        """
        pairs, whole_k, backend = self._request(question, history or [], k, llm)
        with _user_errors():
            return self.assistant.ask(question, pairs, whole_k, backend).as_dict()

    def quotes(self, topic: str, limit: int = 10, sources: list[str] | None = None) -> dict[str, Any]:
        """Verbatim quotes about a topic, best first, each with its citation string."""
        with _user_errors():
            return self.assistant.quotes(topic, int(limit), sources or None).as_dict()

    def show_quotes(self, topic: str, limit: float, sources: list[str] | None) -> tuple[str, list[str]]:
        """Quote cards and the Markdown and CSV downloads: (cards, files)."""
        with _user_errors():
            result = self.assistant.quotes(topic, int(limit), sources or None)
        if not result.quotes:
            return quotes_html(result), []
        files = [
            self._write("quotes", "quotes.md", result.to_markdown()),
            self._write("quotes", "quotes.csv", result.to_csv()),
        ]
        return quotes_html(result), files

    def ingest(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[str, dict[str, Any]]:  # noqa: B008
        """Index uploaded files (bad ones are listed with their reason): (status, report JSON)."""
        if not files:
            raise _error("Choose one or more files to upload first.")
        step = _counter(progress, len(files), "Indexed")
        reports = []
        for upload in map(Path, files):
            name = safe_name(upload.name)
            with _user_errors():
                reports.append(self.assistant.ingest_upload(upload.read_bytes(), name))
            step(name)
        report = _merge(reports)
        # gradio_client downloads any {"path": str} in a result as a file, so failures name a "file" instead.
        failed = [{"file": f.path, "reason": str(f)} for f in report.failed]
        return ingest_markdown(report), {**report.as_dict(), "failed": failed}

    def reindex(self, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        """Re-read every document that came from a file on disk; changed files are indexed again."""
        documents = self.assistant.documents()
        paths = [Path(d.path) for d in documents if d.path]
        with _user_errors():
            report = self.assistant.ingest(paths, _counter(progress, len(paths), "Checked"))
        uploaded = len(documents) - len(paths)
        note = (
            f"\n\n{uploaded} uploaded document(s) have no file to re-read: upload a new version to update one."
            if uploaded
            else ""
        )
        return ingest_markdown(report) + note

    def remove(self, source: str | None) -> str:
        """Delete one document from the index."""
        if not source:
            raise _error("Pick a document to remove first.")
        with _user_errors():
            removed = self.assistant.remove(source)
        return f"Removed {markdown_text(source)}." if removed else f"{markdown_text(source)} was not in the index."

    def details(self, source: str | None) -> str:
        """The picked document's grade and, when it is suspect, the sentences flagged in it."""
        if not source:
            return ""
        with _user_errors():
            return flags_html(self.assistant.document(source))

    def grade(self, source: str | None, grade: str | None) -> str:
        """Set the picked document's Admiralty grade (blank clears it); a malformed grade changes nothing."""
        if not source:
            raise _error("Pick a document to grade first.")
        with _user_errors():
            parsed = Grade.parse(grade) if grade and grade.strip() else None
            self.assistant.set_grade(source, parsed)
        name = markdown_text(source)
        return f"Graded {name} **{parsed}** ({parsed.meaning})." if parsed else f"Cleared the grade of {name}."

    def table(self) -> list[list[Any]]:
        """The document table alone (the menus keep their choice)."""
        with _user_errors():
            return document_rows(self.assistant.documents())

    def library(self) -> tuple[list[list[Any]], gr.Dropdown, gr.Dropdown]:
        """Show the document table and offer the documents in the remove and quote-filter menus."""
        with _user_errors():
            documents = self.assistant.documents()
        sources = [d.source for d in documents]
        return document_rows(documents), gr.Dropdown(choices=sources, value=None), gr.Dropdown(choices=sources)

    def evaluate(
        self,
        testset: str | None,
        k: float,
        llm: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[str, Table, str, Table, list[str]]:
        """Run a test set (the seed one when none is uploaded): (status, metrics, chart, questions, files)."""
        from assistant.evaluation import metric_rows, run_evaluation, write_outputs

        path = Path(testset) if testset else SEED_TESTSET
        started = time.perf_counter()
        with _user_errors():
            report = run_evaluation(
                self.assistant,
                path,
                k=self._k(k),
                llm=self._backend(llm),
                progress=lambda done, total: progress((done, total), desc="Answering the questions"),
            )
        summaries = report.summaries
        (self.folder / "evaluations").mkdir(parents=True, exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=self.folder / "evaluations"))
        files = [str(p) for p in write_outputs(out, report.payload, summaries, path.name)]
        rows = metric_rows(summaries)
        status = (
            f"{len(report.testset.questions)} questions, {summaries[0]['model']}, {time.perf_counter() - started:.1f} s"
        )
        status = markdown_text(status) + "".join(f"\n- ⚠ {markdown_text(w)}" for w in report.warnings)
        per_question = [[record.get(column) for column in _QUESTION_COLUMNS] for record in summaries[0]["per_question"]]
        metrics: Table = {"headers": rows[0], "data": rows[1:]}
        return status, metrics, files[2], {"headers": _QUESTION_COLUMNS, "data": per_question}, files[:2]
