"""Pure scoring functions: retrieval hits, answer overlap, citation overlap, refusals and latency percentiles.

Every function takes plain values and returns plain values, so each rule is tested on hand-made cases.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from index import SourceSpan, gazetteer

from ..verify import numbers

__all__ = [
    "HIT_RANKS",
    "QuestionScore",
    "contains_reference",
    "exact_match",
    "first_hit_rank",
    "normalize_answer",
    "overlaps_any",
    "percentile",
    "score_question",
    "summarize",
    "token_f1",
    "unsupported_facts",
]

HIT_RANKS = (1, 3, 5)
_NAME_WORD = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z](?:\.[A-Z])+\.?|[A-Z][\w’'-]+)")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_MONTH_DAY = re.compile(rf"\b({'|'.join(gazetteer.MONTHS)}) (\d{{1,2}})\b(?![-–]\d)")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation + "‘’“”–—")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = _ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION))
    return " ".join(text.split())


def exact_match(prediction: str, references: Sequence[str]) -> bool:
    """Tell whether the normalised prediction equals one normalised reference."""
    normalized = normalize_answer(prediction)
    return any(normalized == normalize_answer(r) for r in references)


def contains_reference(prediction: str, references: Sequence[str]) -> bool:
    """Tell whether one reference appears, lower-cased, inside the lower-cased prediction."""
    lowered = prediction.lower()
    return any(r and r.lower() in lowered for r in references)


def token_f1(prediction: str, references: Sequence[str]) -> float:
    """SQuAD token F1 against the best-matching reference."""
    predicted = normalize_answer(prediction).split()
    best = 0.0
    for reference in references:
        gold = normalize_answer(reference).split()
        common = sum((Counter(predicted) & Counter(gold)).values())
        if common:
            precision, recall = common / len(predicted), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def _plain(text: str) -> str:
    """``text`` with typographic apostrophes made plain and possessive endings dropped ("Russia’s" -> "Russia").

    A plural's possessive loses its apostrophe: "Dunmarch Lines'" -> "Dunmarch Lines".
    """
    return re.sub(r"'s\b|(?<=s)'(?!\w)", "", text.replace("’", "'"))


def unsupported_facts(sentence: str, quotes: Sequence[str]) -> list[str]:
    """Numbers, dates and names of an answer sentence that its cited quotes do not contain (token-exact).

    Deliberately simpler than the answer path's verifier, so it measures that verifier rather than repeat it: a number
    must appear as the same token (``1`` is not in ``13``; ``4`` is ``four``), a capitalised word (not the sentence's
    first) as the same word, its singular, or another name of the same country (``Georgian`` is in "Georgia", but
    ``Moscow`` is not in "Russian"), and a month and day ("October 28") as written.
    """
    text = _plain(" ".join(quotes))
    sentence = _plain(sentence)
    tokens = set(_FIGURE.findall(text)) | numbers(text)
    words = set(re.findall(r"[A-Z](?:\.[A-Z])+\.?|[\w’'-]+", text))
    countries = _countries(text)
    missing = [n for n in _FIGURE.findall(sentence) if n not in tokens and not numbers(n) <= tokens]
    missing += [
        w
        for w in _NAME_WORD.findall(sentence.strip())
        if w not in words
        and w.removesuffix("s") not in words
        and not all(p in words or gazetteer.country_of(p, capitals=False) in countries for p in w.split("-"))
    ]
    for month, day in _MONTH_DAY.findall(sentence):
        if not re.search(rf"\b{month} {day}\b(?![-–]\d)", text):
            missing.append(f"{month} {day}")
    return list(dict.fromkeys(missing))


def _countries(text: str) -> set[str]:
    """The countries ``text`` names, by name, alias or demonym ("Georgia", "Chinese", "South Korea"); not by capital."""
    words = re.findall(r"[\w’'.]+", text)
    names = [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]
    return {country for name in names if (country := gazetteer.country_of(name, capitals=False))}


def _overlap(a: SourceSpan, b: SourceSpan) -> bool:
    return a.source == b.source and a.start < b.end and b.start < a.end


def overlaps_any(span: SourceSpan, targets: Iterable[SourceSpan]) -> bool:
    """Tell whether ``span`` shares at least one character with one of ``targets``."""
    return any(_overlap(span, t) for t in targets)


def first_hit_rank(retrieved: Sequence[SourceSpan], support: Sequence[SourceSpan]) -> int | None:
    """Return the 1-based rank of the first retrieved passage overlapping a support span, or None."""
    return next((rank for rank, span in enumerate(retrieved, 1) if overlaps_any(span, support)), None)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the ``q``-th percentile (0-100), interpolated linearly like numpy's default; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class QuestionScore:
    """How one answer scored; answer and citation fields are None for unanswerable questions."""

    id: str
    type: str
    answerable: bool
    refused: bool
    hit_rank: int | None
    support_located: bool
    exact_match: bool | None
    contains_reference: bool | None
    token_f1: float | None
    citations: int
    citations_on_support: int
    support_cited: bool | None
    timings_ms: Mapping[str, float]
    claims: int = 0
    unsupported_claims: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready view."""
        data = dict(self.__dict__)
        data["timings_ms"] = {k: round(v, 1) for k, v in self.timings_ms.items()}
        if data["token_f1"] is not None:
            data["token_f1"] = round(data["token_f1"], 4)
        return data


def score_question(
    *,
    id: str,
    type: str,
    references: Sequence[str],
    support: Sequence[SourceSpan],
    answer: str,
    refused: bool,
    retrieved: Sequence[SourceSpan],
    cited: Sequence[SourceSpan],
    timings_ms: Mapping[str, float],
    claims: Sequence[tuple[str, Sequence[str]]] = (),
) -> QuestionScore:
    """Score one answer. A question is answerable when it has references; ``support`` holds located spans.

    ``claims`` are the answer's sentences, each with the quotes it cites (none for a refusal).
    """
    answerable = bool(references)
    on_support = sum(1 for span in cited if overlaps_any(span, support))
    return QuestionScore(
        id=id,
        type=type,
        answerable=answerable,
        refused=refused,
        hit_rank=first_hit_rank(retrieved, support),
        support_located=bool(support),
        exact_match=exact_match(answer, references) if answerable else None,
        contains_reference=contains_reference(answer, references) if answerable else None,
        token_f1=token_f1(answer, references) if answerable else None,
        citations=len(cited),
        citations_on_support=on_support,
        support_cited=on_support > 0 if answerable else None,
        timings_ms=dict(timings_ms),
        claims=len(claims),
        unsupported_claims=sum(1 for sentence, quotes in claims if unsupported_facts(sentence, quotes)),
    )


def _rate(flags: Iterable[bool]) -> float | None:
    values = list(flags)
    return sum(values) / len(values) if values else None


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def summarize(scores: Sequence[QuestionScore]) -> dict[str, Any]:
    """Aggregate metrics of a run; a rate over no questions is None."""
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    ranked = [s for s in answerable if s.support_located]
    cited = sum(s.citations for s in answerable)
    stages = sorted({stage for s in scores for stage in s.timings_ms})
    return {
        "n": len(scores),
        "retrieval": {
            **{f"hit@{k}": _rate(s.hit_rank is not None and s.hit_rank <= k for s in ranked) for k in HIT_RANKS},
            "mrr": _mean(1 / s.hit_rank if s.hit_rank else 0.0 for s in ranked),
            "questions": len(ranked),
        },
        "answer": {
            "exact_match": _rate(bool(s.exact_match) for s in answerable),
            "contains_reference": _rate(bool(s.contains_reference) for s in answerable),
            "token_f1": _mean(s.token_f1 or 0.0 for s in answerable),
            "questions": len(answerable),
        },
        "citations": {
            "precision": sum(s.citations_on_support for s in answerable) / cited if cited else None,
            "recall": _rate(bool(s.support_cited) for s in answerable),
            "cited": cited,
        },
        "refusal": {
            "refusal_recall": _rate(s.refused for s in unanswerable),
            "false_refusal_rate": _rate(s.refused for s in answerable),
            "unanswerable": len(unanswerable),
            "answerable": len(answerable),
        },
        "claims": {
            "sentences": sum(s.claims for s in scores),
            "unsupported_rate": _ratio(sum(s.unsupported_claims for s in scores), sum(s.claims for s in scores)),
            "answers_with_unsupported": sum(1 for s in scores if s.unsupported_claims),
            "answers": sum(1 for s in scores if s.claims),
        },
        "latency_ms": {
            stage: _latency([s.timings_ms[stage] for s in scores if stage in s.timings_ms]) for stage in stages
        },
    }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _latency(values: Sequence[float]) -> dict[str, float | None]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95)}
