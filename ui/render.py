"""Markdown and HTML views of what ``assistant`` returns; every piece of document text is escaped.

Briefs may hold markup (an HTML brief, a pasted ``<script>``): it must show as text, never render. Text
going into Markdown is HTML-escaped and has its Markdown punctuation backslash-escaped; text going into
HTML is HTML-escaped, attributes included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from assistant.citations import Answer, AnswerSentence, Citation
from assistant.conflicts import Conflict
from assistant.quotes import QuoteResult
from index import DocumentInfo, Grade, IngestReport, paragraph_spans

__all__ = [
    "COPY_JS",
    "SOURCES_CSS",
    "UNSUPPORTED_NOTE",
    "answer_markdown",
    "conflicts_html",
    "document_rows",
    "flags_html",
    "ingest_markdown",
    "markdown_text",
    "model_markdown",
    "quotes_html",
    "sources_html",
]

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]|~$])")
_BLOCK_START = re.compile(r"^(\d*)([#+\-.)])")
_CONTEXT_CHARS = 600
_SNIPPET_CHARS = 140
UNSUPPORTED_NOTE = "⚠ *Left out of the answer: the model also wrote this, which the passages do not support.*"

SOURCES_CSS = """
.brief-empty { color: var(--body-text-color-subdued); font-style: italic; }
.brief-heading { font-weight: 600; margin: 0 0 .5em; }
.brief-source, .brief-quote { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .5em .75em; margin: 0 0 .6em; background: var(--block-background-fill); }
.brief-source summary { cursor: pointer; }
.brief-n { font-weight: 700; color: var(--color-accent); }
.brief-label, .brief-quote cite { font-family: var(--font-mono); font-size: .85em; font-style: normal; }
.brief-snippet { display: block; color: var(--body-text-color-subdued); font-size: .9em; }
.brief-paragraph { margin: .6em 0 0; line-height: 1.5; white-space: pre-wrap; }
.brief-paragraph mark { background: #ffe58a; color: #111; padding: 0 .1em; border-radius: 2px; }
.brief-refused .brief-heading { color: var(--body-text-color-subdued); }
.brief-quote blockquote { margin: 0 0 .4em; padding-left: .6em; border-left: 3px solid var(--color-accent);
  user-select: all; white-space: pre-wrap; }
.brief-quote cite { user-select: all; }
.brief-copy { float: right; cursor: pointer; font-size: .8em; padding: .1em .6em; border-radius: 4px;
  border: 1px solid var(--border-color-primary); background: var(--button-secondary-background-fill); }
.brief-grade, .brief-suspect { display: inline-block; font-family: var(--font-mono); font-size: .8em; font-weight: 600;
  padding: 0 .4em; border-radius: 4px; margin-right: .3em; border: 1px solid var(--border-color-primary); }
.brief-suspect { background: #fde2e1; color: #8a1c13; border-color: #e8a29c; }
.brief-conflict { border: 1px solid #e0b252; border-radius: 8px; padding: .5em .75em; margin: 0 0 .6em;
  background: var(--block-background-fill); }
.brief-conflict-values { display: flex; flex-wrap: wrap; gap: .6em; }
.brief-conflict-value { flex: 1 1 12em; border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: .4em .6em; }
.brief-conflict-figure { font-size: 1.15em; font-weight: 700; margin: 0 0 .3em; }
.brief-conflict-value p { margin: .2em 0; }
.brief-flag { margin: .3em 0; padding-left: .6em; border-left: 3px solid #e8a29c; white-space: pre-wrap; }
"""

COPY_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-copy]');
  if (!button) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => { button.textContent = 'Copied'; });
});
"""


def markdown_text(text: str) -> str:
    """Return ``text`` (white space runs made one space) as Markdown that renders as exactly these characters.

    Markup is HTML-escaped; emphasis, code, link, table and math characters are backslash-escaped, and so is a
    start that Markdown would read as a heading, a list item or a numbered item.
    """
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", escape(" ".join(text.split()), quote=False))
    return _BLOCK_START.sub(r"\1\\\2", escaped)


def _markers(numbers: Sequence[int]) -> str:
    return "".join(f"<sup>[{n}]</sup>" for n in numbers)


def _sentence(sentence: AnswerSentence) -> str:
    return f"{markdown_text(sentence.text)} {_markers(sentence.citations)}".rstrip()


def answer_markdown(answer: Answer) -> str:
    """Render an answer for the chat: the cited sentences, then apart and marked any the verifier rejected.

    A refusal is set apart as such.
    """
    if answer.refused:
        text = re.sub(r"\\\[(\d+)\\\]", r"<sup>[\1]</sup>", markdown_text(answer.answer))
        return f"> **Not answered from the briefs.** {text}"
    body = " ".join(_sentence(s) for s in answer.sentences if s.supported)
    rejected = [f"> ⚠ ~~{markdown_text(s.text)}~~" for s in answer.sentences if not s.supported]
    return "\n\n".join([body, UNSUPPORTED_NOTE, "\n>\n".join(rejected)] if rejected else [body])


def model_markdown(answer: Answer) -> str:
    """Render the line under the chat: model, confidence and time taken."""
    seconds = answer.timings_ms.get("total", 0.0) / 1000
    return f"Model: **{markdown_text(answer.model)}** · confidence {answer.confidence:.2f} · {seconds:.1f} s"


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """Return the paragraph text around ``[start, end)``, before and after it, each cut to ``_CONTEXT_CHARS``."""
    spans = [p for p in paragraph_spans(text) if p.start < end and start < p.end]
    low = min((p.start for p in spans), default=start)
    high = max((p.end for p in spans), default=end)
    before = ("…" if start - low > _CONTEXT_CHARS else "") + text[max(low, start - _CONTEXT_CHARS) : start]
    return before, text[end : min(high, end + _CONTEXT_CHARS)] + ("…" if high - end > _CONTEXT_CHARS else "")


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 1] + "…"


def _grade(grade: str | None) -> str:
    return f'<span class="brief-grade">{escape(grade or "ungraded")}</span>'


def _source(citation: Citation, text: str, grade: str | None) -> str:
    before, after = _context(text, citation.start, citation.end)
    return (
        f'<details class="brief-source" id="brief-source-{citation.n}">'
        f'<summary><span class="brief-n">[{citation.n}]</span> {_grade(grade)}'
        f'<span class="brief-label">{escape(citation.label)}</span>'
        f'<span class="brief-snippet">“{escape(_snippet(citation.quote))}”</span></summary>'
        f'<p class="brief-paragraph">{escape(before)}<mark>{escape(citation.of(text))}</mark>'
        f"{escape(after)}</p></details>"
    )


def sources_html(answer: Answer, text_of: Callable[[str], str], grades: Mapping[str, str | None] | None = None) -> str:
    """Render the sources panel: each cited passage inside its paragraph, the cited characters highlighted.

    ``grades`` maps a source to its Admiralty grade, shown beside each citation.
    """
    if not answer.citations:
        return '<p class="brief-empty">No passage is cited: the briefs do not answer this question.</p>'
    heading = "Closest related passage (it does not answer the question)" if answer.refused else "Sources"
    texts = {source: text_of(source) for source in {c.source for c in answer.citations}}
    items = "".join(_source(c, texts[c.source], (grades or {}).get(c.source)) for c in answer.citations)
    kind = "brief-refused" if answer.refused else "brief-answered"
    return f'<div class="{kind}"><p class="brief-heading">{heading}</p>{items}</div>'


def conflicts_html(conflicts: Sequence[Conflict]) -> str:
    """Render disagreeing sources side by side: each value with the passages giving it and their grades."""
    blocks = []
    for conflict in conflicts:
        cards = "".join(
            f'<div class="brief-conflict-value"><p class="brief-conflict-figure">{escape(value.value)}</p>'
            + "".join(
                f'<p>{_grade(c.grade)}<span class="brief-label">'
                f"{escape(c.label)}</span>"
                f'<span class="brief-snippet">“{escape(_snippet(c.quote))}”</span></p>'
                for c in value.citations
            )
            + "</div>"
            for value in conflict.values
        )
        blocks.append(
            '<div class="brief-conflict"><p class="brief-heading">⚠ The sources disagree; '
            "best-graded first</p>"
            f'<div class="brief-conflict-values">{cards}</div></div>'
        )
    return "".join(blocks)


def quotes_html(result: QuoteResult) -> str:
    """Quote cards: the verbatim text, its citation and a copy button (a click also selects either)."""
    cards = []
    for quote in result.quotes:
        about = " · ".join(part for part in (quote.title, quote.date or "", f"score {quote.score:.2f}") if part)
        badges = (_grade(quote.grade) if quote.grade else "") + (
            '<span class="brief-suspect">⚠ suspect</span>' if quote.suspect else ""
        )
        cards.append(
            f'<figure class="brief-quote"><button class="brief-copy" type="button" '
            f'data-copy="{escape(f"“{quote.display}” ({quote.citation})")}">Copy</button>'
            f"<blockquote>{escape(quote.display)}</blockquote>"
            f"<figcaption>{badges}— <cite>{escape(quote.citation)}</cite> · {escape(about)}</figcaption></figure>"
        )
    return f'<p class="brief-heading">{escape(result.message)}</p>{"".join(cards)}'


def ingest_markdown(report: IngestReport) -> str:
    """Render what an upload or re-index did, with every rejected file and its reason."""
    lines = [markdown_text(report.summary())]
    lines += [f"- **indexed** {markdown_text(name)}" for name in [*report.added, *report.replaced]]
    lines += [f"- **unchanged** {markdown_text(name)}" for name in report.unchanged]
    lines += [f"- **rejected** {markdown_text(str(failure))}" for failure in report.failed]
    return "\n".join(lines)


def document_rows(documents: Sequence[DocumentInfo]) -> list[list[Any]]:
    """One table row per indexed document: source, grade, suspect marker, title, chunks, date, indexed."""
    return [
        [
            *(d.source, d.grade or "", "⚠ suspect" if d.suspect else "", d.title, d.chunks),
            *(d.date or "", d.indexed_at[:19].replace("T", " ")),
        ]
        for d in documents
    ]


def flags_html(document: DocumentInfo | None) -> str:
    """The picked document's grade and, when suspect, a badge and every sentence flagged (as text)."""
    if document is None:
        return ""
    grade = _grade(document.grade) + escape(Grade.parse(document.grade).meaning) if document.grade else "no grade set"
    if not document.suspect:
        return f"<p>{grade} · no text addressed to an AI system</p>"
    spans = "".join(
        f'<p class="brief-flag"><span class="brief-label">chars {flag.start}–{flag.end}</span> '
        f"“{escape(flag.text)}”</p>"
        for flag in document.flags
    )
    return (
        f'<p>{grade}</p><p><span class="brief-suspect">⚠ suspect</span>'
        "This document holds text addressed to an AI system; its passages are kept out of answers unless "
        "“Include suspect documents” is on in the Ask tab.</p>" + spans
    )
