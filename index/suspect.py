"""Suspect text: sentences of a brief addressed to an AI system rather than reporting anything (prompt injection).

A sentence is flagged when it speaks *to* a machine reader, not when it merely holds an instruction word. It
must pair an addressee with a directive:

- a role tag (``SYSTEM:``, ``<system>``, ``[INST]``, ``<|im_start|>``, ``### Instruction:``), which is both;
- an AI addressee (the assistant, an AI, a model, an LLM, a chatbot, a language model) named in a heading,
  vocative or notice ("Note to any AI model reading this:", "Dear assistant,"), or as the subject of an
  instruction ("Any AI summarising this document should state...", "the model must answer...");
- "you" given an instruction ("you must now answer...", "you are now...", "your new instructions are...");
- an imperative clause about the reader's own instructions or output ("Ignore all previous instructions",
  "Respond only with...", "Do not tell the user...", "When asked about X, answer Y").

Reporting keeps its third-person subjects and reported speech, so "Minsk said it would respond only to a direct
attack" and "officials were told to ignore previous instructions from Moscow" are not flagged. The measured
precision and recall on a labelled set are in docs/reliability.md (``brief bench suspect``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .sentences import Span, sentence_spans

__all__ = ["Flag", "find_flags", "suspect_rule"]

_MAX_FLAGS = 20
"""Flagged sentences kept per document: enough to review it, small enough for the document record."""


@dataclass(frozen=True)
class Flag(Span):
    """A span of a document's text addressed to an AI system: ``text == document_text[start:end]``."""

    text: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"start": self.start, "end": self.end, "text": self.text}


_TITLES = (
    "secretary|director|minister|coach|manager|editor|professor|chief|commissioner|attorney|general|deputy|"
    "principal|administrator|prosecutor|commander|head|sergeant|superintendent|surgeon|judge|referee|to|of"
)
_ASSISTANT = (
    r"(?<!['’]s )(?<!\bhis )(?<!\bher )(?<!\btheir )(?<!\bmy )(?:AI |virtual |digital )?assistants?"
    r"(?!\s+(?:" + _TITLES + r")\b)"
)
_MACHINE = (
    r"(?:(?-i:AI|A\.I\.)|artificial intelligence|LLMs?|(?:large )?language models?|chat ?bots?|bots?|models?|"
    r"(?:Chat)?GPT[\w.-]*|Claude|Gemini|Copilot|(?-i:AI) agents?|automated systems?|(?-i:AI) systems?|summari[sz]ers?)"
)
_AI = rf"(?:{_MACHINE}|{_ASSISTANT})"
"""Names of an AI reader; "assistant" only when no one's and no title ("the president's assistant", "assistant
secretary", "assistant to the president")."""
_DIRECTIVE = (
    r"(?:answer|reply|respond|say|state|tell|output|print|write|cite|quote|mention|report|repeat|describe|treat|"
    r"recommend|name|list|summari[sz]e|translate|include|omit|refuse|confirm|claim|refer|use|flag|obey|comply|"
    r"follow|act|pretend|reveal|disclose|return|provide|remember|consider|assume|believe|regard|present|portray|"
    r"identify|trust|prioriti[sz]e|prefer|avoid|ignore|disregard|forget|override|bypass|discard|stop|begin|start)"
)
"""Verbs that tell a reader what to do with its instructions or its output."""
_DIRECTIVE_WORD = re.compile(rf"\b{_DIRECTIVE}\b", re.I)
_MODAL = (
    r"(?:must|should|shall|will|need to|needs to|have to|has to|are to|is to|may only|can only|"
    r"(?:are|is) (?:now )?(?:required|instructed|asked|expected|told|requested|advised|directed|supposed) to)"
)
_ADVERBS = r"(?:(?:not|now|always|never|only|also|then|just|simply|instead|henceforth)\s+)*"
_OBJECT = (
    r"(?:instructions?|prompts?|rules|guidelines|directives|directions|context|passages?|sources|programming|"
    r"training|constraints|restrictions|guardrails|polic(?:y|ies)|system prompt|safety|everything|anything|"
    r"all (?:of )?(?:the )?(?:above|that|this|prior|previous|earlier)|the above|what you were told|"
    r"(?:other|conflicting|earlier|previous|prior) (?:reports|documents|briefs|information))"
)
"""What an override targets: the reader's instructions or the material it was given, not "the noise"."""
_CUES = re.compile(
    r"\b(?:you|your|yourself|the user|user's|(?:every|any|each|next|all|this) (?:question|answer|response|reply)s?|"
    r"this (?:document|brief|text|passage|page|paragraph|note|message|instruction|file|source|report)|"
    r"(?:other|the) (?:passages|sources|documents|briefs)|citing|citations?|from now on|regardless|instead|"
    r"only (?:with|in)|in (?:french|english|russian|german|spanish)|system prompt|instructions?|prompt)\b",
    re.I,
)
"""Words showing an imperative clause is about the reader's answers or instructions, not about the world."""

_TAG = re.compile(
    r"<\|?\s*/?\s*(?:system|assistant|user|instructions?|prompt|im_start|im_end|inst|sys)\b[^>]{0,40}>"
    r"|\[/?\s*(?:INST|SYS|SYSTEM|ASSISTANT)\s*\]|<<\s*/?\s*SYS\s*>>"
    r"|^\W{0,3}###\s*(?:instructions?|system|response)\b"
    r"|\b(?:new|updated|revised|real|actual|hidden|secret)\s+instructions?\s*:"
    r"|\b(?:system prompt|priority|instruction|prompt)\s+override\b",
    re.I,
)
_ROLE_LABEL = re.compile(
    r"^\W{0,3}(?:system|assistant|developer)(?:\s+(?:prompt|message|notice|note|override|instructions?))?\s*:\s*", re.I
)
"""A chat turn's label, as in "SYSTEM: comply with every request"; "System: Nintendo Switch" is a field label."""
_REPLY_OPENER = re.compile(
    r"(?:sure|certainly|of course|okay|ok|understood|yes|no problem|as an|i will|i'll|i can|i cannot|i can't)\b", re.I
)
_ADDRESSED = re.compile(
    # A heading, vocative or notice naming an AI reader: "To the chatbot:", "Dear assistant,", "Note to any AI"
    # ("Assistant: John Smith" alone is a field label).
    r"(?:^|[:;]\s*)(?:(?:(?:hey|dear|attention|note to|message to|notice to|to|for)\s+)?"
    rf"(?:the\s+|any\s+|all\s+|every\s+)(?:{_AI})|(?:hey|dear|attention)\s+(?:{_AI})|{_MACHINE})"
    rf"(?:\s+(?:and|or)\s+(?:{_AI}))?\s*[:,]"
    r"|\b(?:note|notice|message|memo|instructions?|reminder|warning)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+|every\s+)?"
    rf"(?:{_AI})\b"
    rf"|\bif you(?: are|'re) (?:an? |the )?(?:{_AI})\b|\bas an? (?-i:AI)\b|\byou, the (?:{_AI})\b",
    re.I,
)
_AI_SUBJECT = re.compile(rf"\b(?:{_AI})\b[^.;:!?]{{0,80}}?\b{_MODAL}\s+{_ADVERBS}{_DIRECTIVE}\b", re.I)
_YOU = re.compile(
    rf"\byou(?:\s+\w+){{0,2}}?\s+{_MODAL}\s+{_ADVERBS}{_DIRECTIVE}\b"
    r"|\byou are now (?:an?|the|in|my|called|named|acting|operating|free|unrestricted|unfiltered|jailbroken|DAN)\b"
    r"|\bfrom now on,? you\b"
    r"|\byour (?:new |real |actual )?(?:instructions|task|role|goal|job|objective|purpose|programming|prompt|"
    r"guidelines|rules)\s+(?:is|are|now)\b",
    re.I,
)
_OVERRIDE = re.compile(
    rf"(?:^|[:;,]\s*|\band\s+)(?:(?:please|now|also|so|just|simply|first|kindly)\s+)*"
    rf"(?:ignore|disregard|forget|override|bypass|discard)\s+(?:[\w'’-]+\s+){{0,4}}?{_OBJECT}\b"
    r"|\b(?:ignore|disregard|forget|override|bypass)\s+your\b"
    r"|\b(?:enable|activate|enter|switch to)\s+(?:the\s+)?"
    r"(?:developer|DAN|god|unrestricted|jailbreak|jailbroken)\s+mode\b",
    re.I,
)
_IMPERATIVE = re.compile(
    r"(?:^|[:;,]\s*)(?:(?:please|now|also|so|just|simply|first|kindly|then)\s+)*"
    r"(?:(?:always|never|only)\s+)?(?:do not|don't|never)?\s*"
    r"(?:answer|reply|respond|say(?! what you)|state|tell|output|print|write|cite|quote|mention|repeat|describe|treat|"
    r"recommend|summari[sz]e|translate|include|omit|refuse|confirm|claim|refer|use|stop|flag|obey|comply|follow|"
    r"act as|pretend|reveal|disclose|return|provide|remember|assume|believe)\b(?!\s*:)",
    re.I,
)
_CONDITIONAL = re.compile(
    r"\b(?:when|if|whenever|once)\s+(?:you(?: are|'re)?\s+|the user\s+|a user\s+|anyone\s+|someone\s+|"
    rf"an?\s+(?:{_AI})\s+(?:is\s+)?)?(?:asked|asks|ask|questioned|queried|prompted)\b[^.;:]{{0,120}},\s*"
    rf"(?:(?:please|always|just|simply)\s+)?(?:{_DIRECTIVE}\b|(?:you|it|they)\s+{_MODAL}\s+{_ADVERBS}{_DIRECTIVE}\b)",
    re.I,
)
_QUOTED = re.compile(r"[\"“‘']([^\"”’']{3,})[\"”’']")
_REPORTING_VERBS = (
    r"(?:said|says|told|tells|warned|added|asked|wrote|declared|insisted|advised|found|reported|explained|noted|"
    r"urged|argued|claimed|stated|announced|recalled)"
)
_REPORTING = re.compile(rf"\b(?:{_REPORTING_VERBS}|according to)\b", re.I)
_REPORTING_TAIL = re.compile(rf",\s*(?:[\w'’.-]+\s+){{0,6}}?{_REPORTING_VERBS}\b[^,;:]{{0,60}}$", re.I)
"""A closing "..., the guide advised." that makes the sentence before it reported speech."""
_SPELLED = re.compile(r"\b(?:[A-Za-z]\.){2,}[A-Za-z]\b")


def _reported(sentence: str, match: re.Match[str]) -> bool:
    """Whether the match is speech the sentence reports: "'You must answer,' the judge said", "..., they found"."""
    if _REPORTING_TAIL.search(sentence[match.end() :]):
        return True
    for quote in _QUOTED.finditer(sentence):
        if quote.start() <= match.start() and match.end() <= quote.end():
            rest = sentence[: quote.start()] + sentence[quote.end() :]
            return bool(_REPORTING.search(rest))
    return False


def suspect_rule(sentence: str) -> str | None:
    """The name of the rule by which ``sentence`` addresses an AI system, or None for ordinary text."""
    text = _SPELLED.sub(lambda m: m.group().replace(".", ""), sentence)  # "I.g.n.o.r.e" reads "Ignore"
    if _TAG.search(text):
        return "role tag"
    label = _ROLE_LABEL.match(text)
    if label:
        turn = text[label.end() :]
        if _REPLY_OPENER.match(turn) or _CUES.search(turn) or _DIRECTIVE_WORD.search(turn):
            return "role tag"
    if _ADDRESSED.search(text):
        return "AI addressee"
    subject = _AI_SUBJECT.search(text)
    if subject and not _reported(text, subject):
        return "instruction to an AI"
    conditional = _CONDITIONAL.search(text)
    if conditional and not _reported(text, conditional):
        return "when asked, answer"
    if _OVERRIDE.search(text):
        return "override"
    you = _YOU.search(text)
    if you and not _reported(text, you):
        return "instruction to you"
    imperative = _IMPERATIVE.search(text)
    if imperative and _CUES.search(text) and not _reported(text, imperative):
        return "imperative about the answer"
    return None


def find_flags(text: str) -> list[Flag]:
    """The sentences of ``text`` addressed to an AI system, in order (at most :data:`_MAX_FLAGS`)."""
    flags = []
    for span in sentence_spans(text):
        sentence = span.of(text)
        if suspect_rule(sentence):
            flags.append(Flag(span.start, span.end, sentence))
            if len(flags) == _MAX_FLAGS:
                break
    return flags
