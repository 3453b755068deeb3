"""List questions ("Which countries are mentioned?") answered from the entity index over whole briefs.

A list question asks for every entity of one kind a brief names, so it is answered from all mentions, not from
the top-k passages: each item is named once, in the order the briefs first name it, and cited to the sentence
of a mention (one that names it as written when there is one: "Belarus" rather than "Belarusian").
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from index.entities import Mention
from index.gazetteer import CAPITALS, CAPITALS_FOR_GOVERNMENTS, COUNTRIES, key

from .briefs import Brief, SourceSentence
from .citations import Answer, AnswerSentence, Citation

__all__ = ["ListItem", "ListKind", "entity_listing", "list_answer", "list_items", "list_question"]

ListKind = Literal["person", "org", "place", "country", "date"]
"""An entity type, or ``country``: the places that are countries (a demonym or a capital standing for one)."""

MODEL = "entity index"
"""What ``Answer.model`` says for an answer made from the entity index, with no language model."""

_NOUNS: dict[ListKind, str] = {
    "country": r"countr(?:y|ies)|nations?|states?",
    "person": r"people|persons?|individuals?|officials?|leaders?|figures?|personalities",
    "org": r"organi[sz]ations?|agenc(?:y|ies)|groups?|institutions?|bodies|companies|compan(?:y)|entities|units?",
    "place": r"places?|locations?|cities|city|regions?|areas?|territor(?:y|ies)|geograph\w*",
    "date": r"dates?|days?|months?|years?",
}
_VERB = (
    r"(?:mention|name|involve|reference|cite|list|appear|discuss|feature|refer)(?:s|d|ed|red|ring|ing)?\b"
    r"|identif(?:y|ies|ied|ying)\b"
)
_WH = r"(?:which|what|list|name|enumerate|give|show|all|every|any)"
_IN_THE_TEXT = r"(?=\s*(?:[?.!,;]|$|(?:in|by|within|across|throughout)\b))"
"""What may follow the verb: the question's end or where ("mentioned in the brief"), not a role ("named the new
head of…", "named to the cabinet")."""
_PATTERNS: list[tuple[ListKind, re.Pattern[str]]] = [
    (
        kind,
        re.compile(
            rf"\b{_WH}\b.{{0,40}}?\b(?:{nouns})\b.{{0,80}}?\b(?:{_VERB}){_IN_THE_TEXT}", re.IGNORECASE | re.DOTALL
        ),
    )
    for kind, nouns in _NOUNS.items()
] + [
    (kind, re.compile(rf"^\s*(?:list|enumerate|name)\b.{{0,25}}?\b(?:{nouns})\b", re.IGNORECASE))
    for kind, nouns in _NOUNS.items()
]
_WHO_IS_NAMED = re.compile(
    rf"\bwho\b.{{0,30}}?\b(?:is|are|was|were|gets?|got)\s+(?:{_VERB}){_IN_THE_TEXT}", re.IGNORECASE
)


def list_question(question: str) -> ListKind | None:
    """The kind of entity a question asks to list, or None when it is not such a question.

    It is one when it asks which or what entities of a kind are mentioned, named, involved, referenced...
    ("Which countries are mentioned in the brief?", "What organisations does it name?", "List the people
    involved", "Who is mentioned?"). A question about what they did ("Which countries sent delegations?") is not.
    """
    for kind, pattern in _PATTERNS:
        if pattern.search(question):
            return kind
    return "person" if _WHO_IS_NAMED.search(question) else None


@dataclass(frozen=True)
class ListItem:
    """One entity of a list, the mention it is cited to, and the sentence holding that mention."""

    name: str
    mention: Mention
    sentence: SourceSentence


def _country(mention: Mention) -> str | None:
    """The country a place mention names, if it names one (a capital counts as its country's government)."""
    folded = key(mention.name)
    if folded in COUNTRIES:
        return mention.name
    return CAPITALS[folded] if folded in CAPITALS_FOR_GOVERNMENTS else None


def list_items(briefs: Sequence[Brief], kind: ListKind) -> list[ListItem]:
    """Every entity of ``kind`` the briefs name, once, in the order they first name it."""
    found: dict[str, list[tuple[Brief, Mention]]] = {}
    for brief in briefs:
        for mention in brief.mentions:
            if kind == "country":
                name = _country(mention) if mention.type == "place" else None
            else:
                name = mention.name if mention.type == kind else None
            if name:
                found.setdefault(name, []).append((brief, mention))
    items = []
    for name, mentions in found.items():
        # Cite a mention that names the entity as written ("Belarus", not "Belarusian") when there is one.
        brief, mention = next(((b, m) for b, m in mentions if key(m.text) == key(name)), mentions[0])
        sentence = brief.sentence_at(mention.start)
        if sentence is not None:
            items.append(ListItem(name, mention, sentence))
    return items


_PLURALS: dict[ListKind, tuple[str, str]] = {
    "person": ("person", "people"),
    "org": ("organisation", "organisations"),
    "place": ("place", "places"),
    "country": ("country", "countries"),
    "date": ("date", "dates"),
}


def list_answer(question: str, briefs: Sequence[Brief], kind: ListKind | None = None) -> Answer:
    """Answer a list question from the entity index of ``briefs`` (whole briefs, not top passages), each item cited.

    ``kind`` defaults to :func:`list_question`'s reading of ``question`` (a person list when it finds none).
    """
    started = time.perf_counter()
    kind = kind or list_question(question) or "person"
    items = list_items(briefs, kind)
    titles = {b.source: b.title for b in briefs}
    citations: dict[tuple[str, int], Citation] = {}
    sentences = []
    for item in items:
        place = (item.sentence.source, item.sentence.start)
        if place not in citations:
            citations[place] = item.sentence.citation(len(citations) + 1, title=titles[item.sentence.source])
        sentences.append(AnswerSentence(item.name, (citations[place].n,), True))
    singular, plural = _PLURALS[kind]
    where = "The brief names" if len(briefs) == 1 else "The briefs name"
    if not items:
        text = f"{where} no {plural}."
    else:
        named = [f"{s.text} [{s.citations[0]}]" for s in sentences]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" and {named[-1]}"
        text = f"{where} {len(items)} {singular if len(items) == 1 else plural}: {listed}."
    elapsed = (time.perf_counter() - started) * 1000
    return Answer(
        question=question,
        answer=text,
        refused=not items,
        citations=list(citations.values()),
        sentences=sentences,
        confidence=1.0 if items else 0.0,
        model=MODEL,
        timings_ms={"retrieve": elapsed, "generate": 0.0, "total": elapsed},
    )


def entity_listing(briefs: Sequence[Brief], kind: str | None = None) -> list[dict[str, Any]]:
    """Every entity of ``briefs`` (of ``kind`` only, when given), with every mention and its citation.

    Returns:
        The JSON of ``brief entities --json``: ``[{type, name, mentions: [{source, text, start, end, citation:
        {source, start, end, quote, paragraph, label}}]}]``, entities in order of first mention, briefs by name.
        ``start``/``end`` of a mention are its own characters; its citation is the sentence holding it.

    """
    entities: dict[tuple[str, str], dict[str, Any]] = {}
    for brief in briefs:
        for mention in brief.mentions:
            if kind and mention.type != kind:
                continue
            sentence = brief.sentence_at(mention.start)
            if sentence is None:
                continue
            entry = entities.setdefault(
                (mention.type, mention.name), {"type": mention.type, "name": mention.name, "mentions": []}
            )
            entry["mentions"].append(
                {
                    "source": brief.source,
                    "text": mention.text,
                    "start": mention.start,
                    "end": mention.end,
                    "citation": sentence.as_dict(),
                }
            )
    return list(entities.values())
