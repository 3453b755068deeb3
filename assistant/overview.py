"""Overviews ("What is this brief about?"): a few central sentences that cover distinct facts, quoted verbatim.

:func:`select_overview_sentences` picks 3 to 6 sentences of one brief or of several, greedily, each time the
sentence with the best

    centrality + FACT_WEIGHT * new facts - REDUNDANCY_WEIGHT * likeness to a chosen one - SAME_PARAGRAPH

where *centrality* is the cosine of the sentence's embedding with its brief's centroid (the mean of its
sentences' unit vectors: what the brief is mostly about), *new facts* the weighted count of entities the sentence
names that no chosen sentence names yet (people, organisations and dates 1, places 0.5, capped at
``FACT_CAP``), *likeness* the highest cosine with a chosen sentence, and *SAME_PARAGRAPH* a penalty for a
sentence in the paragraph of a chosen one (a paragraph mostly holds one topic). This is maximal marginal
relevance with a bonus for facts: central sentences first, then the ones that add what is not said yet.
The chosen sentences are returned in document order, as exact spans of the stored text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from .briefs import Brief, SourceSentence
from .citations import Answer, AnswerSentence

__all__ = [
    "FACT_WEIGHT",
    "REDUNDANCY_WEIGHT",
    "SAME_PARAGRAPH",
    "Vectors",
    "is_overview_question",
    "overview_answer",
    "select_overview_sentences",
]

Vectors = Callable[[list[str]], Sequence[Sequence[float]]]
"""Embeds sentences: ``SentenceEmbeddingCache.vectors`` or an embedder's ``embed_documents``."""

FACT_WEIGHT = 0.08
REDUNDANCY_WEIGHT = 0.5
SAME_PARAGRAPH = 0.15
FACT_CAP = 4.0
LEAD_BONUS = 0.3
MIN_SENTENCES, MAX_SENTENCES = 3, 6
MODEL = "extractive overview"
"""What ``Answer.model`` says for an overview made of the briefs' own sentences."""
_MIN_WORDS = 6
_FACT_WEIGHTS = {"person": 1.0, "org": 1.0, "date": 1.0, "place": 1.0}

_CUE = re.compile(
    r"\b(?:summar\w*|overview|recap|synopsis|gist|tl;?dr|rundown|takeaways?|highlights|nutshell|describe|"
    r"tell\s+me\s+about|"
    r"key\s+(?:points?|facts?|findings?|developments?|issues?|messages?)|"
    r"main\s+(?:points?|facts?|findings?|themes?|topics?|ideas?|issues?|messages?|developments?)|"
    r"what(?:'s|’s|\s+is|\s+are|\s+was|\s+were)\s+(?:\w+\s+){0,3}about)\b",
    re.IGNORECASE,
)
_FILLER = frozenset(
    """
    a about all an and are brief briefs briefly can could cover covers document documents does do entire for
    give important in is it its it's key main me most of on overall please provide quick report reports say
    says short so tell the them these they this those us what what's whats whole write you your article
    articles text texts summary summarize summarise summarizing summarising summarise overview recap synopsis
    gist tldr tl dr rundown takeaway takeaways highlights nutshell points point facts fact findings finding
    developments development themes theme topics topic ideas idea issues issue messages message mainly mostly
    was were sentences few bullet bullets list main up over describe tell
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def is_overview_question(question: str) -> bool:
    """Whether ``question`` asks about a brief (or all briefs) as a whole, not about a fact in it.

    It is one when it holds an overview cue ("summarize", "overview", "key points", "main takeaways", "what is
    it about") and nothing but such words and fillers: "Summarize the briefs about Sudan" names a topic, so it
    is a question for retrieval, not an overview.
    """
    if not _CUE.search(question):
        return False
    words = [w.lower().replace("’", "'") for w in _WORD.findall(question)]
    return all(w in _FILLER for w in words)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return np.asarray(matrix / np.where(norms == 0, 1.0, norms))


def _facts(brief: Brief, sentence: SourceSentence) -> dict[tuple[str, str], float]:
    return {
        (m.type, m.name): _FACT_WEIGHTS[m.type]
        for m in brief.mentions
        if sentence.start <= m.start and m.end <= sentence.end
    }


def select_overview_sentences(
    briefs: Sequence[Brief], vectors: Vectors, count: int | None = None
) -> list[SourceSentence]:
    """Pick ``count`` (default: 3 to 6, by length) central sentences of ``briefs`` that cover distinct facts.

    Returns:
        The sentences in document order (briefs by source name), each an exact span of its brief's text.

    """
    # Headlines, bylines and list lines (no closing punctuation) are not candidates; nor are very short sentences.
    candidates: list[tuple[int, SourceSentence]] = [
        (index, s)
        for index, brief in enumerate(briefs)
        for s in brief.sentences
        if len(_WORD.findall(s.text)) >= _MIN_WORDS and s.text.rstrip("\"'”’)]").endswith((".", "!", "?"))
    ]
    if not candidates:
        return []
    wanted = count or min(MAX_SENTENCES, max(MIN_SENTENCES, len(candidates) // 2))
    leads = {next(i for i, (owner, _) in enumerate(candidates) if owner == index) for index, _ in candidates}
    matrix = _unit(np.asarray(vectors([s.text for _, s in candidates]), dtype=np.float64))
    owners = np.asarray([index for index, _ in candidates])
    similarity = np.clip(matrix @ matrix.T, 0.0, None)
    similarity[owners[:, None] != owners[None, :]] = 0.0  # a sentence stands for sentences of its own brief
    facts = [_facts(briefs[index], s) for index, s in candidates]
    chosen: list[int] = []
    covered: set[tuple[str, str]] = set()
    represented = np.zeros(len(candidates))
    for _ in range(min(wanted, len(candidates))):
        gains = np.clip(similarity - represented[:, None], 0.0, None).sum(axis=0) / len(candidates)
        best, best_score = -1, -np.inf
        for i, (index, sentence) in enumerate(candidates):
            if i in chosen:
                continue
            new = min(FACT_CAP, sum(w for fact, w in facts[i].items() if fact not in covered))
            same = any(candidates[j][0] == index and candidates[j][1].paragraph == sentence.paragraph for j in chosen)
            lead = LEAD_BONUS if i in leads else 0.0
            score = gains[i] + FACT_WEIGHT * new + lead - SAME_PARAGRAPH * same
            if score > best_score:
                best, best_score = i, score
        chosen.append(best)
        covered |= facts[best].keys()
        represented = np.maximum(represented, similarity[:, best])
    return [candidates[i][1] for i in sorted(chosen, key=lambda i: (candidates[i][1].source, candidates[i][1].start))]


def overview_answer(question: str, sentences: Sequence[SourceSentence], titles: dict[str, str] | None = None) -> Answer:
    """An answer made of ``sentences``, each verbatim and cited to its own span (``[1]``, ``[2]``...)."""
    citations = [s.citation(n, title=(titles or {}).get(s.source, "")) for n, s in enumerate(sentences, start=1)]
    return Answer(
        question=question,
        answer=" ".join(f"{s.text} [{c.n}]" for s, c in zip(sentences, citations, strict=True))
        or "No brief is indexed yet.",
        refused=not sentences,
        citations=citations,
        sentences=[AnswerSentence(s.text, (c.n,), True) for s, c in zip(sentences, citations, strict=True)],
        confidence=1.0 if sentences else 0.0,
        model=MODEL,
        timings_ms={},
    )
