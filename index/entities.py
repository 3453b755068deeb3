"""People, organisations, places and dates named in a brief, each mention with its exact character span.

The extractor is rule-based (no NER model ships with brief): it reads the text once and

1. finds date expressions by pattern ("October 27-28", "the night of October 27-28", "December 10, 2023",
   "in October", "Sunday", "2024", "last week");
2. cuts the rest into runs of capitalised words (joined by "of", "for", "the"...), and splits each run by the
   longest names the gazetteer (:mod:`index.gazetteer`) knows: countries and their other names, demonyms
   ("Belarusian" names Belarus), capitals, regions, cities, well-known organisations and title words;
3. types what is left of a run by its words: an organisation word ("Ministry", "Court", "Forces", "Institute",
   "Agency", "Council"...) makes an organisation, taking in a demonym before it ("Belarusian Special Operations
   Forces"); a place word ("Shoal", "Sea", "Province") a place; a title ("Major General", "Secretary General",
   "President") or a role noun before it ("Russian leader") a person, as does a run of two to four plain
   capitalised words ("Mark Rutte");
4. links an acronym in parentheses to the name before it ("Institute for the Study of War (ISW)") and every
   later use of the acronym to that name, and a surname alone ("Denisenko") to the full name used elsewhere.

Every mention satisfies ``text[mention.start:mention.end] == mention.text``; ``mention.name`` is the entity it
names: the country for a demonym, the full name for a surname, the expansion for an acronym. A demonym inside an
organisation's name is a place mention too, so "which countries are mentioned" sees it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from . import gazetteer as gz
from .sentences import Span

__all__ = [
    "ENTITY_TYPES",
    "EXTRACTOR_VERSION",
    "Entity",
    "Mention",
    "entities_from_json",
    "entities_to_json",
    "extract_mentions",
    "group_entities",
]

EntityType = Literal["person", "org", "place", "date"]
ENTITY_TYPES: tuple[EntityType, ...] = ("person", "org", "place", "date")
EXTRACTOR_VERSION = 1
"""Stored with every entity index; an index of another version is recomputed from the stored text."""


@dataclass(frozen=True)
class Mention(Span):
    """One mention of an entity: ``document_text[start:end] == text``; ``name`` is the entity it names."""

    type: EntityType
    text: str
    name: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"type": self.type, "text": self.text, "start": self.start, "end": self.end, "name": self.name}


@dataclass
class Entity:
    """An entity of one type and name, with every mention of it, in document order."""

    type: EntityType
    name: str
    mentions: list[Mention] = field(default_factory=list)


def group_entities(mentions: Iterable[Mention]) -> list[Entity]:
    """Mentions gathered by (type, name), in order of first mention."""
    entities: dict[tuple[str, str], Entity] = {}
    for mention in mentions:
        entity = entities.setdefault((mention.type, mention.name), Entity(mention.type, mention.name))
        entity.mentions.append(mention)
    return list(entities.values())


def entities_to_json(mentions: Sequence[Mention]) -> str:
    """The compact form stored with a document: ``[type, start, end]``, plus the name when it is not the text."""
    rows = [[m.type, m.start, m.end] + ([m.name] if m.name != m.text else []) for m in mentions]
    return json.dumps({"v": EXTRACTOR_VERSION, "m": rows}, ensure_ascii=False, separators=(",", ":"))


def entities_from_json(data: str, text: str) -> list[Mention] | None:
    """Mentions read back from :func:`entities_to_json` against the document's text; None if stale or unreadable."""
    try:
        payload = json.loads(data)
        if payload.get("v") != EXTRACTOR_VERSION:
            return None
        mentions = []
        for row in payload["m"]:
            kind, start, end = str(row[0]), int(row[1]), int(row[2])
            if kind not in ENTITY_TYPES or not 0 <= start < end <= len(text):
                return None
            surface = text[start:end]
            mentions.append(Mention(start, end, kind, surface, str(row[3]) if len(row) > 3 else surface))
        return mentions
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


# --- dates -------------------------------------------------------------------------------------------------------

_MONTH = "|".join(m for m in gz.MONTHS if m != "May")
_ABBR = "|".join(a for a in gz.MONTH_ABBREVIATIONS if a != "May")
_ANY_MONTH = rf"(?:{_MONTH}|May|(?:{_ABBR})\.?)"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_DAYS = rf"{_DAY}(?:\s*[-–—]\s*{_DAY}|\s+(?:and|to)\s+{_DAY})?"
_YEAR = r"(?:1[89]|20)\d\d"
_WEEKDAY = "|".join(gz.WEEKDAYS)
_MAY_CONTEXT = (
    "(?:"
    + "|".join(
        rf"(?<=\b{word}{gap})"
        for word in "in of since until by from through during last next this".split()
        for gap in " -"
    )
    + "|(?<=\bmid-))"
)
"""Bare "May" is a month only after one of these words ("in May"); elsewhere it is the verb."""
_PREFIX = (
    r"(?:(?:the\s+)?(?:night|nights|morning|evening|afternoon|weekend|end|beginning|start|middle|first half|"
    r"second half)\s+of\s+)?(?:(?:early|mid|late)[-\s])?"
)
_DATE = re.compile(
    rf"\b{_PREFIX}(?:"
    rf"(?:{_WEEKDAY}),?\s+{_ANY_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"  # Sunday, December 10, 2023
    rf"|{_ANY_MONTH}\s+{_DAYS}(?:,?\s+{_YEAR})?(?![\d,]*\d)"  # October 27-28 / December 10, 2023
    rf"|{_DAYS}\s+{_ANY_MONTH}(?:,?\s+{_YEAR})?"  # 10 December 2023
    rf"|(?:{_MONTH}|(?:{_ABBR})\.)(?:\s+{_YEAR})?"  # October / October 2024
    rf"|{_MAY_CONTEXT}May(?:\s+{_YEAR})?"
    rf"|May\s+{_YEAR}"
    r"|\d{4}-[01]\d-[0-3]\d"  # 2024-10-28
    rf"|(?:{_WEEKDAY})"
    r"|(?:the\s+)?(?:19|20)\d0s"  # the 1990s
    rf"|(?<![$€£\d,.])(?:{_YEAR})(?![\d,.]\d|\s*(?:%|percent))"  # 2024
    r"|yesterday|(?:last|this|next|earlier\s+this|later\s+this)\s+(?:week|month|year|weekend)"
    r"|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|several|few|a\s+few|\d+)\s+"
    r"(?:days?|weeks?|months?|years?|decades?|centuries)\s+ago"
    r")\b",
    re.IGNORECASE,
)
_CAPITALISED_DATE_WORD = re.compile(rf"^(?:{_MONTH}|May|{_ABBR}|{_WEEKDAY})", re.IGNORECASE)


def _date_mentions(text: str) -> list[Mention]:
    found = []
    for match in _DATE.finditer(text):
        core = match.group(0)
        words = re.findall(r"[A-Za-z]+", core)
        # Month and weekday names are capitalised in prose; "may" and "march" in lower case are verbs.
        named = [w for w in words if _CAPITALISED_DATE_WORD.match(w) and w.lower() in _NAMES_LOWER]
        if any(not w[0].isupper() for w in named):
            continue
        found.append(Mention(match.start(), match.end(), "date", core, " ".join(core.split())))
    return found


_NAMES_LOWER = frozenset(n.lower() for n in (*gz.MONTHS, *gz.MONTH_ABBREVIATIONS, *gz.WEEKDAYS))

# --- capitalised runs --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Z]\.(?= [A-Z])|[^\W\d_][\w’'&]*(?:-[^\W_a-z][\w’'&]*)*")
"""Words (hyphenated parts only when capitalised or numbers: "Sino-Belarusian", "F-16", not "Navy-operated"),
abbreviations ("U.S.") and middle initials ("MaryKay L. Carlson")."""
_CONNECTORS = frozenset({"of", "for", "the", "on", "and", "de", "du", "da", "del", "al", "von", "van", "bin", "der"})
_REPORTING = re.compile(
    r"^[’']?s?\s*(?:,[^,]{1,60},\s*)?(?:said|says|stated|states|told|added|noted|warned|announced|claimed|wrote|"
    r"argued|explained|confirmed|denied|insisted|reported|disclosed|revealed)\b"
)
_LOCATIVE = re.compile(r"\b(?:in|near|outside|across|into|inside|around|from|to|toward|towards)\s+$")
_ACRONYM_DEFINITION = re.compile(r"\s*\(\s*([A-Z][A-Za-z&]*[A-Z]s?)\s*\)")
_MAX_NAME_TOKENS = 7
_INITIAL = re.compile(r"[A-Z]\.$")


@dataclass(frozen=True)
class _Token(Span):
    text: str

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()

    @property
    def possessive(self) -> bool:
        return self.text.endswith(("’s", "'s", "s’", "s'"))


@dataclass(frozen=True)
class _Segment:
    """Tokens of a run, either a known name (``kind``: place, org, title) or residual (``kind`` empty)."""

    tokens: tuple[_Token, ...]
    kind: str = ""
    name: str = ""

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        last = self.tokens[-1]
        return last.end - (2 if last.possessive and last.text[-1] == "s" else 1 if last.possessive else 0)


def _place_name(folded: str) -> str | None:
    country = gz.COUNTRIES.get(folded) or gz.COUNTRY_ALIASES.get(folded) or gz.DEMONYMS.get(folded)
    if country:
        return country
    if folded in gz.CAPITALS or folded in gz.REGIONS or folded in gz.CITIES:
        return ""
    return None


_ORG_KEYS = {gz.key(name): gz.ORGANISATION_ALIASES.get(name, name) for name in gz.ORGANISATIONS}
_TITLE_KEYS = frozenset(gz.key(title) for title in gz.PERSON_TITLES)
_ORG_HEAD_KEYS = frozenset(gz.key(word) for word in gz.ORG_HEADS)
_PLACE_HEAD_KEYS = frozenset(gz.key(word) for word in gz.PLACE_HEADS)
_TITLE_BEFORE = re.compile(
    "(?:" + "|".join(re.escape(t.rstrip(".")) for t in sorted(gz.PERSON_TITLES, key=len, reverse=True)) + r")\.?\s+$"
)
_REGIONAL_KEYS = frozenset(gz.key(word) for word in gz.REGIONAL_ADJECTIVES)


def _known(text: str, tokens: Sequence[_Token]) -> tuple[str, str] | None:
    """What a run of tokens names in the gazetteer: (kind, canonical name), or None."""
    surface = text[tokens[0].start : tokens[-1].end]
    folded = gz.key(surface)
    place = _place_name(folded)
    if place is not None:
        return "place", place or _clean(surface)
    if folded in _ORG_KEYS and tokens[0].capitalised:
        return "org", _ORG_KEYS[folded]
    if folded in _TITLE_KEYS and len(tokens) < _MAX_NAME_TOKENS:
        return "title", surface
    return None


def _clean(surface: str) -> str:
    """A name as written, without a possessive ending and with single spaces."""
    return re.sub(r"[’']s?$", "", " ".join(surface.split()))


def _segments(text: str, run: Sequence[_Token]) -> list[_Segment]:
    """Split a run by the longest gazetteer names in it; connectors at the edges of what is left are dropped."""
    segments: list[_Segment] = []
    residual: list[_Token] = []
    index = 0
    while index < len(run):
        found = None
        for stop in range(min(len(run), index + _MAX_NAME_TOKENS), index, -1):
            tokens = run[index:stop]
            if not tokens[-1].capitalised:
                continue
            known = _known(text, tokens)
            if known:
                found = (stop, known)
                break
        if found is None:
            residual.append(run[index])
            if run[index].possessive:
                _flush(segments, residual)
            index += 1
            continue
        _flush(segments, residual)
        stop, (kind, name) = found
        segments.append(_Segment(tuple(run[index:stop]), kind, name))
        index = stop
    _flush(segments, residual)
    return segments


def _flush(segments: list[_Segment], residual: list[_Token]) -> None:
    """Close a residual segment, without the connectors at its edges; empty ``residual``.

    "and" joins the words of one organisation's name ("Foreign and Commonwealth Office"); elsewhere it separates
    two names, so the residual is split there.
    """
    tokens = list(residual)
    residual.clear()
    while tokens and not tokens[0].capitalised:
        tokens.pop(0)
    while tokens and not tokens[-1].capitalised:
        tokens.pop()
    if not tokens:
        return
    split = next((i for i, t in enumerate(tokens) if t.text == "and"), None)
    if split is not None and not any(gz.key(t.text) in _ORG_HEAD_KEYS for t in tokens[split:]):
        _flush(segments, tokens[:split])
        _flush(segments, tokens[split + 1 :])
        return
    segments.append(_Segment(tuple(tokens)))


def _runs(text: str, dates: Sequence[Mention]) -> list[list[_Token]]:
    """Runs of capitalised tokens one space apart (with connectors between them), broken by anything else and dates."""
    spans = sorted((m.start, m.end) for m in dates)
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    pending: list[_Token] = []
    last: _Token | None = None
    date_index = 0
    for match in _TOKEN.finditer(text):
        token = _Token(match.start(), match.end(), match.group(0))
        while date_index < len(spans) and spans[date_index][1] <= token.start:
            date_index += 1
        in_date = date_index < len(spans) and spans[date_index][0] <= token.start
        adjacent = last is not None and text[last.end : token.start] == " "
        if in_date:
            _close(runs, current)
            current, pending = [], []
        elif token.capitalised and current and adjacent:
            current += [*pending, token]
            pending = []
        elif token.capitalised:
            _close(runs, current)
            current, pending = [token], []
        elif current and adjacent and token.text.lower() in _CONNECTORS and len(pending) < 2:
            pending.append(token)
        else:
            _close(runs, current)
            current, pending = [], []
        last = token
    _close(runs, current)
    return runs


def _close(runs: list[list[_Token]], current: list[_Token]) -> None:
    if current:
        runs.append(current)


def _sentence_start(text: str, position: int) -> bool:
    before = text[max(0, position - 3) : position].rstrip(" \t“\"‘'(")
    return not before or before[-1] in ".!?:;\n—–-(" or position == 0


def _is_opener(text: str, token: _Token, lowered_words: frozenset[str]) -> bool:
    word = token.text.lower()
    return word in gz.SENTENCE_OPENERS or (word in lowered_words and _place_name(gz.key(word)) is None)


@dataclass
class _Pending:
    """A residual segment the first pass could not type: a surname or an acronym, maybe, resolved later."""

    segment: _Segment
    locative: bool


def extract_mentions(text: str) -> list[Mention]:
    """Every person, organisation, place and date mention of ``text``, in order of position.

    Mentions of different types may nest (the place "Belarusian" inside the organisation "Belarusian Special
    Operations Forces"); mentions of one type never overlap.
    """
    dates = _date_mentions(text)
    lowered_words = frozenset(w for w in re.findall(r"\b[a-z][a-z’'-]*\b", text))
    mentions: list[Mention] = list(dates)
    pending: list[_Pending] = []
    for run in _runs(text, dates):
        while run and run[0].text.lower() in _CONNECTORS:
            run = run[1:]
        if run and _sentence_start(text, run[0].start) and _is_opener(text, run[0], lowered_words):
            run = run[1:]
        while run and run[0].text.lower() in _CONNECTORS:
            run = run[1:]
        if run:
            _type_run(text, _segments(text, run), mentions, pending)
    _resolve(text, mentions, pending)
    return sorted(_deduplicated(mentions), key=lambda m: (m.start, -m.end, m.type))


def _mention(kind: str, text: str, start: int, end: int, name: str | None = None) -> Mention:
    surface = text[start:end]
    return Mention(start, end, kind, surface, name or _clean(surface))  # type: ignore[arg-type]


def _type_run(text: str, segments: list[_Segment], mentions: list[Mention], pending: list[_Pending]) -> None:
    """Type each segment of one run, appending mentions; leave unresolved residuals in ``pending``."""
    for index, segment in enumerate(segments):
        before = segments[index - 1] if index else None
        if segment.kind == "place":
            mentions.append(_mention("place", text, segment.start, segment.end, segment.name or None))
        elif segment.kind == "org":
            mentions.append(_mention("org", text, segment.start, segment.end, segment.name))
            after = segments[index + 1] if index + 1 < len(segments) else None
            if after is not None and after.kind == "org" and not segment.tokens[-1].possessive:
                mentions.append(_mention("org", text, segment.start, after.end))  # "UN Security Council"
        elif segment.kind == "title":
            continue
        else:
            _type_residual(text, segment, before, mentions, pending)


def _type_residual(
    text: str, segment: _Segment, before: _Segment | None, mentions: list[Mention], pending: list[_Pending]
) -> None:
    words = [gz.key(t.text) for t in segment.tokens]
    if any(w in _ORG_HEAD_KEYS for w in words):
        start = segment.start
        if before is not None and before.kind and not before.tokens[-1].possessive:
            start = before.start  # "Belarusian Special Operations Forces", "General Assembly", "UN Rights Council"
        mentions.append(_mention("org", text, start, segment.end))
        return
    if _hyphenated_places(text, segment, mentions) or any(w in _REGIONAL_KEYS for w in words):
        return
    if words[-1] in _PLACE_HEAD_KEYS and len(words) > 1:
        mentions.append(_mention("place", text, segment.start, segment.end))
        return
    after = text[segment.end : segment.end + 80]
    role = re.search(r"(\w+)\s+$", text[max(0, segment.start - 40) : segment.start])
    person_cue = (
        (before is not None and before.kind == "title")
        or bool(before is None and _TITLE_BEFORE.search(text[max(0, segment.start - 30) : segment.start]))
        or bool(role and role.group(1).lower() in gz.ROLE_NOUNS)
        or bool(_REPORTING.match(after))
    )
    plain_words = all(t.text[0].isupper() and (not t.text.isupper() or _INITIAL.match(t.text)) for t in segment.tokens)
    if person_cue and len(words) <= 4 or plain_words and 2 <= len(words) <= 4 and not _has_connector(segment):
        mentions.append(_mention("person", text, segment.start, segment.end))
        return
    locative = bool(_LOCATIVE.search(text[max(0, segment.start - 12) : segment.start]))
    pending.append(_Pending(segment, locative))


def _hyphenated_places(text: str, segment: _Segment, mentions: list[Mention]) -> bool:
    """Place mentions for the parts of a hyphenated word that name countries ("Sino-Belarusian"); whether any did."""
    found = False
    for token in segment.tokens:
        offset = token.start
        for part in token.text.split("-"):
            country = gz.country_of(part) if part else None
            if country and "-" in token.text:
                mentions.append(Mention(offset, offset + len(part), "place", part, country))
                found = True
            offset += len(part) + 1
    return found


def _has_connector(segment: _Segment) -> bool:
    return any(t.text.lower() in _CONNECTORS for t in segment.tokens)


def _resolve(text: str, mentions: list[Mention], pending: list[_Pending]) -> None:
    """Type what the first pass left, and name mentions by their entity.

    An acronym defined in parentheses names what stands before it, there and everywhere else; a surname alone
    names the one person of the text with that surname, and the first word of an organisation's name the one
    organisation it begins; an unknown name after "in", "near"... is a place.
    """
    aliases: dict[str, Mention] = {}
    by_end = {m.end: m for m in mentions if m.type != "date"}
    for match in _ACRONYM_DEFINITION.finditer(text):
        defined = by_end.get(match.start())
        if defined is not None:
            aliases[match.group(1)] = defined
    full_names: dict[str, set[str]] = {}
    for m in mentions:
        if m.type == "person" and " " in m.name:
            full_names.setdefault(m.name.split()[-1], set()).add(m.name)
    surnames = {surname: next(iter(names)) for surname, names in full_names.items() if len(names) == 1}
    long_orgs: dict[str, set[str]] = {}
    for m in mentions:
        if m.type == "org" and " " in m.name and not m.name.split()[0].isupper():
            long_orgs.setdefault(m.name.split()[0], set()).add(m.name)
    short_orgs = {first: next(iter(names)) for first, names in long_orgs.items() if len(names) == 1}
    named = [
        Mention(match.start(), match.end(), defined.type, acronym, defined.name)
        for acronym, defined in aliases.items()
        for match in re.finditer(rf"\b{re.escape(acronym)}\b", text)
    ]
    renamed = {(m.start, m.end) for m in named}
    mentions[:] = [m for m in mentions if (m.start, m.end) not in renamed or m.type == "date"] + named
    for item in pending:
        segment = item.segment
        surface = _clean(text[segment.start : segment.end])
        if surface in surnames:
            mentions.append(_mention("person", text, segment.start, segment.end, surnames[surface]))
        elif item.locative and surface not in aliases and not any(t.text.isupper() for t in segment.tokens):
            mentions.append(_mention("place", text, segment.start, segment.end))
    for index, m in enumerate(mentions):
        if m.type == "person" and m.name in surnames:
            mentions[index] = Mention(m.start, m.end, "person", m.text, surnames[m.name])
        elif m.type == "org" and m.name in short_orgs:  # "Lockheed" after "Lockheed Martin"
            mentions[index] = Mention(m.start, m.end, "org", m.text, short_orgs[m.name])


def _deduplicated(mentions: list[Mention]) -> list[Mention]:
    """Drop a mention that lies inside another of the same type (an acronym's own letters, a repeated find)."""
    kept: list[Mention] = []
    reach: dict[str, int] = {}
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if mention.end <= reach.get(mention.type, -1):
            continue
        reach[mention.type] = max(reach.get(mention.type, -1), mention.end)
        kept.append(mention)
    return kept
