"""Pure text checks that carry grounding: what a question asks for, and whether a sentence supports a claim.

Nothing here calls a model, so every rule is deterministic and unit-tested.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from index import gazetteer as gz
from index.terms import IRREGULAR_VERBS, STOPWORDS, content_terms, normalize_term

__all__ = [
    "IRREGULAR_PAST",
    "NEGATION",
    "PARAPHRASE",
    "AnswerType",
    "WordSimilarity",
    "Question",
    "analyze_question",
    "entities",
    "has_candidate",
    "holds_the_verb",
    "holds_word",
    "informative_terms",
    "mentions_date",
    "restates_the_verb",
]


WordSimilarity = Callable[[str, Sequence[str]], float]
"""The highest cosine between a word and any of some words (``SentenceEmbeddingCache.word_similarity``)."""
PARAPHRASE = 0.55
"""Cosine at which a word paraphrases another (the evidence scorer's threshold)."""


class AnswerType(Enum):
    """The kind of fact a question asks for."""

    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    DATE = "date"
    NUMBER = "number"
    ENTITY = "entity"
    OTHER = "other"


def _which(nouns: str) -> str:
    """Pattern for "which/what [up to two words] NOUN", e.g. "which Russian region"."""
    return rf"\b(which|what)( \w+){{0,2}} ({nouns})\b"


_PERSON_NOUNS = (
    "official|officer|person|leader|general|commander|minister|president|spokesperson|spokesman|secretary"
    "|analyst|chief|head|director|envoy"
)
"""Nouns for a person: "Which official…?", "What is the name of the district's health officer?"."""

_TYPE_PATTERNS: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        AnswerType.NUMBER,
        re.compile(
            r"\bhow (many|much|long|old|large|big)\b"
            r"|\bwhat (percentage|percent|number|share|amount|figure|proportion)\b"
            r"|^what\b.*\b(rate|percentage|toll|number|total|count|amount|figure|budget|cost|size|population)\s*\??$"
            r"|^what (?:(?:is|was|are|were|will be) )?(?:the )?(\w+ )?"
            r"(rate|percentage|toll|total|amount|budget|cost|population)\b"
            r"|\b(revenue|price|salary|profit|sales|worth|valuation|score|gdp)\b.*\?\s*$"
        ),
    ),
    (
        AnswerType.DATE,
        re.compile(r"\bwhen\b|\b(what|which) (date|day|month|year|time|night|week)\b|\bon what (date|day)\b"),
    ),
    (
        AnswerType.PERSON,
        re.compile(
            rf"\b(who|whom|whose)\b|\bname of (?:[\w’'-]+ ){{0,3}}(?:{_PERSON_NOUNS})\b|" + _which(_PERSON_NOUNS)
        ),
    ),
    (
        AnswerType.ORGANIZATION,
        re.compile(
            _which(
                "party|parties|organi[sz]ation|group|institute|agency|court|alliance|think tank|body|units?|ministry"
            )
        ),
    ),
    (
        AnswerType.PLACE,
        re.compile(
            r"\bwhere\b|\bin what (country|region|city)\b|\b(location|venue)\b|"
            + _which("country|countries|regions?|city|cities|town|province|nations?|states?|place")
        ),
    ),
)
_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how name kind type many much did does do is are was were "
    "according brief briefs mention mentioned happen happened describe described say said state stated "
    "date dates time day days month year kind type sort name number".split()
)
_MONTHS = "|".join(dict.fromkeys(m.lower() for m in (*gz.MONTHS, *gz.MONTH_ABBREVIATIONS)))
_WEEKDAYS = "|".join(d.lower() for d in gz.WEEKDAYS)
_DATE = re.compile(
    rf"\b({_MONTHS})\b|\b(1[89]|20)\d\d\b|\b({_WEEKDAYS})\b|"
    r"\b(yesterday|today|tomorrow|tonight)\b|\b(past|last|next|previous|coming)\s+(\w+\s+){0,4}(days?|weeks?|months?|years?)\b|"
    r"\b\d{1,2}[-/]\d{1,2}\b|\bnight of\b",
    re.IGNORECASE,
)
# A relative time expression ("at the end of the month", "earlier this week"): its words paraphrase a date,
# so a sentence that names a date matches them ("... on October 31").
_TIME_EXPRESSION = re.compile(
    r"\b(?:(?:at|by|towards?|before|after|until|from|in|on|during|around)\s+)?(?:the\s+)?"
    r"(?:end|start|beginning|middle|close|turn)\s+of\s+(?:the\s+|this\s+|that\s+|next\s+|last\s+)?"
    r"(?:day|week|month|year|quarter|season|decade)\b"
    r"|\b(?:earlier|later)\s+(?:this|that|in\s+the)\s+(?:day|week|month|year)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    "hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|dozens|half|percent"
)
_NUMBER = re.compile(rf"\d[\d,.]*\d|\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE)
# "How long …?" asks for a duration, which a date pattern would otherwise hide ("over the past three months").
_ASKS_DURATION = re.compile(r"\bhow long\b|\bhow many (?:minutes|hours|days|weeks|months|years|decades)\b", re.I)
_DURATION = re.compile(
    rf"(?:\d[\d,.]*|\b(?:{_NUMBER_WORDS}|a|an|several|few))(?:\s*(?:to|or|and|-|–)\s*(?:\d[\d,.]*|\b(?:{_NUMBER_WORDS})))?"
    r"\s+(?:minutes?|hours?|days?|weeks?|months?|years?|decades?)\b",
    re.IGNORECASE,
)
_CAPITALIZED = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w’'-]*)*")
_TOKEN = re.compile(r"[^\W_]+(?:[’'][^\W_]+)*")
_REPORTING = re.compile(
    r"\b(stated?|said|says?|report(ed|s)?|disclos(ed|es?)|told|announc(ed|es?)|not(ed|es?)|claim(ed|s)?|warn(ed|s)?|wr(ote|ites?))\b",
    re.IGNORECASE,
)
_SAID = re.compile(r"stated|said|says|reported|disclosed|told|announced|noted|claimed|warned|added|wrote")
_SPEAKER = re.compile(rf"\b([A-Z][\w’'-]+) (?:{_SAID.pattern})\b")


@dataclass(frozen=True)
class Question:
    """A question reduced to what grounding needs: its answer type and its key terms."""

    text: str
    answer_type: AnswerType
    terms: tuple[str, ...]
    two_part: bool
    surface: tuple[str, ...] = ()
    head: str = ""
    temporal: frozenset[str] = frozenset()
    deed: str = ""
    """The verb of a *who* question, normalised ("Who acquired…?" -> acquir), or "" ("Who is…?")."""
    counted: tuple[str, ...] = ()
    """The words naming what a *how many* question counts ("crew members"), lower-case, without places."""
    count_verb: str = ""
    """What the counted did or underwent ("How many people died / were injured…?"), as written, or ""."""

    def word(self, term: str) -> str:
        """The question's own spelling of a normalised term (for word-level similarity)."""
        return dict(zip(self.terms, self.surface, strict=False)).get(term, term)


def _answer_type(lowered: str) -> AnswerType:
    """The kind of fact the question's earliest question phrase asks for.

    "In which city was he when he spoke?" asks for a place: a later "when" opens a clause, not the question.
    """
    found = [
        (match.start(), rank, kind)
        for rank, (kind, pattern) in enumerate(_TYPE_PATTERNS)
        for match in pattern.finditer(lowered)
        if not _relative(lowered, match.start())
    ]
    return min(found)[2] if found else AnswerType.OTHER


_CLAUSE_OPENERS = frozenset(
    "and or but to in on at by for from of with about than as since until after before whether if that "
    "is are was were did does do has have had will would can could should".split()
)


def _relative(lowered: str, start: int) -> bool:
    """Whether the "who", "when" or "where" at ``start`` opens a relative clause: "the minister who went…"."""
    if not re.match(r"(?:who|whom|whose|when|where)\b", lowered[start:]):
        return False
    before = re.search(r"([a-z’'-]+)\s+$", lowered[:start])
    return before is not None and before.group(1) not in _CLAUSE_OPENERS


_QUESTION_VERB = re.compile(r"\bwho\s+(?:(?:did|does|do|has|have|had|first|also|then|later|\w+ly)\s+)*([a-z]+)", re.I)
"""The verb of a *who* question: "Who (first) reported…?" -> reported; "Who is…?" gives a stopword, so no verb."""


def analyze_question(text: str) -> Question:
    """Find the answer type and the meaning-bearing terms of a question."""
    lowered = " ".join(text.lower().split())
    # A yes-or-no question asks for none of these, whatever clause follows ("Was anyone hurt when…?").
    answer_type = AnswerType.OTHER if _YES_OR_NO.match(lowered) else _answer_type(lowered)
    if lowered.startswith(("why", "how ")) and answer_type in (AnswerType.DATE, AnswerType.PERSON):
        answer_type = AnswerType.OTHER
    if answer_type is AnswerType.OTHER and re.search(r"\bname of\b|\bcalled\b", lowered):
        answer_type = AnswerType.ENTITY
    pairs: dict[str, str] = {}
    # "long" in "how long" asks for the answer; it is not a term the answer must contain.
    for word in _TOKEN.findall(re.sub(r"\bhow\s+(?:long|old|far|often|soon)\b", "how", text, flags=re.I)):
        term = normalize_term(word)
        if word.lower() not in STOPWORDS and term not in _QUESTION_WORDS and len(term) > 1:
            pairs.setdefault(term, word.lower())
    deed = next((m for m in _QUESTION_VERB.finditer(text) if not _relative(text.lower(), m.start())), None)
    two_part = text.count("?") > 1 or bool(re.search(r"\b(and|also) (what|who|when|where|why|how|which)\b", lowered))
    # The noun asked for, past names and places: "Which Russian port…?", "Which Chinese Coast Guard vessel's…?".
    asked = re.match(r"\s*(?:which|what)\b(.*)", text, re.IGNORECASE)
    words = _TOKEN.findall(asked.group(1))[:5] if asked else []
    head = next((t for w in words if w[0].islower() and (t := normalize_term(w)) not in _PLACES), "")
    temporal = {normalize_term(w) for m in _TIME_EXPRESSION.finditer(text) for w in _TOKEN.findall(m.group(0))}
    counted, count_verb = _how_many(text)
    return Question(
        text=text,
        answer_type=answer_type,
        terms=tuple(pairs),
        two_part=two_part,
        surface=tuple(pairs.values()),
        head=head,
        temporal=frozenset(temporal & set(pairs)),
        deed=normalize_term(deed.group(1)) if deed and deed.group(1).lower() not in STOPWORDS else "",
        counted=counted,
        count_verb=count_verb,
    )


def entities(sentence: str) -> list[str]:
    """Capitalised word runs that are names, skipping a sentence-initial common word."""
    found = []
    for match in _CAPITALIZED.finditer(sentence):
        words = match.group(0).split()
        if match.start() == 0 or sentence[: match.start()].rstrip().endswith((".", "“", '"', "(")):
            if words[0].lower() in STOPWORDS or words[0].lower() in _SENTENCE_OPENERS:
                words = words[1:]
        if words:
            found.append(" ".join(words))
    return found


# Places a question or a sentence names beside what it asks about. Narrower than the gazetteer on purpose: once
# lower-cased and stemmed, many of its names are English words ("US" -> us, "CAR" -> car, "Maine" -> main, "Homs"
# -> hom), which a "how many" question would then stop counting; taking all of them changed nothing on the
# seed and development sets (measured with --llm none).
_PLACES = frozenset(
    normalize_term(w)
    for w in """
    afghanistan africa albania algeria america argentina armenia asia australia austria azerbaijan belarus
    belgium bosnia brazil britain bulgaria canada chile china colombia crimea croatia cuba cyprus czechia
    denmark donbas donetsk egypt england estonia ethiopia europe finland france gaza georgia germany greece
    hungary india indonesia iran iraq ireland israel italy japan jordan kazakhstan kharkiv kherson kosovo kursk
    kyiv kyrgyzstan latvia lebanon libya lithuania luhansk mexico minsk moldova mongolia montenegro morocco
    moscow netherlands nigeria norway pakistan palestine poland portugal romania russia saudi scotland serbia
    slovakia slovenia somalia spain sudan sweden switzerland syria taiwan tajikistan transnistria turkey
    turkmenistan uk ukraine usa ussr uzbekistan venezuela vietnam wales west yemen beijing washington london
    paris berlin tehran pyongyang seoul tokyo chisinau tbilisi warsaw brussels korea
    """.split()
)
_MONTH_NAMES = frozenset(m.lower() for m in gz.MONTHS)
_NAMED_HEADS = frozenset(
    normalize_term(w) for w in "model models name names variant version class designation codename brand make".split()
)
_CODE = re.compile(r"\b[A-Za-z]+-?\d+[A-Za-z]*\b")
_SUPERLATIVE = re.compile(r"\b(\w+est|most|least|first|last|biggest|highest|record)\b", re.IGNORECASE)
_RANK = r"(?:second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|6th)"


def _ranked_instead(question: str, sentence: str) -> bool:
    """Whether the sentence ranks what the question asks for at its extreme ("second-longest" for "longest")."""
    for match in _SUPERLATIVE.finditer(question):
        word = re.escape(match.group(1))
        if re.search(rf"\b{_RANK}[-\s]+{word}\b", sentence, re.IGNORECASE):
            return True
    return False


_GENERIC_HEADS = frozenset(normalize_term(w) for w in "kind type way role reason part thing aspect sort".split())


def _is_place_or_date(name: str) -> bool:
    """Whether every word of ``name`` is a place, a month or a number, or the whole is a country's name or alias."""
    if gz.key(name) in gz.COUNTRIES or gz.key(name) in gz.COUNTRY_ALIASES:
        return True
    words = _TOKEN.findall(name)
    return bool(words) and all(normalize_term(w) in _PLACES or w.lower() in _MONTH_NAMES or w.isdigit() for w in words)


_NOT_A_PERSON = re.compile(
    r"\b(Cup|Awards?|Open|Championships?|University|Inc|Ltd|Company|Corporation|Games|Festival|Prize|League|"
    r"Association|Party|Court|Institute|Forces|Council|Committee|Ministry|Department|Bank|Agency|Union|Group|"
    r"Tournament|Olympics?|Season|Series|Edition|Studios?|Records|News|Times|Post|Day|War|Act|Treaty)\b|[™®©]"
)
_SENTENCE_OPENERS = gz.SENTENCE_OPENERS


_BE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_AUXILIARIES = _BE | {"did", "do", "does", "have", "has", "had", "will", "would", "could", "can"}
IRREGULAR_PAST = "|".join(IRREGULAR_VERBS)
"""Past forms of irregular verbs a brief uses for what someone did or underwent (with the regular ``-ed``)."""
_DEED = re.compile(rf"[a-z]+(?:ed|[^s]s)|{IRREGULAR_PAST}")


def _does(word: str, verb: str) -> bool:
    """Whether ``word`` is the question's verb (``verb``, normalised) in a form that tells what someone did."""
    return normalize_term(word) == verb and bool(_DEED.fullmatch(word))


def _acts_as_asked(name: str, sentence: str, verb: str) -> bool:
    """Whether ``name`` does what the question asks (``verb``, normalised): the verb follows it, or it is the agent.

    "Meta acquired" or "Microsoft first reported" for "Who acquired/reported…?" (the verb within three words of the
    name: an adverb, a noun or has/have/had may stand between, not "said" or "was"), "backed by the Chinese state"
    for "Who backs…?". The word must read as a verb, so a name before a noun of the question ("the Russia-Belarus
    alliance" for "Who heads the alliance?") does not act.
    """
    for match in re.finditer(rf"\b{re.escape(name)}\b((?:\s+[a-z]+){{1,3}})", sentence):
        for word in match.group(1).split():
            if _does(word, verb):
                return True
            if _SAID.fullmatch(word) or word in _BE:
                break  # "KCNA said it launched…", "Russia was disclosed": the name says it, or undergoes it
    agent = re.compile(rf"\b([a-z]+ed) by (?:the |a |an )?(?:[a-z]+ ){{0,2}}{re.escape(name)}\b")
    if any(_does(m.group(1), verb) for m in agent.finditer(sentence)):
        return True
    # The one who does it, by its noun: "Its owner, the grid operator Fingrid" for "Who owns…?".
    doer = re.compile(
        rf"\b([a-z]+(?:er|or))\b,?(?:\s+[\w’'-]+){{0,3}}?\s+{re.escape(name)}\b|\b{re.escape(name)},?\s+(?:is\s+|was\s+)?"
        rf"(?:the|its|their|a|an)\s+(?:[a-z]+\s+)?([a-z]+(?:er|or))\b"
    )
    for match in doer.finditer(sentence):
        noun = match.group(1) or match.group(2)
        if noun.startswith(verb) and len(noun) - len(verb) <= 3:
            return True
    return False


_WORD_BEFORE_A_VERB = re.compile(r"\b([a-z]+)\s+(?:(?:has|have|had)\s+)?(?:[a-z]+ly\s+)?$")
_AGENT = re.compile(r"\b([a-z]+ed) by (?:the |a |an )?([a-z]+)\b(?! of\b)")  # not "repaired by the end of June"


def _unnamed_actor(sentence: str, question: Question) -> bool:
    """Whether a common noun does what a *who* question asks: "army engineers cleared", "cleared by engineers".

    The noun must not be the question's own word, a pronoun or any other stopword.
    """

    def actor(word: str) -> bool:
        return word not in STOPWORDS and word not in _BE and normalize_term(word) not in question.terms

    for match in re.finditer(r"[a-z]+", sentence):
        if _does(match.group(0), question.deed):
            before = _WORD_BEFORE_A_VERB.search(sentence, 0, match.start())
            if before and actor(before.group(1)):
                return True
    return any(_does(m.group(1), question.deed) and actor(m.group(2)) for m in _AGENT.finditer(sentence))


_NOBODY = re.compile(
    r"\b(?:neither|nobody|no one|no-one|none of)\b|\bnot\s+(?:[\w’'-]+\s+){0,3}(?:either|any|anyone|anybody)\b", re.I
)
"""That no one did what a *who* question asks: "has not endorsed either candidate", "endorsed neither"."""
_AMOUNT_OF = re.compile(r"(?:\s+([^\W\d_]+))?\s+(?:of|at)\s+(\d[\d,.]*)")
"""After a noun, the amount it is of: "a pay rise of 14", "a budget of 5" (a verb between does not count: "the
vessel struck at 5")."""


def has_candidate(sentence: str, question: Question, similar: WordSimilarity | None = None) -> bool:
    """Whether ``sentence`` holds a fact of the kind ``question`` asks for, beyond the question's own words.

    A superlative the question asks about ("the longest flight") is not answered by a ranked one ("the
    second-longest flight"). A count of people is answered by a sentence that holds what they did or underwent, or
    a word ``similar`` finds close to it ("97 deaths" for "How many people died?").
    """
    if _ranked_instead(question.text, sentence):
        return False
    kind = question.answer_type
    asked = set(question.terms) | {normalize_term(w) for w in _TOKEN.findall(question.text)}
    if kind is AnswerType.OTHER and question.head in _NAMED_HEADS:
        # "What model of ICBM…?" asks for a designation: a name or a code the question does not hold.
        return any(not _in_question(e, asked) for e in entities(sentence)) or any(
            not _in_question(t, asked) for t in _CODE.findall(sentence)
        )
    if kind is AnswerType.OTHER and question.head and question.head not in _GENERIC_HEADS | _PLACES:
        if question.head in content_terms(sentence):
            # "Which vessel…?" is answered by a name, or by a designation: "vessel 5204", "Unit 29155"; "What pay
            # increase…?" by the amount the noun is of ("a pay rise of 14 percent").
            for match in re.finditer(r"\b([^\W\d_]+)\s+(\d+)\b", sentence):
                if normalize_term(match.group(1)) == question.head and not _in_question(match.group(2), asked):
                    return True
            for word in re.finditer(r"[^\W\d_]+", sentence):
                amount = _AMOUNT_OF.match(sentence, word.end())
                if not amount or normalize_term(word.group(0)) != question.head or _in_question(amount[2], asked):
                    continue
                if not amount[1] or not (amount[1] in _BE or _DEED.fullmatch(amount[1])):
                    return True
            kind = AnswerType.ENTITY
    if kind is AnswerType.OTHER:
        return True
    if kind is AnswerType.DATE:
        return any(not _in_question(m.group(0), asked) for m in _DATE.finditer(sentence))
    if kind is AnswerType.NUMBER:
        if _ASKS_DURATION.search(question.text):
            return any(not _in_question(m.group(0), asked) for m in _DURATION.finditer(sentence))
        undated = _DATE.sub(" ", sentence)
        numbers = [m for m in _NUMBER.finditer(undated) if not _in_question(m.group(0), asked)]
        nouns = question.counted
        counted = {normalize_term(w) for w in nouns}
        if counted and counted <= _ANYONE:
            numbers += _NO_ONE.finditer(undated)
            return bool(numbers) and holds_word(sentence, question.count_verb, similar)
        for match in _NONE_OF.finditer(undated) if counted else ():
            # "No new cases were confirmed": the counted noun within the next two words that carry meaning.
            after = [w for w in _TOKEN.findall(undated[match.end() : match.end() + 40]) if w.lower() not in STOPWORDS]
            if counted & {normalize_term(w) for w in after[:2]}:
                return True
        if counted:
            # "How many crew members…?" is answered by a number of crew members, not by any number: the counted noun
            # is among the next four words that carry meaning ("4,200 members of the Dockworkers' Union"), or, by
            # ``similar``, a word close to it ("27 port authorities and logistics firms" for organisations).
            for match in numbers:
                after = [
                    w for w in _TOKEN.findall(undated[match.end() : match.end() + 80]) if w.lower() not in STOPWORDS
                ]
                if counted & {normalize_term(w) for w in after[:4]}:
                    return True
                if similar is not None and after and max(similar(n, after[:4]) for n in nouns) >= PARAPHRASE:
                    return True
            return False
        return bool(numbers)
    names = [e for e in entities(sentence) if not _in_question(e, asked)]
    if kind is AnswerType.PLACE:
        return bool(names)
    speakers = {m.group(1) for m in _SPEAKER.finditer(sentence)}
    # A place can act ("Mali, Niger and Burkina Faso signed"), a month cannot ("cleared by the end of June").
    actors = [e for e in names if not all(w.lower() in _MONTH_NAMES for w in _TOKEN.findall(e))]
    names = [e for e in names if not _is_place_or_date(e)]
    if kind is AnswerType.PERSON:
        # The subject of "stated"/"said" answers "who said it?", not "who led it?".
        asks_source = bool(_REPORTING.search(question.text))
        people = [n for n in names if not _NOT_A_PERSON.search(n)]
        if any(len(name.split()) >= 2 or (asks_source and name in speakers) for name in people):
            return True
        if _NOBODY.search(sentence):
            return True  # no one did it: "has not endorsed either candidate"
        # A group, company or country answers "who did it?" when the sentence makes it do what was asked.
        if not question.deed:
            return False
        acting = any(_acts_as_asked(name, sentence, question.deed) for name in actors)
        return acting or _unnamed_actor(sentence, question)
    return any(name not in speakers for name in names)


_HOW_MANY = re.compile(
    rf"\bhow many\s+((?:[\w’'-]+\s+){{0,3}}?)(?:{'|'.join(sorted(_AUXILIARIES))}|remain|died|live|took|came)\b",
    re.IGNORECASE,
)
_HOW_MANY_DID = re.compile(rf"\bhow many\s+((?:[\w’'-]+\s+){{1,3}}?)(?:[a-z]+ed|{IRREGULAR_PAST})\b", re.IGNORECASE)
"""A "how many" question whose verb is a deed ("How many people joined the strike?")."""
_NO_ONE = re.compile(r"\b(?:no one|no-one|nobody)\b", re.IGNORECASE)
_NONE_OF = re.compile(r"\b(?:no|zero)\b", re.IGNORECASE)
"""A count of none: "no one was hurt" counts people; "no new cases were confirmed" counts the noun after "no"."""
_ANYONE = frozenset({"peopl", "person", "individual"})
"""Counted nouns that name no kind of person: what a count of them counts is what the people did or underwent."""


def _how_many(question: str) -> tuple[tuple[str, ...], str]:
    """What a "how many" question counts, and the verb of what the counted did or underwent.

    The counted words skip places and demonyms; the verb is "died" in "How many people died…?", or the first word
    past the auxiliaries ("have been displaced", "were injured"), or "" when none follows.
    """
    match = _HOW_MANY.search(question) or _HOW_MANY_DID.search(question)
    if not match:
        return (), ""
    words = [w.lower() for w in _TOKEN.findall(match.group(1)) if w.lower() not in STOPWORDS]
    counted = tuple(w for w in words if normalize_term(w) not in _PLACES)
    following = [match.group(0).split()[-1], *_TOKEN.findall(question[match.end() :])]
    verb = next((w for w in following if w.lower() not in _AUXILIARIES), "")
    return counted, "" if verb.lower() in STOPWORDS else verb


def holds_word(sentence: str, word: str, similar: WordSimilarity | None) -> bool:
    """Whether ``sentence`` holds ``word`` as it is or, by ``similar``, a word close to it ("deaths" for "died").

    An empty ``word`` asks for nothing, so it is held.
    """
    if not word:
        return True
    held = [w.lower() for w in _TOKEN.findall(sentence) if w.lower() not in STOPWORDS]
    if normalize_term(word) in {normalize_term(w) for w in held}:
        return True
    return similar is not None and similar(word.lower(), held) >= PARAPHRASE


def _asked_verb(question: Question) -> str:
    """The verb of what a *who* or *how many* question asks was done or undergone, as written, or ""."""
    return question.word(question.deed) if question.deed else question.count_verb


def restates_the_verb(claim: str, question: Question) -> bool:
    """Whether the claim uses the question's verb, what a *who* or *how many* question asks was done."""
    verb = _asked_verb(question)
    return bool(verb) and normalize_term(verb) in content_terms(claim)


def holds_the_verb(sentence: str, question: Question, similar: WordSimilarity | None) -> bool:
    """Whether ``sentence`` holds the question's verb (see :func:`restates_the_verb`), or a word close to it."""
    return holds_word(sentence, _asked_verb(question), similar)


def mentions_date(sentence: str) -> bool:
    """Whether ``sentence`` names a date or a time (a month, a year, a weekday, "last week")."""
    return bool(_DATE.search(sentence))


def _in_question(phrase: str, asked: set[str]) -> bool:
    words = [normalize_term(w) for w in _TOKEN.findall(phrase)]
    return bool(words) and all(w in asked for w in words)


_GENERIC_CLAIM_WORDS = frozenset(
    normalize_term(w)
    for w in "passage passages brief briefs text document mention mentioned information context question answer "
    "according state stated".split()
)


_YES_OR_NO = re.compile(rf"\s*(?:{'|'.join(sorted(_AUXILIARIES))})\b", re.IGNORECASE)


def informative_terms(claim: str, question: Question) -> list[str]:
    """Content terms the claim adds to the question: an answer that adds none says nothing.

    To a yes-or-no question, a denial the question does not make is an answer ("The group has not deployed
    ransomware" for "Has the group deployed ransomware?"); to a "how many" question, a count of none.
    """
    added = [t for t in content_terms(claim) if t not in question.terms and t not in _GENERIC_CLAIM_WORDS]
    if _YES_OR_NO.match(question.text) and NEGATION.search(claim) and not NEGATION.search(question.text):
        added.append("not")
    elif question.answer_type is AnswerType.NUMBER and (_NO_ONE.search(claim) or _NONE_OF.search(claim)):
        added.append("0")  # a count of none answers "how many": "No cases have been confirmed"
    return added


NEGATION = re.compile(r"\b(?:not|no|never|none|neither|nor|without|cannot)\b|n[’']t\b", re.IGNORECASE)
"""A word that negates ("not", "never", "hasn't"): for a denial that answers, and for the verifier's negation checks."""
