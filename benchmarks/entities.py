"""Precision and recall of the entity extractor against hand labels (``brief bench entities``).

A label file is JSON Lines, one entity per line: ``{"source", "type", "name", "aliases"}``, where ``source`` is
a brief's file name, found in the folders given. Scoring is by entity, per brief: the extractor's entities
(mentions grouped by type and name) are matched to the labelled ones of the same type and brief. A found entity
matches a labelled one when its name or the text of any of its mentions equals the label's name or an alias
(case, curly apostrophes, a possessive and a final period aside; for dates, a leading "the night of", "early",
"late", "mid-" too). Each labelled entity is matched at most once: a second found entity that matches it (one
entity listed twice) counts as a false positive.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import BriefStore, Ingestor, Settings
from index.entities import ENTITY_TYPES, Entity, extract_mentions, group_entities
from index.gazetteer import key
from index.ingest import expand_paths

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

from assistant.errors import TestSetError
from assistant.evaluation.testset import json_lines

__all__ = ["EntityScores", "ingest_cost", "score_entities"]

_DATE_PREFIX = re.compile(
    r"^(?:(?:the\s+)?(?:night|nights|morning|evening|afternoon|weekend|end|beginning|start|middle)\s+of\s+)?"
    r"(?:(?:early|mid|late)[-\s])?"
)


@dataclass
class _Counts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def row(self) -> dict[str, Any]:
        found = self.true_positives + self.false_positives
        labelled = self.true_positives + self.false_negatives
        return {
            "precision": round(self.true_positives / found, 3) if found else None,
            "recall": round(self.true_positives / labelled, 3) if labelled else None,
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
        }


@dataclass
class EntityScores:
    """Counts per entity type, and the entities that were missed or wrongly found (for reading the errors)."""

    counts: dict[str, _Counts] = field(default_factory=lambda: {t: _Counts() for t in ENTITY_TYPES})
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Precision, recall and counts per type and over all types, plus the errors."""
        total = _Counts(*(sum(getattr(c, f) for c in self.counts.values()) for f in _Counts.__dataclass_fields__))
        return {
            "types": {t: c.row() for t, c in self.counts.items()},
            "all": total.row(),
            "missed": self.missed,
            "spurious": self.spurious,
        }

    def table(self) -> str:
        """A Markdown table: type, precision, recall, tp, fp, fn."""
        data = self.as_dict()
        lines = ["| type | precision | recall | tp | fp | fn |", "| --- | --- | --- | --- | --- | --- |"]
        for name, row in [*data["types"].items(), ("all", data["all"])]:
            shown = [f"{row[k]:.1%}" if row[k] is not None else "-" for k in ("precision", "recall")]
            lines.append(f"| {name} | {shown[0]} | {shown[1]} | {row['tp']} | {row['fp']} | {row['fn']} |")
        return "\n".join(lines)


def _form(text: str, kind: str) -> str:
    folded = key(text)
    return _DATE_PREFIX.sub("", folded) if kind == "date" else folded


def _read_labels(path: Path) -> dict[str, list[dict[str, Any]]]:
    labels: dict[str, list[dict[str, Any]]] = {}
    for number, line in json_lines(path, "the label file", "each line is a JSON object with source, type and name"):
        try:
            row = json.loads(line)
            if row["type"] not in ENTITY_TYPES:
                raise ValueError(f"type {row['type']!r} is not one of {', '.join(ENTITY_TYPES)}")
            labels.setdefault(str(row["source"]), []).append(row)
        except (ValueError, KeyError, TypeError) as error:
            raise TestSetError(f"{path}, line {number}: not a label ({error})") from None
    return labels


def _find(source: str, folders: Sequence[Path]) -> Path:
    for folder in folders:
        if (folder / source).is_file():
            return folder / source
    where = ", ".join(str(f) for f in folders) or "no folder (give --briefs DIR)"
    raise TestSetError(f"The labelled brief {source!r} is not in {where}")


def _score_brief(source: str, gold: list[dict[str, Any]], found: list[Entity], scores: EntityScores) -> None:
    for kind in ENTITY_TYPES:
        labels = [row for row in gold if row["type"] == kind]
        forms = [{_form(n, kind) for n in [row["name"], *row.get("aliases", [])]} for row in labels]
        matched = [False] * len(labels)
        counts = scores.counts[kind]
        for entity in (e for e in found if e.type == kind):
            surfaces = {_form(entity.name, kind)} | {_form(m.text, kind) for m in entity.mentions}
            hit = next((i for i, f in enumerate(forms) if f & surfaces), None)
            if hit is None or matched[hit]:
                counts.false_positives += 1
                scores.spurious.append(f"{source}: {kind} {entity.name!r}")
            else:
                matched[hit] = True
                counts.true_positives += 1
        for row, was in zip(labels, matched, strict=True):
            if not was:
                counts.false_negatives += 1
                scores.missed.append(f"{source}: {kind} {row['name']!r}")


def score_entities(labels: Path, folders: Sequence[Path]) -> EntityScores:
    """Score the extractor on every brief the label file names, read from the first of ``folders`` holding it.

    Raises:
        TestSetError: the label file is missing, empty or malformed, or a labelled brief is in none of ``folders``.

    """
    scores = EntityScores()
    for source, gold in sorted(_read_labels(labels).items()):
        text = _find(source, folders).read_text(encoding="utf-8")
        _score_brief(source, gold, group_entities(extract_mentions(text)), scores)
    return scores


def _runs(seconds: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in seconds)


def ingest_cost(
    embeddings: Embeddings, settings: Settings, folders: Sequence[Path], rounds: int, generated: int = 0
) -> dict[str, Any]:
    """Time ``rounds`` ingests of the briefs in ``folders`` without and with entity extraction, side by side.

    ``generated`` adds that many generated briefs (``brief bench perf``'s, about the seed's size each), so the
    run is long enough for the machine's noise to even out. Each ingest goes into a fresh temporary index with
    the same embedder (warmed up first); the two kinds alternate, so a change in the machine's load hits both
    alike. The extraction alone is timed too.

    Returns:
        Wall and CPU seconds of every ingest of each kind, their medians, the slowdowns (with / without - 1),
        the extraction's own time, the number of briefs and characters, and a Markdown table of it all.

    """
    from .corpus import generate_briefs

    extra = Path(tempfile.mkdtemp(prefix="brief-cost-briefs-"))
    for name, text in generate_briefs(generated):
        (extra / name).write_text(text, encoding="utf-8")
    files = [item for item in expand_paths([*folders, extra] if generated else folders) if isinstance(item, Path)]
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    embeddings.embed_documents(["warm-up"])
    seconds: dict[str, list[float]] = {"without": [], "with": []}
    cpu: dict[str, list[float]] = {"without": [], "with": []}
    for _ in range(rounds):
        for kind in ("without", "with"):
            with tempfile.TemporaryDirectory(prefix="brief-cost-") as home:
                store = BriefStore(settings.model_copy(update={"home": Path(home)}))
                ingestor = Ingestor(store, embeddings, store.settings, entities=kind == "with")
                started, started_cpu = time.perf_counter(), time.process_time()
                ingestor.ingest_paths(files)
                seconds[kind].append(time.perf_counter() - started)
                cpu[kind].append(time.process_time() - started_cpu)
                store.close()
    started = time.perf_counter()
    for text in texts:
        extract_mentions(text)
    extraction = time.perf_counter() - started
    shutil.rmtree(extra, ignore_errors=True)
    without, with_ = statistics.median(seconds["without"]), statistics.median(seconds["with"])
    cpu_without, cpu_with = statistics.median(cpu["without"]), statistics.median(cpu["with"])
    slowdown, cpu_slowdown = with_ / without - 1, cpu_with / cpu_without - 1
    table = "\n".join(
        [
            f"Ingest of {len(files)} briefs ({sum(map(len, texts)):,} characters), {rounds} rounds each, alternating:",
            "",
            "| ingest | median wall s | median CPU s | every run, wall s |",
            "| --- | --- | --- | --- |",
            f"| without entities | {without:.3f} | {cpu_without:.3f} | {_runs(seconds['without'])} |",
            f"| with entities | {with_:.3f} | {cpu_with:.3f} | {_runs(seconds['with'])} |",
            "",
            f"Slowdown: {slowdown:+.1%} wall, {cpu_slowdown:+.1%} CPU; the extraction alone takes "
            f"{extraction * 1000:.1f} ms for all {len(files)} briefs ({extraction / cpu_without:.1%} of an ingest's "
            "CPU time without it).",
        ]
    )
    return {
        "files": len(files),
        "characters": sum(map(len, texts)),
        "rounds": rounds,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "median_without": round(without, 4),
        "median_with": round(with_, 4),
        "slowdown": round(slowdown, 4),
        "cpu_slowdown": round(cpu_slowdown, 4),
        "extraction_seconds": round(extraction, 4),
        "table": table,
    }
