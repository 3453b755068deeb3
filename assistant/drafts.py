"""From a reader's reply to answer sentences that hold: each sentence checked against the sentences it cites.

A sentence that fails is kept, unsupported, to be shown as left out. When every sentence fails, the sentence the
reader cited may still answer: it is quoted verbatim if the evidence checks agree (:func:`pointed_sentence`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index import sentence_spans
from index.gazetteer import MONTHS
from index.terms import STOPWORDS, content_terms, name_term, normalize_term

from .evidence import Evidence
from .grounding import (
    AnswerType,
    Question,
    entities,
    has_candidate,
    holds_the_verb,
    holds_word,
    informative_terms,
    restates_the_verb,
)
from .periods import matches_numbers, names_another_period
from .reader import parse_reply
from .verify import WordSimilarity, check_claim, date_expressions, numbers

__all__ = [
    "MIN_COVERAGE",
    "Draft",
    "answering_sentence",
    "answers",
    "clear_answer",
    "on_topic",
    "pointed_sentence",
    "unmarked",
    "useful",
    "valued_sentences",
    "verify_reply",
]

logger = logging.getLogger(__name__)

MIN_COVERAGE = 0.43
"""Share of the question's key terms (idf-weighted) a sentence must cover to answer it (measured on the seed)."""
_MIN_SEMANTIC = 0.15
"""The least cosine to the question at which such a sentence answers it (measured on the seed)."""
_ABOUT_THE_QUESTION = 0.75
"""Coverage of the question's key terms at which a sentence is about what a count or date question asks."""
_ABOUT_IN_MEANING = 0.6
"""Cosine to the question at which a sentence is about what it asks, in other words (set on the tuning sets: at 0.55
a count of one thing answered a question about another)."""


@dataclass(frozen=True)
class Draft:
    """A sentence of the answer with the evidence it rests on."""

    text: str
    evidence: tuple[Evidence, ...]
    supported: bool


def _not_an_answer(sentence: str) -> bool:
    """A question, or a headline-like fragment of under six words, never serves as an answer."""
    return sentence.rstrip().endswith("?") or len(sentence.split()) < 6


def _split_sentences(text: str) -> list[str]:
    cleaned = re.sub(r"(\[\d+\])\s+(?=[A-Z“\"])", "\\1\n", text)
    return [span.of(cleaned) for span in sentence_spans(cleaned)]


def unmarked(sentence: str) -> str:
    """The sentence as an answer shows it: without the brief's footnote markers or Markdown emphasis, tidily spaced.

    Its citation still quotes the brief verbatim ("**11 April** – Freezer failure…").
    """
    plain = _EMPHASIS.sub(r"\2", re.sub(r"\[\d+\]", "", sentence))
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(plain.split())).strip()


_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__)(\S(?:.*?\S)?)\1(?!\w)")
"""Markdown bold around some words: ``**97 deaths**``."""


def verify_reply(
    reply: str, numbered: Sequence[Evidence], question: Question, similar: WordSimilarity | None = None
) -> list[Draft]:
    """Check each sentence of a reply against the sentences it cites.

    A sentence that fails against its own citations may rest on one other numbered sentence, or on a cited one with
    its neighbour: it is then cited to those. A sentence that fails everywhere is kept, unsupported, to be shown as
    left out.
    """
    drafts: list[Draft] = []
    seen: set[str] = set()
    # A claim may restate the question's words, from a sentence that shares a key term with it, and add one word (a
    # name must still be in its citations). A count or a date adds none, and restates the question only from a sentence
    # about what was asked: "6.8 million people were killed" must not pass where the sentence says they were displaced.
    strict = _asks_count_or_date(question)
    restatable = _restatable(question)

    def holds(claim: str, group: Sequence[Evidence]) -> bool:
        # Sentences that hold none of the claim's values, and do not run on from one that does, lend it no words:
        # "Dragan Petrov campaigns on renationalising the railways" is not Petrov's sentence plus Reyes's.
        group = _linked(claim, group, question)
        restated = restatable if _restates(question, group, claim) else ()
        return check_claim(
            claim, [e.text for e in group], question.terms, similar, restated, 0 if strict else 1
        ).supported

    for claim in parse_reply(reply, _split_sentences, len(numbered)):
        key = " ".join(content_terms(claim.text))
        if not key or key in seen:
            continue
        seen.add(key)
        cited = [numbered[n - 1] for n in claim.cited]
        candidates = [cited] if cited else []
        candidates += [[e] for e in numbered if e not in cited]
        candidates += [[a, b] for a, b in zip(numbered, numbered[1:], strict=False) if a in cited or b in cited]
        if restates_the_verb(claim.text, question):
            # Where the claim restates the question's verb ("Andy Murray won…"), sentences that state it come first.
            candidates.sort(key=lambda group: not holds_the_verb(" ".join(e.text for e in group), question, similar))
        support = next((group for group in candidates if holds(claim.text, group)), None)
        if logger.isEnabledFor(logging.DEBUG):
            shown = [f"[{numbered.index(e) + 1}] coverage {e.lexical:.2f} cos {e.semantic:.2f}" for e in support or ()]
            logger.debug("claim %r cites %s: %s", claim.text, list(claim.cited), "; ".join(shown) or "unsupported")
        if support is not None:
            support = _with_antecedent(claim.text, support, numbered)
        drafts.append(Draft(claim.text, tuple(support or ()), support is not None))
    return drafts


def _with_antecedent(claim: str, group: list[Evidence], numbered: Sequence[Evidence]) -> list[Evidence]:
    """``group``, with the numbered sentence one of it runs on from, when that one holds a value the claim gives.

    The value (a name, number or date) must be one the group lacks: "The field hospital set up by the NRC has 40
    beds" is cited to "It has 40 beds" and to the sentence before, which names the NRC.
    """
    missing = _value_words(claim) - {word for item in group for word in _value_words(item.text)}
    if not missing:
        return group
    for item in group:
        before = next((e for e in numbered if e not in group and _runs_on(e, item)), None)
        if before is not None and missing & _value_words(before.text):
            return [before, *group]
    return group


_RUNS_ON = re.compile(r"[\W_]*(?:he|she|it|they|his|her|its|their|this|these|those|that|the|such)\b", re.I)
"""The opening of a sentence that runs on from the one before: "They replaced French forces…"."""


def _linked(claim: str, group: Sequence[Evidence], question: Question) -> list[Evidence]:
    """The sentences of ``group`` that hold a value the claim gives, and those that run on from or into them.

    A value is a number, a date or a word of a name the claim gives (the question's names count too: "Petrov's
    endorsement…" holds "Dragan Petrov"). Two sentences run on when they stand next to each other in one paragraph
    and the second opens with a pronoun or "the". A group where no sentence holds a value stays whole.
    """
    if len(group) < 2:
        return list(group)
    values = _value_words(claim)
    held = {e for e in group if values & _value_words(e.text)}
    if not held:
        return list(group)
    # Runs of sentences, each running on from the one before; a run with a sentence that holds a value is kept whole.
    runs: list[list[Evidence]] = []
    for item in sorted(group, key=lambda e: (e.source, e.start)):
        if runs and _runs_on(runs[-1][-1], item):
            runs[-1].append(item)
        else:
            runs.append([item])
    kept = {e for run in runs if held.intersection(run) for e in run}
    return [e for e in group if e in kept]


def _runs_on(before: Evidence, after: Evidence) -> bool:
    """Whether ``after`` follows ``before`` in its paragraph and opens with a pronoun or "the"."""
    return (
        (before.source, before.paragraph) == (after.source, after.paragraph)
        and 0 <= after.start - before.end <= 4
        and _RUNS_ON.match(after.text) is not None
    )


def answering_sentence(question: Question, evidence: Sequence[Evidence]) -> Evidence | None:
    """The best sentence that answers the question by the evidence checks alone, or None when no sentence does."""
    for item in evidence:
        if item.lexical >= MIN_COVERAGE and item.semantic >= _MIN_SEMANTIC and _holds_the_fact(item, question):
            return item
    return None


def clear_answer(question: Question, evidence: Sequence[Evidence]) -> Evidence | None:
    """A sentence that answers by the evidence checks alone and holds most of the question's key terms, or None.

    It outweighs a reader's "not in the briefs": the 1.5B reader declines some plain answers ("Roughly 86,000 people
    have been displaced" for "How many people have been displaced?").
    """
    item = answering_sentence(question, evidence)
    if item is None or item.lexical < _ABOUT_THE_QUESTION:
        return None
    # Against the reader's word, a sentence must name what the question names: a count of those who fled Sudan
    # "to other countries, including … Chad" does not say how many fled to Egypt.
    # (A capital or a demonym stands for its country: "Beijing" names China.)
    named = {normalize_term(name) for name in _name_words(question.text)}
    return item if named <= set(content_terms(item.text)) else None


def _name_words(text: str) -> set[str]:
    """The words of the names of ``text``, each as :func:`name_term` spells it ("Sudan", "Egypt")."""
    words = (w for name in entities(text) for w in re.findall(r"[^\W\d_]{2,}", name))
    return {name_term(w) for w in words if w.lower() not in STOPWORDS}


def _holds_the_fact(item: Evidence, question: Question) -> bool:
    """Whether a sentence could answer: no question or headline, with the question's numbers and the fact asked."""
    return not _not_an_answer(item.text) and matches_numbers(item.text, question) and has_candidate(item.text, question)


def pointed_sentence(reply: str, numbered: Sequence[Evidence], question: Question) -> Evidence | None:
    """The sentence the reader answered from, when the evidence checks agree that it answers, or None.

    First a sentence the reply cites that the checks alone take as an answer; else a numbered sentence against which
    a claim of the reply fails only for the question's own places or numbers, if it holds the kind of fact asked for.
    For a count or a date it must also be about what was asked (``_about``).
    """
    claims = parse_reply(reply, _split_sentences, len(numbered))
    cited = dict.fromkeys(n for claim in claims for n in claim.cited)
    for n in cited:
        item = numbered[n - 1]
        if answering_sentence(question, [item]) is item and _about(question, [item]):
            return item
    # The reply holds but for the question's own names ("Beijing" where the sentence says China), against a sentence
    # it cites or, as verification tries, another numbered one: the reader read the answer from that sentence.
    restatable = _restatable(question)
    for item in [numbered[n - 1] for n in cited] + [e for n, e in enumerate(numbered, 1) if n not in cited]:
        if (
            _restates(question, [item])
            and _holds_the_fact(item, question)
            and any(
                check_claim(claim.text, [item.text], question.terms, None, restatable, quoted=True).supported
                for claim in claims
            )
        ):
            return item
    return None


def valued_sentences(reply: str, numbered: Sequence[Evidence], question: Question) -> list[tuple[str, Evidence]]:
    """Claims of the reply with each sentence they cite that holds their value and the kind of fact asked.

    The value is a number, date or name the claim gives and the question does not ("on Tuesday", "$18.6 million"):
    the reader read it from that sentence, though its claim failed. Whether the sentence answers is then the
    reader's to say (:func:`~assistant.reader.answers_prompt`).
    """
    found: list[tuple[str, Evidence]] = []
    held = [(e, _values(e.text)) for e in numbered]
    for claim in parse_reply(reply, _split_sentences, len(numbered)):
        values = _values(claim.text) - _values(question.text)
        # A count in its sentence's words, not the question's verb, is the reader's to judge too ("displaced").
        asked = question if restates_the_verb(claim.text, question) else replace(question, count_verb="")
        holding = [e for e, its in held if values & its]
        cited = [numbered[n - 1] for n in claim.cited]
        # A reader may cite the wrong number: the one sentence that holds the value is where it read it from.
        read_from = [e for e in cited if e in holding] or (holding if len(holding) == 1 else [])
        found += [(claim.text, item) for item in read_from if _holds_the_fact(item, asked)]
    return found


def _values(text: str) -> set[str]:
    """The numbers, dates and names of ``text``, each in one canonical spelling.

    A month is a name only where it is no date's: "October 20" does not hold "October 27-28", but "until August"
    holds "August".
    """
    dates = date_expressions(text)
    dated = {date.split()[0] for date in dates}
    names = {name_term(name) for name in entities(text) if not (name in MONTHS and name[:3].lower() in dated)}
    return numbers(text) | dates | names


def _value_words(text: str) -> set[str]:
    """Like :func:`_values`, but a name word by word, so that "Petrov" holds "Dragan Petrov"."""
    return numbers(text) | date_expressions(text) | _name_words(text)


def _restatable(question: Question) -> set[str]:
    """Words a claim may restate from the question: its key terms and its names (a place still needs citing)."""
    return {*question.terms, *(name_term(w) for w in re.findall(r"[^\W_]+", question.text))}


def _restates(question: Question, group: Sequence[Evidence], claim: str = "") -> bool:
    """Whether ``claim``, resting on ``group``, may restate the question's words: only if it holds a key term of it.

    "President Halas endorsed Elena Markovic" must not rest on a sentence that names the candidates but not Halas.
    """
    return max(e.lexical for e in group) > 0 and _about(question, group, claim)


def _asks_count_or_date(question: Question) -> bool:
    return question.answer_type in (AnswerType.NUMBER, AnswerType.DATE)


def _about(question: Question, group: Sequence[Evidence], claim: str = "") -> bool:
    """Whether evidence is about what a count or a date question asks (any evidence is, for other questions).

    It covers most of the question's key terms, or is close to the question in meaning ("The consortium opened a field
    hospital…" for "How big is the field hospital the consortium set up?"), or, for a date question, dates a word of
    it ("the October 20 referendum") with the date ``claim`` gives, if one is given.
    """
    if not _asks_count_or_date(question):
        return True
    if max(e.lexical for e in group) >= _ABOUT_THE_QUESTION or max(e.semantic for e in group) >= _ABOUT_IN_MEANING:
        return True
    return question.answer_type is AnswerType.DATE and any(_dated(e.text, question, claim) for e in group)


_YEAR = r"\b(?:19|20)\d\d\b"


def _dated(sentence: str, question: Question, claim: str = "") -> bool:
    """Whether a date in ``sentence`` (of ``claim``, if given) stands next to a word of the question.

    "the October 20 referendum"; a year counts as a date ("the 2017 BadRabbit attack"), a month alone does not ("In
    October, …"). A date the claim does not give does not count ("its worst violence since 2005" for "The
    investigation opened in late January").
    """
    words = list(re.finditer(r"[^\W_]+", sentence))
    terms = [normalize_term(w.group(0)) for w in words]
    claimed = date_expressions(claim) | set(re.findall(_YEAR, claim))
    for index, match in enumerate(words):
        year = re.fullmatch(_YEAR, match.group(0))
        dates = (
            {match.group(0)} if year else date_expressions(match.group(0) + sentence[match.end() : match.end() + 12])
        )
        if dates and (not claim or dates & claimed) and set(terms[max(0, index - 3) : index + 5]) & set(question.terms):
            return True
    return False


def answers(draft: Draft, question: Question, similar: WordSimilarity | None = None) -> bool:
    """Whether a verified sentence states the kind of fact asked for, beyond the question's own words.

    What it rests on must not name another year or quarter than the question's: a sentence about Q3 does not answer
    "… in Q2 2019?".
    """
    if not draft.supported or len(informative_terms(draft.text, question)) < 1:
        return False
    rests_on = " ".join(e.text for e in draft.evidence)
    if question.answer_type is AnswerType.PERSON and _agent_as_cited(draft.text, rests_on):
        return not names_another_period(rests_on, question)
    if question.answer_type is AnswerType.PERSON and not has_candidate(rests_on, question):
        return False  # "The Houthis repaired the ship" answers "who repaired it?" only if the sources say so
    if restates_the_verb(draft.text, question) and not holds_the_verb(rests_on, question, similar):
        # "Meridian is owned by Hanseatic" from a list of both, "41,300 people have been killed" from a count of the
        # displaced: the question's verb restated where its citations never state it. In their own words the reader's
        # reading of a deed stands ("Holte urged…" for "Who called on…?").
        return False
    if not _role_as_cited(draft.text, rests_on, similar):
        return False
    return has_candidate(draft.text, question, similar) and not names_another_period(rests_on, question)


_IDENTITY = re.compile(r"^(?:[\w’'-]+\s+){0,6}?([a-z]+)\s+(?:is|was|are|were)\s+(?:the\s+)?[A-Z]")
"""A claim that names who or what fills a role: "The Grey Heron's captain is Brandt-Eilers Shipping"."""


def _role_as_cited(claim: str, cited: str, similar: WordSimilarity | None) -> bool:
    """Whether the role a claim gives a name (the noun before "is") is in its citations, or a word close to it.

    "The Grey Heron's captain is Brandt-Eilers Shipping" does not rest on "The ship's operator, Brandt-Eilers
    Shipping, denied the accusation".
    """
    match = _IDENTITY.match(claim)
    return not match or match.group(1) in STOPWORDS or holds_word(cited, match.group(1), similar)


_BY_AGENT = re.compile(r"\b(?:was|were|is|are|been)\s+((?:[a-z]+\s+){1,2}by\s+(?:[\w’'-]+\s+){0,4}[\w’'-]+)")
"""A passive deed and its agent: "was set alight by a group of masked men"."""


def _agent_as_cited(claim: str, cited: str) -> bool:
    """Whether the claim names who did it as its citation does, deed and agent as written.

    "The vehicle was set alight by a group of masked men" answers "Who torched the truck?" from the sentence's own
    words: the reader judged that deed to be the one asked about.
    """
    return any(match.group(1).lower() in cited.lower() for match in _BY_AGENT.finditer(claim))


def on_topic(draft: Draft, chosen: Sequence[Evidence]) -> bool:
    """Whether a sentence rests on evidence that speaks to the question, not merely on some true passage."""
    return any(e in chosen or e.lexical >= MIN_COVERAGE for e in draft.evidence)


def useful(drafts: Sequence[Draft], question: Question) -> bool:
    """Whether the verified sentences answer the question rather than restate it."""
    return any(d.supported and len(informative_terms(d.text, question)) >= 2 and answers(d, question) for d in drafts)
