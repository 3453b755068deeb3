"""Sentence-aware chunking that keeps every chunk's character offsets into its source text."""

from __future__ import annotations

from .documents import Chunk, SourceDocument
from .sentences import Span, paragraph_spans, sentence_spans

__all__ = ["chunk_document"]


def _split_long(text: str, span: Span, limit: int) -> list[Span]:
    """Cut a sentence longer than ``limit`` at white space; the only case a sentence is divided."""
    pieces: list[Span] = []
    start = span.start
    while span.end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut if cut > start else start + limit
        pieces.append(Span(start, cut))
        start = cut
        while start < span.end and text[start].isspace():
            start += 1
    pieces.append(Span(start, span.end))
    return pieces


def chunk_document(document: SourceDocument, target_chars: int = 500) -> list[Chunk]:
    """Chunks of whole sentences, at most about ``target_chars`` long, within one paragraph each.

    Consecutive chunks of a paragraph overlap by one sentence, so a fact told across a chunk
    boundary is whole in at least one chunk. ``document.text[chunk.start:chunk.end] == chunk.text``.
    """
    text = document.text
    sha = document.sha256
    chunks: list[Chunk] = []
    for number, paragraph in enumerate(paragraph_spans(text), start=1):
        sentences = [piece for s in sentence_spans(text, paragraph) for piece in _split_long(text, s, 2 * target_chars)]
        group: list[Span] = []
        for sentence in sentences:
            if group and sentence.end - group[0].start > target_chars:
                chunks.append(_make_chunk(document.source, text, group, number, len(chunks), sha))
                group = group[-1:] if len(group) > 1 and sentence.end - group[-1].start <= target_chars else []
            group.append(sentence)
        if group:
            chunks.append(_make_chunk(document.source, text, group, number, len(chunks), sha))
    return chunks


def _make_chunk(source: str, text: str, group: list[Span], paragraph: int, index: int, sha: str) -> Chunk:
    start, end = group[0].start, group[-1].end
    return Chunk(
        source=source, text=text[start:end], start=start, end=end, paragraph=paragraph, index=index, doc_sha256=sha
    )
