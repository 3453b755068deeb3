"""Checking a written sentence against the sentences it cites: every fact it states must be there.

A claim passes only when, against the text of its citations alone:
- its content words are there (or in the question, or are words any answer uses), all but at most one;
- every number is there as the same token (``1`` is not ``13``; ``three`` is ``3``; ``Q3`` is ``third-quarter``),
  with the bound its citations give it (``86,000`` is not ``roughly 86,000``, nor ``about 60`` ``more than 60``);
- every date expression is there (``October 28`` is ``28 October``, not ``October 27-28``);
- every name is there, as written, as its demonym or as its acronym (``Georgian`` is supported by ``Georgia``,
  ``UN`` by ``United Nations``, ``VAT`` by ``value added tax``; ``Moscow`` is not supported by ``Russian``); a title
  the question gave may be restated, but not a place it gave;
- it gives a cause ("because", "due to") only where its citations give one ("the cause was", "which is why", "after");
- it negates nothing the citations do not negate, and affirms nothing they negate ("endorsed" for "has not
  endorsed");
- two names keep their roles: ``A struck B`` is not supported by ``B struck A``, nor ``A was detained`` by
  ``A …, detaining B``;
- whoever it makes speak ("X said", "according to X") speaks in its citations.

Nothing here calls a model, so every rule is deterministic and unit-tested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index import gazetteer
from index.terms import STOPWORDS, content_terms, name_term, normalize_term

from .grounding import IRREGULAR_PAST, NEGATION, PARAPHRASE, WordSimilarity, entities
from .periods import NUMBER_PATTERN, spell_quarters

__all__ = ["Verdict", "WordSimilarity", "check_claim", "date_expressions", "numbers", "spells_out"]


_ROLE_GAP = 6
_WORD = re.compile(r"[^\W_]+(?:[’'][^\W_]+)*")
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
    "billion": "1000000000",
    "dozen": "12",
}
_NUMBER = re.compile(NUMBER_PATTERN + r"|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_DATE_EXPRESSION = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?!\d)(?:st|nd|rd|th)?(?:\s*(?:-|–|to|and)\s*\d{{1,2}}(?!\d)(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?"
    rf"|\b\d{{1,2}}(?:\s*(?:-|–)\s*\d{{1,2}})?\s+{_MONTH}(?:\s+\d{{4}})?",
)
_NEGATED = re.compile(
    r"(?:\b(?:not|never|no longer)|n[’']t)\s+"
    r"(?:(?:yet|ever|been|being|be|have|has|had|to|any|either|directly|fully)\s+)*([^\W\d_]+)",
    re.IGNORECASE,
)
"""A verb its sentence negates ("has not endorsed", "despite not being directly involved")."""
_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+(?:\w+ly\s+)?\w+\b[^.]{0,40}?\bby\b", re.IGNORECASE)
_REPORTING = (
    r"(?:say|says|said|saying|stated?|states|stating|told|tells?|telling|report(?:s|ed|ing)?|announc(?:e|es|ed|ing)|"
    r"claim(?:s|ed|ing)?|den(?:y|ies|ied|ying)|warn(?:s|ed|ing)?|add(?:s|ed|ing)?|wr(?:ote|ites?|iting)|"
    r"not(?:e|es|ed|ing)|accus(?:e|es|ed|ing)|confirm(?:s|ed|ing)?)"
)
_SAID_BY = re.compile(
    rf"\b([A-Z][\w’'.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w’'.-]*)*)(?:,[^,]{{1,60}},)?\s+{_REPORTING}\b"
    r"(?!\s+to\s+(?:be|have)\b)"  # "NATO reported to be monitoring": said of NATO, not by it
    r"|\baccording to (?:the\s+)?([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)"
)
_REPORTING_VERB = re.compile(rf"\b{_REPORTING}\b|\baccording to\b", re.IGNORECASE)
_GENERIC = frozenset(
    normalize_term(w)
    for w in "passage passages sentence sentences brief briefs text document report reported mention mentioned "
    "information context question answer according state stated say said due because".split()
)


_CAUSE = re.compile(r"\b(?:because|due to|owing to|as a result|caused by|the reason)\b", re.IGNORECASE)
"""A claim that gives a cause: "behind schedule because the vessels performed well"."""
_CAUSAL = re.compile(
    r"\b(?:because|due|owing|result(?:s|ed)?|caus(?:e|es|ed|ing)|reasons?|why|after|following|blamed|attributed|"
    r"so|therefore|thus|led|leads?|prompt(?:s|ed)?|since|forc(?:e|es|ed)|amid)\b",
    re.IGNORECASE,
)
"""A word by which a sentence gives a cause ("the principal cause was", "which is why", "after talks collapsed")."""


_PLACE_NAMES = frozenset(
    name_term(word)
    for place in (
        *gazetteer.COUNTRIES,
        *gazetteer.COUNTRY_ALIASES,
        *gazetteer.DEMONYMS,
        *gazetteer.CAPITALS,
        *gazetteer.CITIES,
        *gazetteer.REGIONS,
    )
    for word in _WORD.findall(place)
)
"""Every word of a place name the gazetteer knows, as :func:`name_term` spells it."""


def _lemma(term: str) -> str:
    """An adverb's adjective ("historically" -> "historical"), so that the two forms of one word meet."""
    return term[:-2] if len(term) >= 7 and term.endswith("ly") else term


def numbers(text: str) -> set[str]:
    """The numbers of ``text`` as canonical tokens: ``3,000`` -> ``3000``, ``three`` -> ``3``."""
    found = set()
    for match in _NUMBER.finditer(text):
        token = match.group(0).lower()
        token = _NUMBER_WORDS.get(token, token)
        found.add(token.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token) else token)
    return found


_BOUNDS = {
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "some": "about",
    "estimated": "about",
    "nearly": "below",
    "almost": "below",
    "less than": "below",
    "fewer than": "below",
    "under": "below",
    "up to": "below",
    "at most": "below",
    "more than": "above",
    "over": "above",
    "at least": "above",
    "upwards of": "above",
    "in excess of": "above",
}
_BOUND = re.compile(r"\b(" + "|".join(_BOUNDS) + r")\s+(?:an?\s+)?[*_]*[$€£]?$", re.IGNORECASE)


def _bounded_numbers(text: str) -> list[tuple[str, str]]:
    """Each number of ``text`` (as :func:`numbers` gives it) with the bound before it, or "".

    "roughly 86,000" -> ``("86000", "about")``; the bounds are "about", "below" and "above".
    """
    found = []
    for match in _NUMBER.finditer(text):
        bound = _BOUND.search(text, max(0, match.start() - 20), match.start())
        found += [(number, _BOUNDS[bound.group(1).lower()] if bound else "") for number in numbers(match.group(0))]
    return found


def _bound_dropped(claim: str, texts: Sequence[str]) -> str:
    """A number of the claim whose citations always bound it otherwise ("86,000" for "roughly 86,000"), or ""."""
    cited = [pair for text in texts for pair in _bounded_numbers(text)]
    for number, bound in _bounded_numbers(claim):
        bounds = {b for n, b in cited if n == number}
        if bounds and "" not in bounds and bound not in bounds:
            return number
    return ""


def date_expressions(text: str) -> set[str]:
    """Month-and-day expressions of ``text`` in one canonical spelling (``Oct. 28th`` -> ``oct 28``)."""
    canonical = set()
    for match in _DATE_EXPRESSION.finditer(text):
        words = re.findall(r"[A-Za-z]+|\d+", match.group(0))
        words = [w.lower()[:3] if w.isalpha() and w.lower() not in ("to", "and") else w.lower() for w in words]
        words = [w for w in words if w not in ("st", "nd", "rd", "th", "to", "and")]
        # Month first, then the day or days, then the year: "1 May 2026" is "May 1, 2026".
        days, years = [w for w in words if w.isdigit() and len(w) <= 2], [w for w in words if len(w) == 4]
        canonical.add(" ".join([w for w in words if w.isalpha()] + days + years))
    return canonical


def _roles_flipped(claim: str, cited: str, names: Sequence[str]) -> bool:
    """Whether two names stand close on either side of one shared word in opposite orders, neither sentence passive.

    "A struck B" against "B struck A": the words between the names (at most :data:`_ROLE_GAP`) share a content word.
    """
    if _PASSIVE.search(claim) or _PASSIVE.search(cited):
        return False
    for first, second in ((a, b) for a in names for b in names if a != b):
        i, j = claim.find(first), claim.find(second)
        if not 0 <= i < j:
            continue
        between = claim[i + len(first) : j]
        x, y = cited.find(second), cited.find(first)
        if not 0 <= x < y:
            continue
        reversed_between = cited[x + len(second) : y]
        if max(len(between.split()), len(reversed_between.split())) > _ROLE_GAP:
            continue
        if set(content_terms(between)) & set(content_terms(reversed_between)):
            return True
    return False


_UNDERGOES = rf"\s+(?:was|were|is|are|has been|have been|had been)\s+(?:\w+ly\s+)?([a-z]+ed|{IRREGULAR_PAST})\b"
_BEFORE_A_VERB_IN_THE_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|being|be)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_ON_A_NAME = re.compile(r"\s+(?:(?!by\b)[a-z]+\s+){0,2}[A-Z]")


def _made_the_one_acted_on(claim: str, cited: str, names: Sequence[str]) -> bool:
    """Whether the claim has a name undergo what its citation has that name do to another.

    "Tiani was detained" against "Tiani seized power in a coup, detaining President Mohamed Bazoum": in the citation
    the name comes before the verb, which acts (not in the passive) on a name after it.
    """
    for name in names:
        start = cited.find(name)
        if start < 0:
            continue
        for match in re.finditer(re.escape(name) + _UNDERGOES, claim):
            verb = normalize_term(match.group(1))
            for word in _WORD.finditer(cited, start + len(name)):
                if (
                    normalize_term(word.group(0)) == verb
                    and not _BEFORE_A_VERB_IN_THE_PASSIVE.search(cited[: word.start()])
                    and _ON_A_NAME.match(cited, word.end())
                ):
                    return True
    return False


_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:(?:of|for|and|the|on)\s+)*[A-Z][\w’'-]*)+")


def _acronyms(text: str) -> set[str]:
    """The initials of each run of capitalised words of ``text`` ("United Nations" -> "UN")."""
    found = set()
    for match in _CAPITALISED_RUN.finditer(text):
        words = [w for w in match.group(0).split() if w[0].isupper()]
        found |= {"".join(w[0] for w in words[i:j]) for i in range(len(words)) for j in range(i + 2, len(words) + 1)}
    return found


def spells_out(acronym: str, text: str) -> bool:
    """Whether ``text`` spells out ``acronym``: "United Nations" for "UN", "value added tax" for "VAT".

    A two-letter acronym is spelt out only by capitalised words ("each unit" is no EU).
    """
    if not re.fullmatch(r"[A-Z]{2,6}", acronym):
        return False
    if len(acronym) == 2:
        return acronym in _acronyms(text)
    words = r"[\s-]+".join(rf"{letter}[^\W\d_]*" for letter in acronym)
    return re.search(rf"\b{words}\b", text, re.IGNORECASE) is not None


def _abbreviates(name: str, cited: str, cited_acronyms: set[str]) -> bool:
    """Whether ``name`` is the acronym of a name in ``cited`` ("UN", "VAT"), or spells one out ("European Union")."""
    if re.fullmatch(r"[A-Z]{2,6}", name):
        return name in cited_acronyms or spells_out(name, cited)
    spelled = _acronyms(name)
    return any(re.search(rf"\b{a}\b", cited) for a in spelled if len(a) >= 2)


@dataclass(frozen=True)
class Verdict:
    """Whether a claim is supported, and if not, the first reason found."""

    supported: bool
    reason: str = ""


def check_claim(
    claim: str,
    cited: Iterable[str],
    question_terms: Iterable[str] = (),
    similar: WordSimilarity | None = None,
    restated: Iterable[str] = (),
    tolerance: int = 1,
    quoted: bool = False,
) -> Verdict:
    """Check ``claim`` against the texts of its citations; see the module docstring for the rules.

    A word of the question (``question_terms``) that the claim repeats counts as found when ``similar`` finds a word
    of the citations close to it (a paraphrase: "premier" for "Prime Minister"), and so does any of ``restated``
    (question words a claim may restate as they are, and names other than places); any other missing word counts
    against the claim, and more than ``tolerance`` of them fail it. A claim that is ``quoted`` (never shown: the
    sentence it rests on is quoted instead) may also restate the question's places and numbers ("Wonder Woman 1984").
    """
    texts = [spell_quarters(t) for t in cited if t]
    if not texts:
        return Verdict(False, "cites nothing")
    claim = spell_quarters(claim)
    joined = " ".join(texts)
    known = set(question_terms)
    cited_acronyms = _acronyms(joined)
    names = entities(claim)
    # A name the citations give in full or as its acronym ("UN" for "United Nations") counts as found, word by word.
    abbreviated = {n for n in names if _abbreviates(n, joined, cited_acronyms)}
    pool = {_lemma(t) for text in texts for t in content_terms(text)} | set(restated)
    pool |= {normalize_term(w) for name in abbreviated for w in _WORD.findall(name)}
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(joined) if w.lower() not in STOPWORDS))

    def found(term: str, word: str) -> bool:
        if term in pool or _lemma(term) in pool or term in _GENERIC:
            return True
        return term in known and similar is not None and similar(word.lower(), words) >= PARAPHRASE

    pairs = [(normalize_term(w), w) for w in _WORD.findall(claim) if w.lower() not in STOPWORDS]
    pairs = [(t, w) for t, w in pairs if t]
    if pairs:
        novel = list(dict.fromkeys(t for t, w in pairs if not found(t, w)))
        if len(novel) > tolerance:
            return Verdict(False, f"words not in its citations: {', '.join(novel)}")
    missing_numbers = numbers(claim) - numbers(joined) - (numbers(" ".join(restated)) if quoted else set())
    if missing_numbers:
        return Verdict(False, f"numbers not in its citations: {', '.join(sorted(missing_numbers))}")
    unbounded = _bound_dropped(claim, texts)
    if unbounded:
        return Verdict(False, f"a number its citations qualify (about, more than, up to): {unbounded}")
    missing_dates = date_expressions(claim) - date_expressions(joined)
    if missing_dates:
        return Verdict(False, f"dates not in its citations: {', '.join(sorted(missing_dates))}")
    cited_names = {name_term(w) for w in _WORD.findall(joined)}
    # A title the question gave may be restated ("the French Presidential Election"); a place may not (the brief's
    # "China" does not support the question's "Beijing", nor its "UK" the question's "British").
    given = {name_term(w) for w in restated} - (frozenset() if quoted else _PLACE_NAMES)
    for name in names:
        words = [name_term(w) for w in _WORD.findall(name) if w.lower() not in STOPWORDS]
        if name not in abbreviated and any(w not in cited_names and w not in given for w in words):
            return Verdict(False, f"a name not in its citations: {name}")
    if _CAUSE.search(claim) and not _CAUSAL.search(joined):
        return Verdict(False, "a cause its citations do not give")
    if NEGATION.search(claim) and not NEGATION.search(joined):
        return Verdict(False, "a negation its citations do not make")
    negated = {normalize_term(m.group(1)) for m in _NEGATED.finditer(joined)} - {""}
    if not NEGATION.search(claim) and negated & set(content_terms(claim)):
        return Verdict(False, "drops a negation its citations make")
    if len(names) > 1 and any(_roles_flipped(claim, text, names) for text in texts):
        return Verdict(False, "who did what to whom is reversed")
    if any(_made_the_one_acted_on(claim, text, names) for text in texts):
        return Verdict(False, "who did what to whom is reversed")
    for speaker in _speakers(claim):
        if not any(_speaks(speaker, text) for text in texts):
            return Verdict(False, f"{speaker} is not the one its citations quote")
    return Verdict(True)


def _speakers(claim: str) -> list[str]:
    """Names the claim makes say something: "NAME said", "NAME told", "according to NAME"."""
    found = [m.group(1) or m.group(2) for m in _SAID_BY.finditer(claim)]
    return [name for name in found if name.split()[0].lower() not in STOPWORDS]


def _speaks(speaker: str, text: str) -> bool:
    """Whether ``text`` makes ``speaker`` say something: named just before a reporting verb, or after "according to"."""
    wanted = {name_term(w) for w in _WORD.findall(speaker)} - {name_term(w) for w in STOPWORDS}
    for match in _REPORTING_VERB.finditer(text):
        before = text[max(0, match.start() - 90) : match.start()]
        after = text[match.end() : match.end() + 90] if match.group(0).lower().startswith("according") else ""
        window = {name_term(w) for w in _WORD.findall(before + " " + after)}
        if wanted <= window:
            return True
    return False
