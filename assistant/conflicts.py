"""Conflicting values: evidence sentences that give different values for the fact a question asks about.

Pure functions over the question and its evidence sentences; no model. A conflict needs two sentences that both
answer the question (they share at least half of its key terms) and fill the same slot with incompatible values:

- a count or amount, for "how many / how much / what percentage" questions: the number's own noun (the last
  word of the words after it: "40 Chinese officers" fills *officer*) must be the question's, and the values
  (bounds such as "more than 30" or "about 40" included) must not overlap;
- a date, for "when / what date / what year" questions: years, months or days that cannot be the same date;
- a person, for "who" questions: the name nearest the question's terms, by surname;
- a place, for "where" questions: the place named after "in / at / near / to / from", neither inside the other.

Numbers in one sentence never conflict with each other, and a sentence naming two values for one slot is left
out (it may be contrasting them). Each value lists the sentences giving it, with their source's grade; values
are ordered by their best grade (A1 first, ungraded last).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from index import SourceSpan
from index import gazetteer as gz
from index.grades import grade_order
from index.terms import STOPWORDS, content_terms

from .briefs import SourceSentence

__all__ = ["Conflict", "ConflictCitation", "ConflictValue", "find_conflicts"]


@dataclass(frozen=True)
class ConflictCitation(SourceSpan):
    """A sentence giving one of the conflicting values: ``quote == source_text[start:end]``."""

    quote: str
    grade: str | None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class ConflictValue:
    """One of the values the sentences give, as written, and the sentences giving it."""

    value: str
    citations: tuple[ConflictCitation, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"value": self.value, "citations": [c.as_dict() for c in self.citations]}


@dataclass(frozen=True)
class Conflict:
    """Sentences answering one question with different values for one fact (``kind``: number, date, person, place).

    ``fact`` names the slot ("officer" for a count of officers, "date", "person", "place"); ``values`` are
    ordered by the best grade of the sources giving each.
    """

    kind: str
    fact: str
    values: tuple[ConflictValue, ...]

    @property
    def citations(self) -> list[ConflictCitation]:
        """Every sentence of the conflict, value by value."""
        return [citation for value in self.values for citation in value.citations]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of one entry of an answer's ``conflicts``."""
        return {
            "kind": self.kind,
            "fact": self.fact,
            "values": [value.as_dict() for value in self.values],
            "citations": [citation.as_dict() for citation in self.citations],
        }


@dataclass(frozen=True)
class _Mention:
    """A value one sentence gives for a slot: its text, a key deciding sameness, and whether it fits another."""

    slot: str
    text: str
    key: Any


# Questions -------------------------------------------------------------------------------------------------------

_QUANTITY = re.compile(
    r"\bhow (?:many|much)\b|\bwhat (?:number|percentage|share|proportion|amount|total|figure|sum)\b"
    r"|\bwhat (?:is|was|were|are)\b[^?]{0,40}\b(?:revenue|profit|cost|price|budget|value|population|turnout|income|"
    r"spending|deficit|debt|salary|worth|sales|size|strength)\b",
    re.I,
)
_DATE_QUESTION = re.compile(
    r"\bwhen\b|\b(?:what|which)\b[^?]{0,30}\b(?:date|day|month|year)\b|\bon what (?:date|day)\b", re.I
)
_PERSON_QUESTION = re.compile(r"\bwho(?:m|se)?\b|\bwhat is the name\b", re.I)
_PLACE_QUESTION = re.compile(
    r"\bwhere\b|\b(?:what|which|in what) (?:city|country|town|region|place|location|province|village|base|port)\b"
    r"|\b(?:location|venue)\b",
    re.I,
)
_QUESTION_WORDS = frozenset("many much number percentage share proportion amount total figure sum name".split())
_PERCENT_QUESTION = re.compile(r"\bwhat (?:percentage|share|proportion)\b|\bper ?cent\b|%", re.I)

# Numbers ---------------------------------------------------------------------------------------------------------

_SMALL = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen".split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_VALUES = {**{word: value for value, word in enumerate(_SMALL)}, **_TENS, "dozen": 12, "a dozen": 12}
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:{'|'.join(sorted(_WORD_VALUES, key=len, reverse=True))}))"
)
_QUALIFIERS = {
    "about": (0.85, 1.15),
    "around": (0.85, 1.15),
    "approximately": (0.85, 1.15),
    "roughly": (0.85, 1.15),
    "some": (0.85, 1.15),
    "nearly": (0.85, 1.0),
    "almost": (0.85, 1.0),
    "more than": (1.0, math.inf),
    "over": (1.0, math.inf),
    "above": (1.0, math.inf),
    "at least": (1.0, math.inf),
    "fewer than": (0.0, 1.0),
    "less than": (0.0, 1.0),
    "under": (0.0, 1.0),
    "below": (0.0, 1.0),
    "up to": (0.0, 1.0),
    "at most": (0.0, 1.0),
}
_AMOUNT = re.compile(
    rf"(?<![\w.,-])(?:(?P<qualifier>{'|'.join(_QUALIFIERS)})\s+)?(?P<currency>[$€£])?(?P<low>{_NUMBER})"
    rf"(?:\s*(?:-|–|to)\s*(?P<high>{_NUMBER}))?(?:\s+(?P<scale>{'|'.join(_SCALES)}))?(?P<percent>\s*%|\s+per ?cent)?"
    r"(?![\w.,]*\d)(?P<after>(?:\s+[A-Za-z][\w'’-]*){0,4})",
    re.I,
)
_STOP = frozenset(
    """of in at to from on by for with and or but were was are is be been have has had will would could can may do
    does did that which who whom as than the a an per each this these those its their his her our new more most
    other into over under near after before since during while when where""".split()
)
_UNIT_ALIASES = {"%": "percent", "per cent": "percent", "km": "kilometre", "kilometer": "kilometre"}

# Dates -----------------------------------------------------------------------------------------------------------

_MONTHS = {name.lower(): number for number, name in enumerate(gz.MONTHS, start=1)}
_MONTH = "|".join(_MONTHS)
_DATE = re.compile(
    rf"\b(?:(?P<month1>{_MONTH})\s+(?P<day1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year1>\d{{4}}))?"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>{_MONTH})(?:,?\s+(?P<year2>\d{{4}}))?"
    rf"|(?P<month3>{_MONTH})(?:\s+of)?\s+(?P<year3>\d{{4}})"
    r"|(?P<iso>(?P<year4>\d{4})-(?P<month4>\d{2})-(?P<day4>\d{2}))"
    r"|(?:in|since|by|during|until)\s+(?P<year5>(?:19|20)\d\d))\b",
    re.I,
)

# Names and places ------------------------------------------------------------------------------------------------

_TITLES = (
    r"(?:(?:Major|Lieutenant|Brigadier) General|Lieutenant Colonel|Rear Admiral|Vice Admiral|General|Colonel|Major|"
    r"Captain|Lieutenant|Sergeant|Admiral|Commander|President|Vice President|Prime Minister|(?:Defen[cs]e|Foreign|"
    r"Interior) Minister|Minister|Secretary General|Secretary|Ambassador|Senator|Governor|Mayor|Chancellor|Director|"
    r"Chief|Dr\.|Mr\.|Mrs\.|Ms\.|Gen\.|Col\.|Lt\.|Maj\.|Capt\.|Adm\.|Sgt\.)"
)
_WORD = r"[A-Z][a-z’'A-Z-]*[a-z]"
_TITLED = re.compile(rf"\b{_TITLES}\s+(?P<name>(?:{_WORD}\s+){{0,2}}{_WORD})\b")
_CAPITALISED = re.compile(rf"\b(?P<name>{_WORD}(?:\s+{_WORD}){{1,2}})\b")
_NOT_NAMES = frozenset(
    """forces force ministry army navy institute council court union operations special guard guards party agency
    committee commission office service services group brigade division command staff department university news
    bank company nations states kingdom federation republic region oblast province sea strait shoal island islands
    river sector front district security defence defense military national international central eastern western
    northern southern north south east west study war peace liberation intelligence emergency border general
    secretary minister president colonel major captain commander the according in on at of""".split()
)
_AFTER_ARTICLE_OR_PLACE = re.compile(r"\b(?:the|a|an|in|at|from|to|into|near|of|on)\s+$", re.I)
_PLACE = re.compile(
    rf"\b(?:in|at|near|to|from|into|outside|inside|towards?)\s+(?:the\s+)?(?P<place>{_WORD}(?:[\s-]+{_WORD}){{0,3}})",
)


def _relevant(sentence: str, terms: set[str], numbers: set[str]) -> bool:
    """Whether a sentence answers the same question: it names its numbers (a year) and half its key terms."""
    if not numbers <= set(re.findall(r"\d+", sentence)):
        return False
    return not terms or len(terms & set(content_terms(sentence))) * 2 >= len(terms)


def _near_terms(sentence: str, start: int, end: int, terms: set[str], words: int) -> bool:
    """Whether ``sentence[start:end]`` lies at most ``words`` words from a word of the question."""
    for match in re.finditer(r"[\w’'-]+", sentence):
        if set(content_terms(match.group())) & terms:
            between = sentence[end : match.start()] if match.start() >= end else sentence[match.end() : start]
            if len(between.split()) <= words:
                return True
    return False


def _number(text: str) -> float:
    text = text.lower().replace(",", "")
    return float(_WORD_VALUES[text]) if text in _WORD_VALUES else float(text)


def _singular(word: str) -> str:
    word = _UNIT_ALIASES.get(word.lower(), word.lower())
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def _verb_like(word: str) -> bool:
    return len(word) > 4 and word.lower().endswith(("ed", "ing"))


def _head(words: Sequence[str]) -> str | None:
    """The noun a number counts, singular: the last lower-case word after it before a function or verb-like word.

    Proper adjectives before it are skipped: "40 Chinese military officers arrived" counts *officer*.
    """
    run: list[str] = []
    for word in words:
        if word.lower() in _STOP or _verb_like(word) or (word[0].isupper() and run):
            break
        if word[0].isupper():
            continue
        run.append(word)
    return _singular(run[-1]) if run else None


def _amounts(sentence: str, fact: str | None) -> list[_Mention]:
    """Counts and amounts in a sentence, with the noun each counts.

    Only those counting ``fact``; without one, only sums of money, percentages and amounts in millions and the like.
    """
    mentions = []
    for match in _AMOUNT.finditer(sentence):
        low, high = match.group("low"), match.group("high") or match.group("low")
        scale = _SCALES.get((match.group("scale") or "").lower(), 1.0)
        measured = bool(match.group("percent") or match.group("currency"))
        if match.group("percent"):
            unit: str | None = "percent"
        elif match.group("currency"):
            unit = match.group("currency")
        else:
            unit = _head(match.group("after").split())
        if unit is None or (not match.group("scale") and re.fullmatch(r"(?:19|20)\d\d", low) and low == high):
            continue  # no noun to count, or a year
        if fact is not None and unit != fact or match.group("after").lower().split()[1:2] == ["ago"]:
            continue  # counts something else, or a date ("ten years ago")
        if fact is None and not (measured or match.group("scale")):
            continue  # a question naming no noun ("how much ...?") asks for money, a share or a large amount
        factor = _QUALIFIERS.get((match.group("qualifier") or "").lower(), (1.0, 1.0))
        bounds = (_number(low) * scale * factor[0], _number(high) * scale * factor[1])
        text = match.group(0)[: len(match.group(0)) - len(match.group("after"))]
        text += "" if measured else _unit_words(match.group("after"))
        mentions.append(_Mention(unit, text.strip(), bounds))
    return mentions


def _unit_words(after: str) -> str:
    """The words after a number that name what it counts, for showing the value."""
    kept: list[str] = []
    for word in after.split():
        if word.lower() in _STOP or _verb_like(word):
            break
        kept.append(word)
    return " " + " ".join(kept) if kept else ""


def _dates(sentence: str) -> list[_Mention]:
    mentions = []
    for match in _DATE.finditer(sentence):
        groups = match.groupdict()
        month = next((groups[f"month{i}"] for i in range(1, 5) if groups[f"month{i}"]), None)
        day = next((groups[f"day{i}"] for i in (1, 2, 4) if groups[f"day{i}"]), None)
        year = next((groups[f"year{i}"] for i in range(1, 6) if groups[f"year{i}"]), None)
        month_number = int(month) if month and month.isdigit() else _MONTHS.get((month or "").lower())
        text = match.group(0)
        text = re.sub(r"^(?:in|since|by|during|until)\s+", "", text, flags=re.I)
        key = (int(year) if year else None, month_number, int(day) if day else None)
        mentions.append(_Mention("date", text, key))
    return mentions


def _people(sentence: str, terms: set[str]) -> list[_Mention]:
    """The one person a sentence names, keyed by the words of the name; none when it names several.

    A titled name ("Colonel Ivan Petrov") counts anywhere in the sentence; an untitled one only right beside the
    question's words ("the commander ... is Ivan Petrov"), not after an article or a preposition of place ("the
    Academy Award", "in Las Vegas"), and never a capitalised phrase holding a function word ("When Facebook"), an
    organisation's word or a word of the question ("Wimbledon Championships").
    """
    titled = [m for m in _TITLED.finditer(sentence) if not any(_not_a_name(w) for w in m.group("name").split())]
    untitled = [
        m
        for m in _CAPITALISED.finditer(sentence)
        if not _headline(sentence)
        and not _AFTER_ARTICLE_OR_PLACE.search(sentence[: m.start()])
        and not any(_not_a_name(word) for word in m.group("name").split())
        and _near_terms(sentence, m.start("name"), m.end("name"), terms, 3)
    ]
    spans = [(m.start("name"), m.end("name")) for m in [*titled, *untitled]]
    names = [re.sub(r"['’]s$", "", sentence[a:b]) for a, b in spans]
    names = [name for name in names if not set(content_terms(name)) & terms]
    people: list[tuple[str, frozenset[str]]] = []
    for name in names:
        words = frozenset(word.lower() for word in name.split())
        if not any(words & known for _, known in people):
            people.append((name, words))
    if len(people) != 1:
        return []
    return [_Mention("person", people[0][0], people[0][1])]


def _headline(sentence: str) -> bool:
    """Whether a sentence is in title case, where capitals do not mark names ("Cast & Crew List")."""
    words = re.findall(r"[A-Za-z][\w’'-]*", sentence)
    return len(words) >= 4 and sum(word[0].isupper() for word in words) * 5 > len(words) * 2


def _not_a_name(word: str) -> bool:
    lower = word.lower()
    return (
        lower in _NOT_NAMES
        or lower in STOPWORDS
        or lower in _MONTHS
        or lower.endswith(("ian", "ese", "ish"))
        or not word[:1].isupper()
    )


def _places(sentence: str, terms: set[str]) -> list[_Mention]:
    """Places named after a preposition of place, right beside the question's words ("deployed to Brest")."""
    return [
        _Mention("place", m.group("place"), m.group("place").lower())
        for m in _PLACE.finditer(sentence)
        if m.group("place").split()[0].lower() not in _MONTHS
        and not _TITLED.match(sentence, m.start("place"))
        and not set(content_terms(m.group("place"))) & terms
        and _near_terms(sentence, m.start(), m.end(), terms, 3)
    ]


def _same(kind: str, first: Any, second: Any) -> bool:
    """Whether two values are one: a person sharing a word of the name, a place inside or a term of the other.

    Places share a term when one is the other's capital ("Beijing" and "China"); other values must be equal.
    """
    if kind == "person":
        return bool(first & second)
    if kind == "place":
        return bool(first in second or second in first or set(content_terms(first)) & set(content_terms(second)))
    return bool(first == second)


def _compatible(kind: str, first: Any, second: Any) -> bool:
    """Whether two values could be the same fact (overlapping amounts, dates that agree where both are given)."""
    if kind == "number":
        return bool(first[0] <= second[1] and second[0] <= first[1])
    if kind == "date":
        return all(a is None or b is None or a == b for a, b in zip(first, second, strict=True))
    return _same(kind, first, second)


def _question_kind(question: str) -> tuple[str, str | None] | None:
    """What a question asks for: (kind, the noun a count must count, or None), or None when no slot applies."""
    if _QUANTITY.search(question):
        if _PERCENT_QUESTION.search(question):
            return "number", "percent"
        after = re.search(r"\bhow (?:many|much)\s+(.*)", question, re.I)
        return "number", _head(re.findall(r"[\w’'-]+", after.group(1))) if after else None
    if _DATE_QUESTION.search(question):
        return "date", None
    if _PERSON_QUESTION.search(question):
        return "person", None
    if _PLACE_QUESTION.search(question):
        return "place", None
    return None


def find_conflicts(
    question: str, sentences: Sequence[SourceSentence], grades: Mapping[str, str | None] | None = None
) -> list[Conflict]:
    """The conflicts among the evidence sentences for ``question``; ``grades`` maps each source to its grade."""
    asked = _question_kind(question)
    if asked is None:
        return []
    kind, fact = asked
    terms = set(content_terms(question)) - _QUESTION_WORDS - {fact or ""}
    numbers = set(re.findall(r"\d+", question))
    by_slot: dict[str, list[tuple[SourceSentence, _Mention]]] = {}
    seen: set[tuple[str, int, int]] = set()
    for sentence in sentences:
        where = (sentence.source, sentence.start, sentence.end)
        if where in seen or not _relevant(sentence.text, terms, numbers):
            continue
        seen.add(where)
        if kind == "number":
            mentions = _amounts(sentence.text, fact)
        elif kind == "date":
            mentions = _dates(sentence.text)
        elif kind == "person":
            mentions = _people(sentence.text, terms)
        else:
            mentions = _places(sentence.text, terms)
        slots: dict[str, list[_Mention]] = {}
        for mention in mentions:
            slots.setdefault(mention.slot, []).append(mention)
        for slot, found in slots.items():
            if all(_same(kind, m.key, found[0].key) for m in found):  # two values in one sentence: a contrast
                by_slot.setdefault(slot, []).append((sentence, found[0]))
    return [
        conflict
        for slot, found in by_slot.items()
        if (conflict := _conflict(kind, slot, found, grades or {})) is not None
    ]


def _conflict(
    kind: str, slot: str, found: list[tuple[SourceSentence, _Mention]], grades: Mapping[str, str | None]
) -> Conflict | None:
    """The values of one slot, grouped, when at least two of them cannot both be true."""
    groups: list[tuple[_Mention, list[SourceSentence]]] = []
    for sentence, mention in found:
        for number, (value, group) in enumerate(groups):
            if _same(kind, value.key, mention.key):
                group.append(sentence)
                if kind == "person" and len(mention.text) < len(value.text):  # "Ivan Petrov", not "Ivan Petrov Wins"
                    groups[number] = (mention, group)
                break
        else:
            groups.append((mention, [sentence]))
    keys = [value.key for value, _ in groups]
    if all(_compatible(kind, a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]):
        return None
    values = [
        ConflictValue(
            value.text,
            tuple(
                ConflictCitation(s.source, s.start, s.end, s.paragraph, s.text, grades.get(s.source))
                for s in sorted(group, key=lambda s: grade_order(grades.get(s.source)))
            ),
        )
        for value, group in groups
    ]
    values.sort(key=lambda v: grade_order(v.citations[0].grade))
    return Conflict(kind, slot, tuple(values))
