"""Query-time word rules: the normaliser every lexical comparison shares (BM25, key terms, answer checks).

A word is lower-cased, loses a possessive and light English inflections, and a demonym or a capital becomes its
country, so forms of one word meet. Stopwords are the words that carry no meaning of their own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import gazetteer as gz

__all__ = ["IRREGULAR_VERBS", "STOPWORDS", "content_terms", "name_term", "normalize_term"]

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves s t don according did does tell say said says brief briefs
    """.split()
)
_WORD = re.compile(r"[^\W_]+(?:[’'][^\W_]+)*", re.UNICODE)
_ONE_WORD = {
    "United States": "america",
    "United Kingdom": "britain",
    "Saudi Arabia": "saudi",
    "South Korea": "korea",
    "North Korea": "korea",
    "Soviet Union": "ussr",
}
"""The word that stands for a place whose name has several: "American" and "Pyongyang" meet "America", "Korea"."""


def _one_word(place: str) -> str | None:
    """The lower-case word a place's demonyms and capitals fold to; None when its name is several words."""
    return _ONE_WORD.get(place) or (place.lower() if _WORD.fullmatch(place) else None)


def _place_of(word: str) -> str:
    """The place a demonym or a metonym stands for, by the gazetteer ("Korean" -> Korea, "Kremlin" -> Russia)."""
    name = word.title()
    return gz.country_of(word) or gz.REGIONAL_DEMONYMS.get(name) or gz.GOVERNMENT_METONYMS[name]


# Only these demonyms are folded. Folding every demonym of the gazetteer was measured on the development set
# (--llm none): "How many Filipino troops...?", which the briefs do not answer, then met "Philippine" and was
# answered (refusal recall on the tuning half 55.6% -> 44.4%, nothing better); and several are English words
# once lower-cased ("pole", "dane", "turk", "swede", "persian" of the Persian Gulf).
_DEMONYMS = {
    word: _one_word(_place_of(word))
    for word in """
    chinese sino russian ukrainian belarusian georgian korean moldovan american british french german iranian
    israeli japanese indian turkish polish syrian kazakh uzbek european african asian western soviet kremlin
    """.split()
}
# News names a government by its capital ("Beijing said", "talks with Minsk"): such a capital means its country.
# The gazetteer's capitals for governments leave out those that are also surnames ("Washington", "London").
_CAPITALS = {
    capital: country
    for capital in gz.CAPITALS_FOR_GOVERNMENTS
    if _WORD.fullmatch(capital) and (country := _one_word(gz.CAPITALS[capital]))
}


IRREGULAR_VERBS = {
    past: base
    for base, forms in (
        ("win", "won"),
        ("lead", "led"),
        ("take", "took taken"),
        ("send", "sent"),
        ("hit", "hit"),
        ("buy", "bought"),
        ("sell", "sold"),
        ("make", "made"),
        ("give", "gave given"),
        ("begin", "began"),
        ("fight", "fought"),
        ("shoot", "shot"),
        ("strike", "struck"),
        ("hold", "held"),
        ("beat", "beat beaten"),
        ("become", "became"),
        ("bring", "brought"),
        ("build", "built"),
        ("catch", "caught"),
        ("choose", "chose chosen"),
        ("draw", "drew"),
        ("drive", "drove driven"),
        ("pay", "paid"),
        ("put", "put"),
        ("run", "ran"),
        ("rise", "rose"),
        ("sink", "sank"),
        ("see", "seen"),
        ("seek", "sought"),
        ("spend", "spent"),
        ("steal", "stole stolen"),
        ("sweep", "swept"),
        ("throw", "threw thrown"),
        ("withdraw", "withdrew"),
        ("overtake", "overtook"),
        ("overrun", "overran"),
        ("cut", "cut"),
        ("set", "set"),
        ("shut", "shut"),
        ("left", "left"),
        ("lose", "lost"),
        ("keep", "kept"),
        ("meet", "met"),
        ("write", "wrote"),
        ("speak", "spoke"),
        ("tell", "told"),
        ("say", "said"),
    )
    for past in forms.split()
}
"""Past forms of irregular verbs a brief uses for what someone did or underwent, and the verb each is a form of
("won" meets "win"; "left" stays itself, as it is also a direction)."""


_KEPT_DOUBLE = frozenset("aeioulsfz")
"""Doubled final letters a stem keeps: vowels ("agree") and the doubles of "call", "pass", "staff", "buzz"."""


def _normalize(word: str, capitals: bool) -> str:
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    word = _DEMONYMS.get(word) or (_CAPITALS.get(word, word) if capitals else word)
    word = IRREGULAR_VERBS.get(word, word)
    if word.endswith(("us", "is", "ss")):
        return word
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    else:
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _KEPT_DOUBLE:
        word = word[:-1]  # "stopped" -> "stopp" -> "stop", as "stop"; "boycott" and "boycotted" both -> "boycot"
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


@lru_cache(maxsize=1 << 17)
def normalize_term(word: str) -> str:
    """Lower-case a word and strip a possessive and light English inflections, so forms of one word meet.

    A demonym or a capital becomes its country ("Chinese", "Beijing" -> ``china``).
    A crude but stable stemmer: ``exercises``/``exercise`` -> ``exercis``, ``reported`` -> ``report``.
    Memoised: a corpus repeats its words, so building a large BM25 index mostly hits the cache.
    """
    return _normalize(word, capitals=True)


@lru_cache(maxsize=1 << 14)
def name_term(word: str) -> str:
    """Like :func:`normalize_term`, but a capital stays itself: a name must be supported as it is written."""
    return _normalize(word, capitals=False)


def content_terms(text: str) -> list[str]:
    """Normalised tokens without stopwords: the terms that carry meaning."""
    return [t for t in (normalize_term(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS) if t]
