"""The Overview tab: for one brief or all, its summary, its entities by type and its timeline.

Every item carries passage markers (``[3]``); a click opens that passage in the panel beside it, inside its
paragraph with the cited sentence highlighted (the sources panel of the Ask tab, :func:`ui.render.sources_html`).
The named endpoint ``overview`` returns the same as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import gradio as gr

from assistant import Assistant
from assistant.briefs import Brief, SourceSentence
from assistant.citations import Answer, Citation
from assistant.lists import entity_listing
from assistant.overview import overview_answer
from assistant.timeline import TimelineEvent, build_timeline
from index import BriefError

from .render import SOURCES_CSS, sources_html

__all__ = ["ALL_BRIEFS", "OverviewHandlers", "overview_tab"]

ALL_BRIEFS = "All briefs"
_PREFIX = 'id="brief-source-'
_OWN_PREFIX = 'id="brief-overview-source-'
_TYPES = (("person", "People"), ("org", "Organisations"), ("place", "Places"), ("date", "Dates"))
_EMPTY = '<p class="brief-empty">Pick a brief (or all) and press Show.</p>'

OVERVIEW_CSS = (
    SOURCES_CSS
    + """
.brief-overview h3 { margin: .8em 0 .3em; }
.brief-overview ol, .brief-overview ul { margin: 0 0 .6em 1.2em; }
.brief-overview li { margin: .15em 0; }
.brief-overview a.brief-ref { cursor: pointer; color: var(--color-accent); text-decoration: none; font-weight: 600; }
.brief-overview .brief-date { font-family: var(--font-mono); font-size: .9em; }
.brief-entity { display: inline-block; margin: 0 .6em .3em 0; }
"""
)
OPEN_PASSAGE_JS = """
element.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-passage]');
  if (!link) return;
  event.preventDefault();
  const passage = document.getElementById('brief-overview-source-' + link.dataset.passage);
  if (!passage) return;
  document.querySelectorAll('details[id^="brief-overview-source-"]').forEach((d) => { d.open = d === passage; });
  passage.scrollIntoView({ block: 'nearest' });
});
"""


class _Passages:
    """The distinct sentences the tab cites, numbered in order of first use."""

    def __init__(self, titles: dict[str, str]) -> None:
        self.titles = titles
        self.citations: dict[tuple[str, int], Citation] = {}

    def ref(self, sentence: SourceSentence) -> str:
        """A marker linking to ``sentence``, numbering it on first use."""
        place = (sentence.source, sentence.start)
        if place not in self.citations:
            title = self.titles.get(sentence.source, "")
            self.citations[place] = sentence.citation(len(self.citations) + 1, title=title)
        n = self.citations[place].n
        return f'<a class="brief-ref" data-passage="{n}" title="{escape(sentence.label)}">[{n}]</a>'


def _summary_html(sentences: Sequence[SourceSentence], passages: _Passages) -> str:
    items = "".join(f"<li>{escape(s.text)} {passages.ref(s)}</li>" for s in sentences)
    return f"<h3>Summary</h3><ol>{items}</ol>" if items else "<h3>Summary</h3><p>No sentence to show.</p>"


def _entities_html(briefs: Sequence[Brief], passages: _Passages) -> str:
    by_type: dict[str, list[str]] = {kind: [] for kind, _ in _TYPES}
    seen: dict[tuple[str, str], list[str]] = {}
    for brief in briefs:
        for mention in brief.mentions:
            sentence = brief.sentence_at(mention.start)
            if sentence is None:
                continue
            refs = seen.setdefault((mention.type, mention.name), [])
            marker = passages.ref(sentence)
            if marker not in refs:
                refs.append(marker)
    for (kind, name), refs in seen.items():
        by_type[kind].append(f'<span class="brief-entity">{escape(name)} {"".join(refs)}</span>')
    sections = [f"<h3>{label}</h3><p>{''.join(by_type[kind]) or '—'}</p>" for kind, label in _TYPES]
    return "".join(sections)


def _timeline_html(events: Sequence[TimelineEvent], passages: _Passages) -> str:
    rows = "".join(
        f'<li><span class="brief-date">{escape(e.normalized or "undated")}</span> '
        f"“{escape(e.date)}”: {escape(e.sentence.text)} {passages.ref(e.sentence)}</li>"
        for e in events
    )
    return f"<h3>Timeline</h3><ul>{rows}</ul>" if rows else "<h3>Timeline</h3><p>No dates.</p>"


class OverviewHandlers:
    """The tab's handlers over one assistant."""

    def __init__(self, assistant: Assistant) -> None:
        """Serve overviews of ``assistant``'s briefs."""
        self.assistant = assistant

    def _briefs(self, source: str | None) -> list[Brief]:
        chosen = None if not source or source == ALL_BRIEFS else [source]
        try:
            return self.assistant.briefs(chosen)
        except BriefError as error:
            raise gr.Error(escape(str(error), quote=False)) from None

    def choices(self, current: str | None = None) -> gr.Dropdown:
        """The brief menu: all briefs, then each indexed one; the current pick stays if it is still indexed."""
        choices = [ALL_BRIEFS, *(d.source for d in self.assistant.documents())]
        return gr.Dropdown(choices=choices, value=current if current in choices else ALL_BRIEFS)

    def overview(self, source: str | None = None) -> dict[str, Any]:
        """The overview of one brief (by source name) or of all (None or "All briefs") as JSON.

        Returns:
            ``summary`` (the answer JSON of ``brief summarize --json``), ``entities`` (as ``brief entities
            --json``) and ``timeline`` (as ``brief timeline --json``).

        """
        briefs = self._briefs(source)
        sentences = self.assistant.overview_sentences(briefs)
        summary = overview_answer("Summarize the briefs.", sentences, {b.source: b.title for b in briefs})
        return {
            "summary": summary.as_dict(),
            "entities": entity_listing(briefs),
            "timeline": [event.as_dict() for event in build_timeline(briefs)],
        }

    def show(self, source: str | None) -> tuple[str, str]:
        """The page: (summary, entities and timeline with passage markers; the passages panel)."""
        briefs = self._briefs(source)
        if not briefs:
            return '<p class="brief-empty">No documents indexed yet: add some in the Library tab.</p>', ""
        passages = _Passages({b.source: b.title for b in briefs})
        sentences = self.assistant.overview_sentences(briefs)
        body = (
            _summary_html(sentences, passages)
            + _entities_html(briefs, passages)
            + _timeline_html(build_timeline(briefs), passages)
        )
        cited = Answer("", "", False, list(passages.citations.values()), [], 1.0, "", {})
        panel = sources_html(cited, {b.source: b.text for b in briefs}.__getitem__).replace(_PREFIX, _OWN_PREFIX)
        return f'<div class="brief-overview">{body}</div>', panel


def overview_tab(assistant: Assistant, demo: gr.Blocks, tab: gr.Tab) -> None:
    """Lay out the Overview tab inside ``tab``, and register the ``overview`` endpoint.

    The brief menu is filled when the page loads and again whenever the tab is opened (briefs may have been
    added or removed in the Library tab meanwhile).
    """
    handlers = OverviewHandlers(assistant)
    with gr.Row():
        brief = gr.Dropdown([ALL_BRIEFS], value=ALL_BRIEFS, label="Brief", scale=4, elem_id="brief-overview-pick")
        show = gr.Button("Show", variant="primary", scale=1, elem_id="brief-overview-show")
    with gr.Row():
        with gr.Column(scale=3):
            content = gr.HTML(
                _EMPTY, css_template=OVERVIEW_CSS, js_on_load=OPEN_PASSAGE_JS, elem_id="brief-overview-content"
            )
        with gr.Column(scale=2):
            passages = gr.HTML(css_template=OVERVIEW_CSS, elem_id="brief-overview-passages")
    private: dict[str, Any] = {"api_visibility": "private"}
    gr.on([show.click, brief.input], handlers.show, brief, [content, passages], concurrency_id="overview", **private)
    demo.load(handlers.choices, None, brief, **private)
    tab.select(handlers.choices, brief, brief, **private)
    gr.api(handlers.overview, api_name="overview", concurrency_id="overview")
