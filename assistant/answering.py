"""The grounded answer pipeline: condense, retrieve, select evidence, read, verify, cite.

The system, not the model alone, carries grounding. A reader model (the embedded Qwen2.5 1.5B, or a server model)
reads numbered evidence sentences and answers with citations or declines; every sentence it writes is checked against
the sentences it cites (:mod:`assistant.verify`) and dropped when a number, date, name, negation or role is not
there. Without a reader (``none``, or the tiny SmolLM2 whose refusals are random), whether the briefs answer is
decided from the evidence alone (does a relevant sentence hold the kind of fact asked for?). When nothing verified
survives, the best evidence sentence is quoted verbatim, or the answer is "The briefs do not say".
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, replace

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from index import DocumentInfo, LexicalIndex
from index.suspect import suspect_rule
from index.terms import content_terms

from .briefs import Brief
from .citations import Answer, AnswerSentence, Citation
from .conflicts import Conflict, find_conflicts
from .drafts import (
    MIN_COVERAGE,
    Draft,
    answering_sentence,
    answers,
    clear_answer,
    on_topic,
    pointed_sentence,
    unmarked,
    useful,
    valued_sentences,
    verify_reply,
)
from .errors import BriefError
from .evidence import Evidence, SentenceEmbeddingCache, coverage, neighbour, reading, select_evidence
from .followups import History, standalone_question
from .grounding import Question, WordSimilarity, analyze_question, has_candidate, restates_the_verb
from .lists import list_answer, list_question
from .llm import is_reader
from .overview import is_overview_question, overview_answer, select_overview_sentences
from .reader import (
    SentenceMap,
    affirms,
    answers_prompt,
    context_sentences,
    declines,
    overview_prompt,
    reader_prompt,
    states_prompt,
)
from .retrieval import HybridRetriever
from .verify import numbers

__all__ = ["MAX_QUESTION_CHARS", "AnswerPipeline", "Backend"]

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
# What the reader sees: the best sentences, each with its neighbours (reader.context_sentences).
_READER_TOP = 4
_READER_SENTENCES = 9
_READER_CHARS = 1600
_EVIDENCE_POOL = 2
"""Evidence is chosen among the sentences of this many times ``k`` passages, from the briefs the best ``k`` came
from: a sentence the chunk ranking missed, beside the ones it found, can still be the best. Measured on the
development sets (docs/evaluation.md); other briefs' chunks were left out, as they distracted the reader."""
_REFUSAL = "The briefs do not say."
_ABOUT_A_BRIEF = re.compile(
    r"^\s*(?:what(?:'s|’s|\s+is|\s+was)\s+the\s+(?P<a>.+?)\s+(?:brief|report|document|article)\s+about"
    r"|(?:summari[sz]e|give\s+(?:me\s+)?an\s+overview\s+of|overview\s+of)\s+the\s+(?P<b>.+?)\s+"
    r"(?:brief|report|document|article))\s*[?.!]*\s*$",
    re.I,
)
_BULLET_TOKENS = 48
"""Most tokens an overview bullet may take (a bullet is at most about 20 words)."""
_CHECK_TOKENS = 3
"""A check's reply is one word: yes or no."""
_CHECKED_SENTENCES = 2
"""The most sentences a failed answer's value is checked in (two model calls each)."""
_LEAD_CHARS = 400
"""How much of a brief's opening an overview request may name it by ("the Second Thomas Shoal brief")."""


@dataclass(frozen=True)
class Backend:
    """The chat model that answers (None: extractive) and the name shown with the answer."""

    model: BaseChatModel | None
    name: str
    spec: str
    error: Callable[[Exception], BriefError]


def _term_weight(lexical: LexicalIndex) -> Callable[[str], float]:
    """IDF weights in which a word the briefs never use weighs as much as their rarest word, not more.

    Such words are often paraphrases ("commando", "Kyiv"); word similarity may still match them.
    """
    rarest = math.log(1.0 + (max(1, len(lexical)) - 0.5) / 1.5)
    return lambda term: min(lexical.idf(term), rarest)


def _second_part(
    question: Question, evidence: Sequence[Evidence], primary: Evidence, idf: Callable[[str], float]
) -> Evidence | None:
    """For a two-part question, the best sentence for its second half when the first does not cover it."""
    parts = re.split(r"\?\s+|\b(?:and|also) (?=what|who|when|where|why|how|which)", question.text, maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        return None
    second = analyze_question(parts[1])
    if coverage(second, primary.text, idf) >= 0.6:
        return None
    ranked = sorted(evidence, key=lambda e: -coverage(second, e.text, idf))
    for item in ranked:
        if (
            item is not primary
            and coverage(second, item.text, idf) >= MIN_COVERAGE
            and has_candidate(item.text, second)
        ):
            return item
    return None


def _citations(
    drafts: Sequence[Draft], texts: dict[str, str], grades: dict[str, str | None]
) -> tuple[list[Citation], list[AnswerSentence], str]:
    """Number the cited evidence in order of first use and render the answer with its markers."""
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    rendered: list[str] = []
    for draft in drafts:
        marks: list[int] = []
        for item in draft.evidence:
            key = (item.source, item.start, item.end)
            if key not in numbers:
                quote = item.of(texts[item.source])
                if item.text != reading(texts[item.source], item.start, item.end):
                    continue
                numbers[key] = len(numbers) + 1
                citations.append(_citation(numbers[key], item, quote, grades))
            marks.append(numbers[key])
        sentences.append(
            AnswerSentence(text=draft.text, citations=tuple(marks), supported=draft.supported and bool(marks))
        )
        if draft.supported and marks:
            rendered.append(draft.text + " " + "".join(f"[{n}]" for n in marks))
    return citations, sentences, " ".join(rendered)


def _quoted(item: Evidence, texts: dict[str, str]) -> Draft:
    """An answer sentence that quotes ``item`` as the brief writes it (a table row without its column names)."""
    return Draft(unmarked(item.of(texts[item.source])), (item,), True)


def _as_written(item: Evidence, texts: dict[str, str]) -> Evidence:
    """``item`` with its text as the brief writes it, for what quotes it (a table row without its column names)."""
    written = item.of(texts[item.source])
    return item if written == item.text else replace(item, text=written)


def _citation(n: int, item: Evidence, quote: str, grades: dict[str, str | None]) -> Citation:
    return Citation.of_span(item, n, quote, item.score, grade=grades.get(item.source))


def _refusal(
    evidence: Sequence[Evidence], texts: dict[str, str], grades: dict[str, str | None]
) -> tuple[str, list[Citation], list[AnswerSentence]]:
    text = _REFUSAL
    citations: list[Citation] = []
    if evidence and evidence[0].score >= 0.3:
        closest = evidence[0]
        citations.append(_citation(1, closest, closest.of(texts[closest.source]), grades))
        text += " The closest related passage is [1]."
    return text, citations, [AnswerSentence(text=text, citations=tuple(c.n for c in citations), supported=True)]


def _disagreement(conflicts: Sequence[Conflict]) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """The answer when sources disagree: every value, each cited to the sentences giving it, with their grades."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    sentences: list[AnswerSentence] = []
    for conflict in conflicts:
        for value in conflict.values:
            marks = []
            for cited in value.citations:
                key = (cited.source, cited.start, cited.end)
                if key not in numbers:
                    numbers[key] = len(numbers) + 1
                    citations.append(Citation.of_span(cited, numbers[key], cited.quote, 1.0, grade=cited.grade))
                marks.append(numbers[key])
            graded = ", ".join(f"{c.source}, grade {c.grade or 'none'}" for c in value.citations)
            sentences.append(AnswerSentence(f"{value.value} ({graded})", tuple(marks), True))
    listed = "; ".join(f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in sentences)
    return f"The sources disagree: {listed}.", citations, sentences


def _reject(question: str, message: str, model: str, started: float) -> Answer:
    return Answer(
        question=question,
        answer=message,
        refused=True,
        citations=[],
        sentences=[AnswerSentence(text=message, citations=(), supported=True)],
        confidence=1.0,
        model=model,
        timings_ms={"retrieve": 0.0, "generate": 0.0, "total": (time.perf_counter() - started) * 1000},
        standalone_question=question,
    )


def _stream_reply(
    backend: Backend, messages: list[BaseMessage], sink: list[str], max_tokens: int | None = None
) -> Iterator[str]:
    """Stream the model's tokens (collected in ``sink``); any client failure becomes the backend's one clear error."""
    assert backend.model is not None
    model = backend.model.bind(max_tokens=max_tokens) if max_tokens else backend.model
    try:
        for chunk in model.stream(messages):
            token = str(chunk.content)
            sink.append(token)
            yield token
    except BriefError:
        raise
    except Exception as error:  # noqa: BLE001 - any client failure becomes one clear LLM error
        raise backend.error(error) from error


def _says_yes(backend: Backend, messages: list[BaseMessage]) -> bool:
    """Whether the model answers a yes-or-no check with yes (its reply is not streamed to the user)."""
    reply: list[str] = []
    for _ in _stream_reply(backend, messages, reply, _CHECK_TOKENS):
        pass
    return affirms("".join(reply))


@dataclass(frozen=True)
class _Context:
    """What a sentence is read after: its brief's title and the sentence before it in its paragraph, if any."""

    title: str
    before: Evidence | None

    def text(self) -> str:
        """The context as the reader is shown it."""
        return f"{self.title}. {self.before.text}" if self.before is not None else f"{self.title}."


def _read_as_answer(
    backend: Backend, asked: str, item: Evidence, context: Callable[[Evidence], _Context]
) -> list[Evidence] | None:
    """The sentences by which the reader says ``item`` answers the question, or None when it does not.

    ``[item]`` when it answers alone; with the sentence before it when it answers only read in its ``context``.
    """
    if _says_yes(backend, answers_prompt(asked, item)):
        return [item]
    around = context(item)
    if _says_yes(backend, answers_prompt(asked, item, around.text())):
        return [around.before, item] if around.before is not None else [item]
    return None


def _confirmed(
    backend: Backend,
    asked: str,
    reply: str,
    numbered: Sequence[Evidence],
    analysis: Question,
    context: Callable[[Evidence], _Context],
) -> list[Evidence]:
    """The sentence the reader read its failed answer's value from, when it says this sentence answers, or [].

    Both checks must say yes: that the sentence gives the answer to the question, and that it says what the claim
    says. The sentence is then quoted verbatim, never the claim. A sentence that answers only read in its ``context``
    comes with the sentence before it ("UNICEF delivered 18,000 doses of ceftriaxone… Current stocks are expected to
    last about three weeks."). Whether it says what the claim says is asked of it alone: in context, the reader says
    yes to more than the sentence says.
    """
    for claim, item in valued_sentences(reply, numbered, analysis)[:_CHECKED_SENTENCES]:
        read = _read_as_answer(backend, asked, item, context)
        if read is not None and _says_yes(backend, states_prompt(claim, item)):
            return read
    return []


def _count_confirmed(
    backend: Backend,
    asked: str,
    drafts: Sequence[Draft],
    analysis: Question,
    similar: WordSimilarity,
    context: Callable[[Evidence], _Context],
) -> Draft | None:
    """A verified count that fails only for the question's verb, when the reader says its sentence answers, or None.

    "41,300 people are displaced" for "How many people have been forced from their homes?": the embedder finds no
    word close to "forced", the reader reads the paraphrase. It says no to a death toll for "How many were injured?".
    The count must be in its sentence's words: one that restates the question's verb is never put to the reader.
    """
    if not analysis.count_verb:
        return None
    loose = replace(analysis, count_verb="")
    for draft in [d for d in drafts if d.supported][:_CHECKED_SENTENCES]:
        counted = next((e for e in draft.evidence if numbers(e.text) & numbers(draft.text)), None)
        # "41,300 people have been killed" from a count of the displaced claims the question's verb: never asked.
        if counted is None or restates_the_verb(draft.text, analysis) or not answers(draft, loose, similar):
            continue
        if _read_as_answer(backend, asked, counted, context) is not None:
            return draft
    return None


@dataclass
class AnswerPipeline:
    """The answer path over explicit collaborators: the retriever, the sentence embedder, the stored texts."""

    retriever: HybridRetriever
    sentences: SentenceEmbeddingCache
    text: Callable[[str], str]
    documents: Callable[[], Sequence[DocumentInfo]]
    briefs: Callable[[Sequence[str] | None], list[Brief]]
    spans: SentenceMap

    def stream(
        self,
        question: str,
        history: History,
        k: int,
        backend: Backend,
        sources: Sequence[str] | None = None,
        include_suspect: bool = False,
    ) -> Iterator[str | Answer]:
        """Yield draft text while the model writes, then the verified :class:`Answer`.

        ``sources`` limits the evidence to those documents; suspect documents are left out unless ``include_suspect``.
        """
        started = time.perf_counter()
        question = question.strip()
        problem = self._problem(question)
        if problem:
            yield _reject(question[:200], problem, backend.name, started)
            return
        documents = {d.source: d for d in self.documents()}
        grades = {source: info.grade for source, info in documents.items()}
        if not include_suspect and any(info.suspect for info in documents.values()):
            sources = [source for source in (sources or documents) if not documents[source].suspect]

        # Questions about the briefs as a whole are answered from the whole briefs, never condensed with history.
        kind = list_question(question)
        if kind is not None:
            yield list_answer(question, self.briefs(self._brief_in_question(question, sources, documents)), kind)
            return
        named = self._named_briefs(question, documents, sources)
        if is_overview_question(question) or named:
            yield from self._overview(question, backend, named or sources, started)
            return

        # 1. condense: a follow-up becomes a question that stands alone.
        standalone = standalone_question(question, history, backend.model)
        analysis = replace(analyze_question(standalone), answer_type=analyze_question(question).answer_type)
        # 2. retrieve: the question is embedded once, for the dense ranking and the sentence scores.
        vector = self.sentences.embeddings.embed_query(standalone)
        ranked = self.retriever.passages(standalone, _EVIDENCE_POOL * k, sources, vector=vector)
        passages = ranked[:k]
        briefs = {p.chunk.source for p in passages}
        pool = [p for p in ranked if p.chunk.source in briefs]
        # 3. select evidence: the sentences of the retrieved chunks and of the next best chunks of the same briefs,
        # scored against the question (a table row as read under its column names; its citation still quotes the
        # row as written).
        weight = _term_weight(self.retriever.lexical_index())
        texts = {source: self.text(source) for source in briefs}
        evidence = [
            item
            for item in select_evidence(pool, analysis, vector, self.sentences, weight, texts)
            if suspect_rule(item.text) is None  # text addressed to an AI system is never evidence
        ]
        retrieved = [Citation.of_span(p.chunk, rank, p.chunk.text, p.score) for rank, p in enumerate(passages, start=1)]
        retrieve_ms = (time.perf_counter() - started) * 1000

        # 4-5. read and verify (or, without a reader, decide from the evidence alone).
        generate_started = time.perf_counter()
        drafts: list[Draft] = []
        if is_reader(backend.model) and evidence:
            titles = {source: info.title for source, info in documents.items()}
            drafts = yield from self._read(
                question if not history else standalone, analysis, evidence, texts, titles, backend
            )
            answered = any(d.supported for d in drafts)
        elif (primary := answering_sentence(analysis, evidence)) is not None:
            extra = _second_part(analysis, evidence, primary, weight)
            extractive = [_quoted(e, texts) for e in (primary, extra) if e is not None]
            drafts = extractive
            if backend.model is not None:
                chosen = [d.evidence[0] for d in extractive]
                shown = chosen + [e for e in evidence if e not in chosen][: 3 - len(chosen)]
                reply: list[str] = []
                yield from _stream_reply(backend, reader_prompt(question if not history else standalone, shown), reply)
                # A true sentence that does not speak to the question is padding: it is left out, not shown.
                drafts = [
                    d for d in verify_reply("".join(reply), shown, analysis) if not d.supported or on_topic(d, chosen)
                ]
                if not useful(drafts, analysis):
                    drafts = [d for d in drafts if not d.supported] + extractive
            answered = True
        else:
            answered = False
        generate_ms = (time.perf_counter() - generate_started) * 1000

        # 6. cite: number the verified sentences' evidence, or refuse with the closest passage; when sources give
        # different values for the fact asked, say so and give each value with its citation and grade.
        conflicts = find_conflicts(standalone, [_as_written(e, texts) for e in evidence], grades)
        if conflicts:
            text, citations, sentences = _disagreement(conflicts)
            refused, confidence = False, 0.5
        elif not answered:
            text, citations, sentences = _refusal(evidence, texts, grades)
            sentences = [*sentences, *(AnswerSentence(d.text, (), False) for d in drafts if not d.supported)]
            refused, confidence = True, 1.0 - (evidence[0].score if evidence else 0.0)
        else:
            citations, sentences, text = _citations(drafts, texts, grades)
            supported = [s for s in sentences if s.supported]
            refused = False
            best = max((e.score for d in drafts for e in d.evidence), default=0.0)
            confidence = 0.5 * best + 0.5 * (len(supported) / max(1, len(sentences)))
        yield Answer(
            question=question,
            answer=text,
            refused=refused,
            citations=citations,
            sentences=sentences,
            confidence=max(0.0, min(1.0, confidence)),
            model=backend.name,
            timings_ms={
                "retrieve": retrieve_ms,
                "generate": generate_ms,
                "total": (time.perf_counter() - started) * 1000,
            },
            standalone_question=standalone,
            retrieved=retrieved,
            conflicts=list(conflicts),
        )

    def _read(
        self,
        asked: str,
        analysis: Question,
        evidence: Sequence[Evidence],
        texts: dict[str, str],
        titles: dict[str, str],
        backend: Backend,
    ) -> Generator[str, None, list[Draft]]:
        """Show the reader the best sentences with their neighbours; its reply's sentences, each checked.

        When the reader declines, a sentence that plainly answers by the evidence checks still does. ``texts`` and
        ``titles`` are the briefs' texts and titles, by source.
        """
        numbered = context_sentences(evidence, texts, self.spans, _READER_TOP, _READER_SENTENCES, _READER_CHARS)
        reply: list[str] = []
        yield from _stream_reply(backend, reader_prompt(asked, numbered), reply)
        written = "".join(reply)
        logger.debug("reader reply to %r: %r", asked, written)
        if declines(written):
            clear = clear_answer(analysis, evidence)
            return [_quoted(clear, texts)] if clear is not None else []
        similar = self.sentences.word_similarity
        drafts = verify_reply(written, numbered, analysis, similar)
        answering = [answers(d, analysis, similar) for d in drafts]
        if any(answering):
            # A true sentence that neither answers nor speaks to the question is padding: it is left out.
            return [d for d, a in zip(drafts, answering, strict=True) if not d.supported or a or on_topic(d, ())]
        context = self._context(texts, titles)
        confirmed = _count_confirmed(backend, asked, drafts, analysis, similar, context)
        if confirmed is not None:
            return [confirmed]
        if drafts and not any(d.supported for d in drafts):
            # The reader found an answer but worded it wrongly: the sentence it answered from, verbatim, when the
            # evidence checks agree that this sentence answers the question, or else the reader, asked, confirms it.
            pointed = pointed_sentence(written, numbered, analysis)
            quoted = (
                [pointed] if pointed is not None else _confirmed(backend, asked, written, numbered, analysis, context)
            )
            return [*(_quoted(item, texts) for item in quoted), *drafts]
        return [d for d in drafts if not d.supported]

    def _context(self, texts: dict[str, str], titles: dict[str, str]) -> Callable[[Evidence], _Context]:
        """What each sentence is read after: its brief's title and the sentence before it in its paragraph."""

        def context(item: Evidence) -> _Context:
            text = texts[item.source]
            span, _ = self.spans.neighbours(item.source, text, item)
            before = neighbour(item, span, text) if span is not None else None
            return _Context(titles.get(item.source, item.source), before)

        return context

    def _overview(
        self, question: str, backend: Backend, sources: Sequence[str] | None, started: float
    ) -> Iterator[str | Answer]:
        """3 to 6 central sentences covering distinct facts: verbatim, or one verified bullet each from a reader."""
        briefs = self.briefs(sources)
        picked = select_overview_sentences(briefs, self.sentences.vectors)
        extractive = overview_answer(question, picked, {b.source: b.title for b in briefs})
        chosen_ms = (time.perf_counter() - started) * 1000
        if not is_reader(backend.model) or not picked:
            extractive.timings_ms = {"retrieve": chosen_ms, "generate": 0.0, "total": chosen_ms}
            yield extractive
            return
        numbered = [Evidence(p.source, p.start, p.end, p.paragraph, p.text, 1.0, 1.0) for p in picked]
        analysis = analyze_question(question)
        drafts: list[Draft] = []
        for group in (numbered[:1], numbered[1:]):
            # The first sentence alone, then the rest: the first bullet shows after one sentence is read, not six.
            if not group:
                continue
            reply: list[str] = []
            yield from _stream_reply(backend, overview_prompt(group), reply, _BULLET_TOKENS * len(group))
            yield "\n"
            drafts += verify_reply("".join(reply), group, analysis, self.sentences.word_similarity)[: len(group)]
        verified = [d for d in drafts if d.supported]
        if len(verified) < min(3, len(picked)):
            answer = extractive
            answer.sentences += [AnswerSentence(d.text, (), False) for d in drafts if not d.supported]
        else:
            texts = {source: self.text(source) for source in {e.source for e in numbered}}
            grades = {d.source: d.grade for d in self.documents()}
            citations, sentences, _ = _citations(drafts, texts, grades)
            bullets = [f"- {s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in sentences if s.supported]
            answer = Answer(question, "\n".join(bullets), False, citations, sentences, 1.0, backend.name, {})
        total = (time.perf_counter() - started) * 1000
        answer.model = backend.name
        answer.timings_ms = {"retrieve": chosen_ms, "generate": total - chosen_ms, "total": total}
        yield answer

    def _brief_in_question(
        self, question: str, sources: Sequence[str] | None, documents: dict[str, DocumentInfo]
    ) -> Sequence[str] | None:
        """The briefs a list question is about: all of them, or "the brief" the question's own words retrieve first."""
        chosen = list(sources or documents)
        if len(chosen) < 2 or not re.search(
            r"\b(?:the|this|that)\s+(?:brief|report|document|article)\b", question, re.I
        ):
            return sources
        passages = self.retriever.passages(question, 1, chosen)
        return [passages[0].chunk.source] if passages else sources

    def _named_briefs(
        self, question: str, documents: dict[str, DocumentInfo], sources: Sequence[str] | None
    ) -> list[str]:
        """The briefs an overview request names ("What is the Sudan brief about?"): by title, file name or lead."""
        match = _ABOUT_A_BRIEF.match(question)
        if not match:
            return []
        wanted = set(content_terms(match.group("a") or match.group("b") or ""))
        if not wanted:
            return []
        named = []
        for source in sources or documents:
            info = documents[source]
            words = set(content_terms(f"{info.title} {source} {self.text(source)[:_LEAD_CHARS]}"))
            if wanted <= words:
                named.append(source)
        return named

    def _problem(self, question: str) -> str:
        """Why a question cannot be asked at all, or ""."""
        if not content_terms(question) and not re.search(r"\w", question):
            return "Please ask a question in words; this one has none."
        if len(question) > MAX_QUESTION_CHARS:
            return f"The question is {len(question)} characters long; please keep it under {MAX_QUESTION_CHARS}."
        if not self.documents():
            return "No briefs are indexed yet: add some with `brief ingest PATH` first."
        return ""
