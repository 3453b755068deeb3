"""Step 1 of the answer path: a follow-up becomes a question that stands alone, for retrieval.

A question that stands alone is kept as it is, so a new topic is never polluted by the conversation before it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from index.terms import content_terms

from .grounding import analyze_question
from .llm import is_reader

__all__ = ["History", "standalone_question"]

logger = logging.getLogger(__name__)

History = Sequence[tuple[str, str]]
"""The conversation so far: (question, answer) pairs, oldest first."""
_ANAPHORA = re.compile(
    r"\b(it|its|they|them|their|he|him|his|she|her|there|then)\b|\b(this|that|these|those)\s*\?", re.I
)
_ABOUT_THE_BRIEFS = re.compile(r"\b(?:this|the|these|those|each|all|every)\s+(?:briefs?|documents?|reports?)\b", re.I)


def standalone_question(question: str, history: History, model: BaseChatModel | None) -> str:
    """Rewrite a follow-up into a question that stands alone, for retrieval; a question that stands alone is kept.

    A question leans on the conversation when it has a bare pronoun ("Who reported it?") or too few key terms of
    its own; one about the briefs themselves ("What is this brief about?") never does. A reader model rewrites a
    follow-up (the rewrite must keep the question's own key terms); otherwise the key terms of the previous
    question are added.
    """
    if not history or _ABOUT_THE_BRIEFS.search(question):
        return question
    own_terms = analyze_question(question).terms
    if not _ANAPHORA.search(question) and len(own_terms) >= 3:
        return question
    previous = history[-1][0]
    if is_reader(model):
        assert model is not None
        prompt = (
            "Rewrite the last question so it can be understood without the conversation. "
            "Reply with the rewritten question only.\n\n"
            + "\n".join(f"Q: {q}\nA: {a}" for q, a in history[-3:])
            + f"\nLast question: {question}"
        )
        try:
            lines = str(model.invoke([HumanMessage(content=prompt)], max_tokens=48).content).strip().splitlines()
            rewritten = lines[0].strip() if lines else ""
        except Exception as error:  # noqa: BLE001 - a failed rewrite falls back to the heuristic below
            logger.warning(
                "follow-up rewrite failed (%s: %s); adding the previous question's terms", type(error), error
            )
            rewritten = ""
        if rewritten and set(content_terms(question)) <= set(content_terms(rewritten)):
            return rewritten
    extra = [t for t in content_terms(previous) if t not in own_terms]
    words = [w for w in re.findall(r"[^\W_]+(?:[’'][^\W_]+)*", previous) if w.lower() not in {"what", "which", "who"}]
    return f"{question} ({' '.join(words)})" if extra else question
