"""Query-time word rules: the normaliser every lexical comparison shares (BM25, key terms, answer checks).

A word is lower-cased, loses a possessive and light English inflections, and a demonym or a capital becomes its
country, so forms of one word meet. Stopwords are the words that carry no meaning of their own.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["STOPWORDS", "content_terms", "name_term", "normalize_term"]

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
_DEMONYMS = {
    "chinese": "china",
    "sino": "china",
    "russian": "russia",
    "ukrainian": "ukraine",
    "belarusian": "belarus",
    "georgian": "georgia",
    "korean": "korea",
    "moldovan": "moldova",
    "american": "america",
    "british": "britain",
    "french": "france",
    "german": "germany",
    "iranian": "iran",
    "israeli": "israel",
    "japanese": "japan",
    "indian": "india",
    "turkish": "turkey",
    "polish": "poland",
    "syrian": "syria",
    "kazakh": "kazakhstan",
    "uzbek": "uzbekistan",
    "european": "europe",
    "african": "africa",
    "asian": "asia",
    "western": "west",
    "soviet": "ussr",
    "kremlin": "russia",
}
# News names a government by its capital ("Beijing said", "talks with Minsk"): such a capital means its country.
# Only capitals that are rarely anything else are listed ("Washington" and "London" are also surnames).
_CAPITALS = {
    capital: country
    for country, capitals in {
        "afghanistan": "kabul",
        "armenia": "yerevan",
        "azerbaijan": "baku",
        "belarus": "minsk",
        "china": "beijing peking",
        "estonia": "tallinn",
        "georgia": "tbilisi",
        "hungary": "budapest",
        "iran": "tehran",
        "iraq": "baghdad",
        "japan": "tokyo",
        "kazakhstan": "astana",
        "kyrgyzstan": "bishkek",
        "latvia": "riga",
        "lithuania": "vilnius",
        "moldova": "chisinau",
        "pakistan": "islamabad",
        "poland": "warsaw",
        "romania": "bucharest",
        "russia": "moscow",
        "saudi": "riyadh",
        "syria": "damascus",
        "taiwan": "taipei",
        "tajikistan": "dushanbe",
        "turkey": "ankara",
        "ukraine": "kyiv kiev",
        "uzbekistan": "tashkent",
    }.items()
    for capital in capitals.split()
}
_WORD = re.compile(r"[^\W_]+(?:[’'][^\W_]+)*", re.UNICODE)


def _normalize(word: str, capitals: bool) -> str:
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    word = _DEMONYMS.get(word) or (_CAPITALS.get(word, word) if capitals else word)
    if word.endswith(("us", "is", "ss")):
        return word
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    else:
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
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
