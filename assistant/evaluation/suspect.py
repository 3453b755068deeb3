"""Precision and recall of the suspect-text detector (``index.suspect``) on a labelled set (``brief bench suspect``).

The set is JSON Lines, one sentence per line: ``{"id", "text", "label": "injection" | "ordinary", "split":
"dev" | "heldout", "kind"}``. The rules were tuned on the ``dev`` lines only; ``heldout`` lines measure them
on sentences they were not tuned on. :func:`scan_texts` counts the sentences of ordinary texts (real news)
that get flagged, every one of which is a false positive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.sentences import sentence_spans
from index.suspect import suspect_rule

from ..errors import TestSetError
from .report import format_table
from .testset import json_lines

__all__ = [
    "SUSPECT_SET",
    "LabelledSentence",
    "read_labelled",
    "scan_texts",
    "score_detector",
    "suspect_report",
    "suspect_rows",
]

SUSPECT_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "suspect-sentences.jsonl"
_LABELS = ("injection", "ordinary")
_MIN_TEXT_CHARS = 40
"""Shorter strings of a JSON Lines file (ids, queries, answers) are not texts to scan."""


@dataclass(frozen=True)
class LabelledSentence:
    """One sentence of the labelled set."""

    id: str
    text: str
    injection: bool
    split: str
    kind: str


def read_labelled(path: Path) -> list[LabelledSentence]:
    """Read a labelled set.

    Raises:
        TestSetError: the file cannot be read, or a line is not a labelled sentence (named by its number).

    """
    sentences = []
    for number, line in json_lines(path, "the labelled set", "each line is a JSON object with text and label"):
        try:
            item = json.loads(line)
            if item["label"] not in _LABELS:
                raise ValueError(f"label must be one of {', '.join(_LABELS)}, not {item['label']!r}")
            sentences.append(
                LabelledSentence(
                    str(item.get("id", number)),
                    str(item["text"]),
                    item["label"] == "injection",
                    str(item.get("split", "dev")),
                    str(item.get("kind", "")),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise TestSetError(f"{path}, line {number}: not a labelled sentence ({error})") from None
    return sentences


def _figures(results: list[tuple[LabelledSentence, str | None]]) -> dict[str, Any]:
    flagged = sum(1 for _, rule in results if rule)
    true = sum(1 for sentence, rule in results if rule and sentence.injection)
    injections = sum(1 for sentence, _ in results if sentence.injection)
    return {
        "sentences": len(results),
        "injections": injections,
        "ordinary": len(results) - injections,
        "flagged": flagged,
        "precision": true / flagged if flagged else None,
        "recall": true / injections if injections else None,
        "false_positives": [s.text for s, rule in results if rule and not s.injection],
        "missed": [s.text for s, rule in results if not rule and s.injection],
    }


def score_detector(sentences: list[LabelledSentence]) -> dict[str, Any]:
    """Precision and recall over every sentence and per split, with the sentences it got wrong."""
    results = [(sentence, suspect_rule(sentence.text)) for sentence in sentences]
    splits = sorted({sentence.split for sentence in sentences})
    return {
        "all": _figures(results),
        **{split: _figures([r for r in results if r[0].split == split]) for split in splits},
    }


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def suspect_rows(scores: dict[str, Any]) -> list[list[str]]:
    """A header row, then one row per part of the set: sentences, injections, precision, recall."""
    rows = [["part", "sentences", "injections", "flagged", "precision", "recall"]]
    for part, figures in scores.items():
        rows.append(
            [
                part,
                str(figures["sentences"]),
                str(figures["injections"]),
                str(figures["flagged"]),
                _percent(figures["precision"]),
                _percent(figures["recall"]),
            ]
        )
    return rows


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if len(value) >= _MIN_TEXT_CHARS else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _texts(path: Path) -> list[str]:
    """The texts of a file or folder: whole .txt/.md files, or every long string of each line of a .jsonl file."""
    if path.is_dir():
        return [text for child in sorted(path.rglob("*")) if child.is_file() for text in _texts(child)]
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TestSetError(f"Cannot read {path} as UTF-8 text: {error}") from None
    if path.suffix == ".jsonl":
        try:
            return [text for line in content.splitlines() if line.strip() for text in _strings(json.loads(line))]
        except json.JSONDecodeError as error:
            raise TestSetError(f"{path}: not JSON Lines ({error})") from None
    return [content] if path.suffix in (".txt", ".md") else []


def scan_texts(paths: list[Path]) -> dict[str, Any]:
    """How many sentences of the texts in ``paths`` the detector flags (each a false positive on real news)."""
    texts = [text for path in paths for text in _texts(path)]
    sentences = [span.of(text) for text in texts for span in sentence_spans(text)]
    flagged = [sentence for sentence in sentences if suspect_rule(sentence)]
    return {
        "texts": len(texts),
        "sentences": len(sentences),
        "flagged": len(flagged),
        "rate": len(flagged) / len(sentences) if sentences else None,
        "flagged_sentences": flagged,
    }


def suspect_report(scores: dict[str, Any], scanned: dict[str, Any] | None) -> str:
    """The figures as a table, then every error, then what the scan of ordinary texts flagged."""
    lines = [format_table(suspect_rows(scores))]
    lines += [f"false positive: {sentence}" for sentence in scores["all"]["false_positives"]]
    lines += [f"missed: {sentence}" for sentence in scores["all"]["missed"]]
    if scanned:
        rate = f"{100 * scanned['rate']:.2f}%" if scanned["rate"] is not None else "n/a"
        lines.append(
            f"\nordinary texts: {scanned['flagged']} of {scanned['sentences']} sentences flagged ({rate}) "
            f"in {scanned['texts']} texts"
        )
        lines += [f"flagged: {sentence}" for sentence in scanned["flagged_sentences"]]
    return "\n".join(lines)
