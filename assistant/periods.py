"""The periods and numbers a question names (a year, a quarter, a count), and whether a sentence names the same.

Pure text checks, like :mod:`assistant.grounding`: "Who won Wimbledon in 2019?" is not answered by a sentence about
2018, nor "… in Q2 2019?" by one about Q3.
"""

from __future__ import annotations

import re

from .grounding import Question

__all__ = ["NUMBER_PATTERN", "matches_numbers", "names_another_period", "spell_quarters"]


# A number: digits joined by "." or "," ("6.3", "3,000"), but not across a time ("2012.12:01 AM" is 2012, then a time).
NUMBER_PATTERN = r"\d+(?:[.,]\d+(?![\d:]))*"
_EXACT_NUMBER = re.compile(rf"\b(?:{NUMBER_PATTERN}|[QH][1-4])\b")
_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter\b", re.IGNORECASE)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


def spell_quarters(text: str) -> str:
    """``text`` with each quarter of a year written as ``Q1``..``Q4`` ("third-quarter revenue" -> "Q3 revenue")."""
    return _QUARTER.sub(lambda m: f"Q{_ORDINALS[m.group(1).lower()]}", text)


_PERIOD_KINDS = (re.compile(r"\b(?:19|20)\d\d\b"), re.compile(r"\bQ[1-4]\b"))


def names_another_period(sentence: str, question: Question) -> bool:
    """Whether ``sentence`` names a year or a quarter, but not the one the question names.

    A sentence about Q3 does not answer "… in Q2 2019?"; one that names no year may ("Biden wins the election" for
    "Who won the 2020 election?"), since a brief's context dates it.
    """
    sentence, asked = spell_quarters(sentence), spell_quarters(question.text)
    for kind in _PERIOD_KINDS:
        wanted, named = set(kind.findall(asked)), set(kind.findall(sentence))
        if wanted and named and not wanted & named:
            return True
    return False


def matches_numbers(sentence: str, question: Question) -> bool:
    """Whether every number the question names (a year, a quarter, a count) appears in the sentence as well.

    "Who won Wimbledon in 2019?" is not answered by a sentence about 2018, however similar; "Q3" is answered by
    "third-quarter".
    """
    present = set(_EXACT_NUMBER.findall(spell_quarters(sentence)))
    asked = _EXACT_NUMBER.findall(spell_quarters(question.text))
    # A year the question names an event by ("the 2019 floods") is not a year the sentence counts from or to
    # ("the worst flooding since 2019"), and "since 2019" is not "in 2019".
    years, held = _bounded_years(question.text), _bounded_years(sentence)
    return all(
        number in present and (number not in years or years[number] & held.get(number, set())) for number in asked
    )


_BOUNDED_YEAR = re.compile(r"\b(?:(since|before|after|until|till)\s+(?:[\w’'-]+\s+)?)?((?:19|20)\d\d)\b", re.IGNORECASE)


def _bounded_years(text: str) -> dict[str, set[str]]:
    """Each year of ``text`` with the words that bound it ("since", "until"; "" where none does)."""
    found: dict[str, set[str]] = {}
    for match in _BOUNDED_YEAR.finditer(text):
        found.setdefault(match.group(2), set()).add((match.group(1) or "").lower())
    return found
