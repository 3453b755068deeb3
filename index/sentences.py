"""Paragraph and sentence boundaries as character spans of the original text.

Every span is a ``(start, end)`` pair such that ``text[start:end]`` is the paragraph or sentence
itself, without surrounding white space. Nothing here rewrites the text, so offsets stay exact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .gazetteer import MONTH_ABBREVIATIONS

__all__ = ["Span", "paragraph_spans", "sentence_spans", "table_row_reading"]

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen maj col lt sgt capt cpt adm cmdr gov sen rep rev st jr sr mt ft
    inc ltd co corp dept univ est approx vs etc al fig no nos vol pp mon tue wed thu fri sat sun
    e.g i.e a.m p.m u.s u.k u.n u.s.a
    """.split()
) | {month.lower() for month in MONTH_ABBREVIATIONS if month != "May"}  # "in May." ends a sentence
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_LINE_MARKER = re.compile(r"(?:#{1,6}|[-*•–]|\d{1,2}[.)])[ \t]+")
"""A Markdown heading's hashes or a list item's bullet or number, which belong to no sentence."""


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` of a text.

    The splitters run on any text (a stored document, a chunk's text, a benchmark's passage) and know neither
    its source nor its paragraph: a span of one of them becomes a :class:`~index.documents.SourceSpan` once the
    caller places it in a stored document.
    """

    start: int
    end: int

    def of(self, text: str) -> str:
        """The characters of ``text`` this span covers."""
        return text[self.start : self.end]


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def paragraph_spans(text: str) -> list[Span]:
    """Paragraphs of ``text``: blocks between blank lines, or lines when the text has no blank line.

    Lines without blank lines between them are joined where the text is hard-wrapped (see :func:`_unwrapped`).
    """
    blocks = _BLANK_LINE.search(text) is not None
    separator = _BLANK_LINE if blocks else re.compile(r"\n")
    spans: list[Span] = []
    position = 0
    for match in separator.finditer(text):
        span = _trimmed(text, position, match.start())
        if span:
            spans.append(span)
        position = match.end()
    span = _trimmed(text, position, len(text))
    if span:
        spans.append(span)
    return spans if blocks else _unwrapped(text, spans)


_WRAP_WIDTH = 100
"""The widest a hard-wrapped text's lines run (a cable or an e-mail wraps at 65 to 80 characters)."""


FULL_LINE = 0.85
"""A wrapped line shorter than this share of a full line ends its paragraph (its last line, or a heading)."""


def full_line_width(lengths: Sequence[int]) -> int:
    """How long a full line is among wrapped lines of ``lengths``: their 80th percentile (0 for no line)."""
    ordered = sorted(lengths)
    return ordered[int(0.8 * len(ordered))] if ordered else 0


def _unwrapped(text: str, lines: list[Span]) -> list[Span]:
    """Lines joined into paragraphs when the text is hard-wrapped: no line runs past a width of at most 100.

    A line short of a full one (:data:`FULL_LINE`) ends its paragraph, and a line that opens with a list marker or a
    heading's hashes starts one. Text of unwrapped lines is left as it is.
    """
    lengths = [line.end - line.start for line in lines]
    width = full_line_width(lengths) if len(lines) >= 3 else _WRAP_WIDTH + 1
    if width > _WRAP_WIDTH or max(lengths) > width + 10:
        return lines
    merged: list[Span] = []
    full = False
    for line in lines:
        if merged and full and not _LINE_MARKER.match(text, line.start):
            merged[-1] = Span(merged[-1].start, line.end)
        else:
            merged.append(line)
        full = line.end - line.start >= FULL_LINE * width
    return merged


def _is_abbreviation(text: str, period_end: int) -> bool:
    """Whether the period ending at ``period_end`` closes an abbreviation or an initial."""
    head = text[max(0, period_end - 12) : period_end]
    match = _WORD_BEFORE.search(head)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentence_spans(text: str, paragraph: Span | None = None) -> list[Span]:
    """Sentences of one paragraph (or of all paragraphs of ``text`` when none is given)."""
    if paragraph is None:
        return [s for p in paragraph_spans(text) for s in sentence_spans(text, p)]
    spans: list[Span] = []
    start = paragraph.start
    block = paragraph.of(text)
    for match in _BOUNDARY.finditer(block):
        end = paragraph.start + match.end()
        first_period = paragraph.start + match.start() + 1
        if text[first_period - 1] == "." and _is_abbreviation(text, first_period):
            continue
        if re.fullmatch(r"\d{1,2}\.", text[start:end].split("\n")[-1].strip()):
            continue  # a numbered list item's number, not a sentence
        spans += _sentences(text, start, end)
        start = end
    return spans + _sentences(text, start, paragraph.end)


def _sentences(text: str, start: int, end: int) -> list[Span]:
    """The lines of ``[start, end)`` as sentences, each without white space and without a leading list marker."""
    spans = []
    for line_start, line_end in _lines(text, start, end):
        span = _trimmed(text, line_start, line_end)
        if span:
            marker = _LINE_MARKER.match(text, span.start, span.end)
            spans.append(Span(marker.end(), span.end) if marker and marker.end() < span.end else span)
    return spans


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``[start, end)`` at line breaks that end a heading or list line (no final punctuation)."""
    pieces: list[tuple[int, int]] = []
    position = start
    for index in range(start, end):
        if text[index] == "\n":
            before = text[position:index].rstrip()
            if before and (before[-1] not in ",;:-–—(" and not before[-1].isalpha() or before.startswith("#")):
                pieces.append((position, index))
                position = index + 1
    pieces.append((position, end))
    return pieces


_TABLE_LINE = re.compile(r"[ \t]*\|.*\|[ \t]*")
_TABLE_RULE = re.compile(r"[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*")
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")


def table_row_reading(text: str, start: int, end: int) -> str | None:
    """A Markdown table row as a reader should read it, each cell after its column's name; None for other text.

    ``| Corby Flats | 9,400 |`` under ``| District | Displaced |`` and its rule reads "District: Corby Flats;
    Displaced: 9,400". Only the reading changes: the row's offsets still quote it as written.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not _TABLE_LINE.fullmatch(text, line_start, line_end) or _TABLE_RULE.fullmatch(text, line_start, line_end):
        return None
    lines = [text[line_start:line_end]]
    while line_start > 0:
        previous = text.rfind("\n", 0, line_start - 1) + 1
        line = text[previous : line_start - 1]
        if not _TABLE_LINE.fullmatch(line):
            break
        lines.insert(0, line)
        line_start = previous
    if len(lines) < 3 or not _TABLE_RULE.fullmatch(lines[1]):
        return None

    def cells(line: str) -> list[str]:
        return [" ".join(_BOLD.sub(r"\2", cell).split()) for cell in line.strip()[1:-1].split("|")]

    names, row = cells(lines[0]), cells(lines[-1])
    if len(names) != len(row):
        return None
    return "; ".join(f"{name}: {cell}" if name else cell for name, cell in zip(names, row, strict=True) if cell)
