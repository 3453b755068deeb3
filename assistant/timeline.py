"""Timelines: the dated events of the briefs in date order, each with its date as written and a normalised one.

Every date mention of the entity index is an event: its sentence, quoted verbatim with its citation. The
date is normalised against the brief's own date, its *anchor*:

1. the document's date (from its metadata, or the first full date in its text, as ``brief ingest`` stores it);
2. else a full date in its title;
3. else nothing: a date without a year stays partial, in the XML Schema forms ``--10-28`` (a day of a month)
   and ``--10`` (a month), and a weekday or "yesterday" stays null. A year the text merely names is not taken
   as the document's year: "since 2005" in a 2024 report would date its "April" to 2005.

"October 27-28" becomes 2024-10-27 with ``until`` 2024-10-28; "the night of", "early", "late" are kept in the
date as written and dropped from the normalised one; a weekday ("on Sunday") is the last such day on or before
the document's date; "this year", "last month", "N years ago" count from the anchor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from index.gazetteer import MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS

from .briefs import Brief, SourceSentence

__all__ = ["Anchor", "TimelineEvent", "anchor_of", "build_timeline", "normalize_date", "parse_date"]

_MONTH_NUMBER = {name.lower(): number for number, name in enumerate(MONTHS, start=1)} | {
    abbreviation.lower(): MONTHS.index(next(m for m in MONTHS if m.startswith(abbreviation[:3]))) + 1
    for abbreviation in MONTH_ABBREVIATIONS
}
_MONTH = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_RANGE_END = r"(?:\s*[-–—]\s*|\s+(?:and|to)\s+)(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"((?:1[89]|20)\d\d)"
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+{_DAY}(?:{_RANGE_END})?(?:,?\s+{_YEAR})?\b", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b{_DAY}(?:{_RANGE_END})?\s+({_MONTH})\.?(?:,?\s+{_YEAR})?\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\.?(?:,?\s+{_YEAR})?\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
_YEAR_ONLY = re.compile(rf"^(?:the\s+)?{_YEAR}$")
_WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAYS)})\b", re.IGNORECASE)
_RELATIVE = re.compile(r"\b(last|this|next|earlier\s+this|later\s+this)\s+(week|month|year|weekend)\b", re.IGNORECASE)
_AGO = re.compile(
    r"\b(a|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(days?|weeks?|months?|years?|decades?)\s+ago\b",
    re.IGNORECASE,
)
_NUMBERS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten".split(), start=1)} | {"a": 1}


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The first full calendar date in ``text`` ("2023-12-10", "December 10, 2023", "10 Dec 2023"), or None."""
    iso = _ISO.search(text)
    if iso:
        return _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    for match in _MONTH_DAY.finditer(text):
        if match.group(4):
            return _safe_date(int(match.group(4)), _MONTH_NUMBER[match.group(1).lower()], int(match.group(2)))
    for match in _DAY_MONTH.finditer(text):
        if match.group(4):
            return _safe_date(int(match.group(4)), _MONTH_NUMBER[match.group(3).lower()], int(match.group(1)))
    return None


@dataclass(frozen=True)
class Anchor:
    """The date a brief's relative dates count from, and where it was found; empty when the brief has none."""

    year: int | None = None
    day: date | None = None
    found_in: str = ""

    def describe(self) -> str | None:
        """A short phrase for the JSON ("document date 2023-12-10"), or None."""
        return f"{self.found_in} {self.day.isoformat()}" if self.day else None


def anchor_of(brief: Brief) -> Anchor:
    """The date ``brief``'s relative dates count from (see the module's docstring for the order)."""
    for found_in, value in (("document date", brief.date), ("date in the title", brief.title)):
        day = parse_date(value or "")
        if day:
            return Anchor(day.year, day, found_in)
    return Anchor()


def _day(year: int | None, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def normalize_date(expression: str, anchor: Anchor) -> tuple[str | None, str | None]:
    """The ISO form of a date expression (full or partial) and, for a range, of its last day; None when unknown."""
    text = " ".join(expression.split())
    iso = _ISO.search(text)
    if iso:
        return iso.group(0), None
    match = _MONTH_DAY.search(text)
    if match:
        month, first, last, year = _MONTH_NUMBER[match.group(1).lower()], match.group(2), match.group(3), match.group(4)
        year_number = int(year) if year else anchor.year
        return _day(year_number, month, int(first)), _day(year_number, month, int(last)) if last else None
    match = _DAY_MONTH.search(text)
    if match:
        first, last, month, year = match.group(1), match.group(2), _MONTH_NUMBER[match.group(3).lower()], match.group(4)
        year_number = int(year) if year else anchor.year
        return _day(year_number, month, int(first)), _day(year_number, month, int(last)) if last else None
    match = _MONTH_YEAR.search(text)
    if match:
        month, year_number = _MONTH_NUMBER[match.group(1).lower()], int(match.group(2) or anchor.year or 0)
        return (f"{year_number:04d}-{month:02d}" if year_number else f"--{month:02d}"), None
    match = _YEAR_ONLY.match(text)
    if match:
        return match.group(1), None
    return _relative(text, anchor), None


def _relative(text: str, anchor: Anchor) -> str | None:
    """Weekdays, "yesterday", "last month", "this year", "N years ago", counted from the anchor."""
    lowered = text.lower()
    weekday = _WEEKDAY.search(text)
    if weekday and anchor.day:
        back = (anchor.day.weekday() - WEEKDAYS.index(weekday.group(1).title())) % 7
        return (anchor.day - timedelta(days=back)).isoformat()
    if lowered == "yesterday" and anchor.day:
        return (anchor.day - timedelta(days=1)).isoformat()
    relative = _RELATIVE.search(text)
    if relative and anchor.year:
        step = {"last": -1, "next": 1}.get(relative.group(1).lower(), 0)
        unit = relative.group(2).lower()
        if unit == "year":
            return str(anchor.year + step)
        if unit == "month" and anchor.day:
            month_index = anchor.day.year * 12 + anchor.day.month - 1 + step
            return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"
        return None
    ago = _AGO.search(text)
    if ago and anchor.year:
        count = _NUMBERS.get(ago.group(1).lower()) or int(ago.group(1))
        unit = ago.group(2).lower().rstrip("s")
        if unit == "year":
            return str(anchor.year - count)
        if anchor.day and unit in ("day", "week"):
            return (anchor.day - timedelta(days=count * (7 if unit == "week" else 1))).isoformat()
    return None


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event: the date as written, its normalised form, and the sentence that holds it."""

    date: str
    normalized: str | None
    sentence: SourceSentence
    until: str | None = None
    anchor: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape of ``brief timeline --json``: date, normalized, until, anchor, text, citations."""
        return {
            "date": self.date,
            "normalized": self.normalized,
            "until": self.until,
            "anchor": self.anchor,
            "text": self.sentence.text,
            "citations": [self.sentence.as_dict()],
        }


def build_timeline(briefs: Sequence[Brief]) -> list[TimelineEvent]:
    """Every date mention of ``briefs`` as an event, in date order.

    Dates with a year come first, in order; then dates without one (``--10-28``), in calendar order; then the
    ones that could not be normalised, in document order. A sentence naming one date twice is one event.
    """
    events: dict[tuple[str, int, str], TimelineEvent] = {}
    for brief in briefs:
        anchor = anchor_of(brief)
        for mention in brief.mentions:
            if mention.type != "date":
                continue
            sentence = brief.sentence_at(mention.start)
            if sentence is None:
                continue
            normalized, until = normalize_date(mention.text, anchor)
            event = TimelineEvent(mention.text, normalized, sentence, until, anchor.describe())
            events.setdefault((sentence.source, sentence.start, normalized or mention.text), event)
    return sorted(events.values(), key=_order)


def _order(event: TimelineEvent) -> tuple[int, str, str, int]:
    normalized = event.normalized or ""
    rank = 2 if not normalized else 1 if normalized.startswith("--") else 0
    return rank, normalized, event.sentence.source, event.sentence.start
