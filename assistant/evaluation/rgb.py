"""The RGB benchmark (Chen et al., AAAI 2024) run through brief's own retrieval and answering.

Every positive and negative snippet of every record becomes one small document of a scratch index
(a temporary ``BRIEF_HOME``), and each query is asked against that whole pool. Then the negative-rejection
variant: for each record its positive snippets are taken out of the pool, the query is asked again, and the
snippets are put back, so the query meets only material without its answer (the record's negatives and
every other record's snippets) and the right response is a refusal.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import TestSetError
from .testset import json_lines

if TYPE_CHECKING:
    from tqdm import tqdm

    from ..service import Assistant

__all__ = ["PAPER", "RGBRecord", "read_rgb", "rgb_correct", "rgb_labels", "rgb_rows", "run_rgb"]

PAPER = {
    "model": "ChatGPT (gpt-3.5-turbo)",
    "accuracy": {0.0: 0.9633},
    "rejection_rate": 0.2467,
    "setup": "five documents given per query at noise ratios 0, 0.4 and 0.8; rejection: five negatives only",
}
PAPER_NOISE = (0.0, 0.4, 0.8)
PAPER_DOCUMENTS = 5
PAPER_K = 10
"""Chunks retrieved from the five given snippets (a snippet is one to three chunks, so this covers them)."""
_Row = dict[str, Any]


@dataclass(frozen=True)
class RGBRecord:
    """One RGB query, its gold answer (a string or a list; nested lists are alternatives) and its snippets."""

    id: int
    query: str
    answer: str | list[Any]
    positive: tuple[str, ...]
    negative: tuple[str, ...]


def read_rgb(path: Path) -> list[RGBRecord]:
    """Read the RGB JSON Lines file; a missing file or a malformed line raises TestSetError naming it."""
    records = []
    for number, line in json_lines(path, "the RGB file", "pass the path of en_fact.json(l)"):
        try:
            data = json.loads(line)
            records.append(
                RGBRecord(
                    id=int(data["id"]),
                    query=str(data["query"]),
                    answer=data["answer"],
                    positive=tuple(data["positive"]),
                    negative=tuple(data["negative"]),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            reason = f"{type(error).__name__}: {error}"
            msg = f"{path}:{number}: not an RGB record ({reason}); each line needs query, answer, positive, negative"
            raise TestSetError(msg) from None
    return records


def rgb_labels(prediction: str, gold: str | list[Any]) -> list[int]:
    """Apply the paper's check: one label per gold item, 1 when it (or one of its alternatives) is in the text."""
    lowered = prediction.lower()
    items = gold if isinstance(gold, list) else [gold]
    return [
        int(any(str(a).lower() in lowered for a in item) if isinstance(item, list) else str(item).lower() in lowered)
        for item in items
    ]


def rgb_correct(prediction: str, gold: str | list[Any]) -> bool:
    """Correct as the paper scores it: every gold item found, and at least one."""
    labels = rgb_labels(prediction, gold)
    return 1 in labels and 0 not in labels


def _bar(desc: str, total: int, unit: str) -> tqdm[Any]:
    from tqdm import tqdm

    return tqdm(desc=desc, total=total, unit=unit, file=sys.stderr, disable=None)


def _snippet_pool(records: Sequence[RGBRecord]) -> dict[str, str]:
    """One source name per distinct snippet text (a few snippets are shared by records)."""
    pool: dict[str, str] = {}
    for record in records:
        for kind, snippets in (("p", record.positive), ("n", record.negative)):
            for number, text in enumerate(snippets):
                if text.strip() and text not in pool:
                    pool[text] = f"rgb-{record.id:03d}-{kind}{number}.txt"
    return {source: text for text, source in pool.items()}


def _index(scratch: Assistant, paths: Sequence[Path], progress: Callable[[str], object] | None = None) -> None:
    """Ingest snippet files in batches (one embedding call per batch, as ``brief ingest`` does)."""
    report = scratch.ingest(paths, progress)
    if report.failed:
        raise TestSetError(f"Cannot index the RGB snippets: {report.failed[0]}")


@contextmanager
def _without(scratch: Assistant, folder: Path, sources: Sequence[str]) -> Iterator[None]:
    """Take ``sources`` out of the index for the duration of the block, then put them back."""
    for source in sources:
        scratch.remove(source)
    try:
        yield
    finally:
        _index(scratch, [folder / source for source in sources])


def _ask(scratch: Assistant, folder: Path, pool: dict[str, str], record: RGBRecord, k: int, llm: str | None) -> _Row:
    """Ask one query against the whole pool, then again with the record's positive snippets taken out."""
    positives = [source for source, text in pool.items() if text in record.positive]
    answer = scratch.ask(record.query, k=k, llm=llm)
    with _without(scratch, folder, positives):
        rejected = scratch.ask(record.query, k=k, llm=llm)
    return {
        "id": record.id,
        "query": record.query,
        "gold": record.answer,
        "model": answer.model,
        "answer": answer.answer,
        "refused": answer.refused,
        "correct": not answer.refused and rgb_correct(answer.answer, record.answer),
        "hit": any(c.source in positives for c in answer.retrieved[:k]),
        "rejection_answer": rejected.answer,
        "rejection_refused": rejected.refused,
        "rejection_sources": [c.source for c in rejected.retrieved],
        "rejection_has_gold": not rejected.refused and rgb_correct(rejected.answer, record.answer),
    }


@contextmanager
def _scratch_pool(
    assistant: Assistant, records: Sequence[RGBRecord]
) -> Iterator[tuple[Assistant, Path, dict[str, str]]]:
    """Index every snippet of ``records`` as a small document of a scratch home; yield (assistant, folder, pool)."""
    pool = _snippet_pool(records)
    with tempfile.TemporaryDirectory(prefix="brief-rgb-", ignore_cleanup_errors=True) as home:
        settings = assistant.settings.model_copy(update={"home": Path(home), "chroma_url": None, "collection": "rgb"})
        scratch = assistant.on_index(settings)  # one loaded model serves both
        folder = Path(home) / "snippets"
        folder.mkdir()
        for source, text in pool.items():
            (folder / source).write_text(text, encoding="utf-8")
        with _bar("Indexing RGB snippets", len(pool), "doc") as bar:
            _index(scratch, [folder], lambda _: bar.update())
        yield scratch, folder, pool


def _given(record: RGBRecord, pool: dict[str, str], noise: float) -> list[str]:
    """The paper's five documents for one query: ``round(5 * noise)`` negatives, the rest positives (seeded).

    With too few of one kind the other fills the five, except at noise 0, which gives positives only.
    """
    by_text = {text: source for source, text in pool.items()}
    positives = [by_text[t] for t in dict.fromkeys(record.positive) if t in by_text]
    negatives = [by_text[t] for t in dict.fromkeys(record.negative) if t in by_text]
    rng = random.Random(f"{record.id}-{noise}")
    rng.shuffle(positives)
    rng.shuffle(negatives)
    noisy = min(len(negatives), round(PAPER_DOCUMENTS * noise))
    chosen = positives[: PAPER_DOCUMENTS - noisy] + negatives[:noisy]
    if noise > 0:
        chosen += negatives[noisy : noisy + PAPER_DOCUMENTS - len(chosen)]
    return chosen


def _ask_given(scratch: Assistant, record: RGBRecord, sources: list[str], llm: str | None) -> _Row:
    answer = scratch.ask(record.query, k=PAPER_K, llm=llm, sources=sources)
    return {
        "given": sources,
        "cited": sorted({c.source for c in answer.citations}),
        "answer": answer.answer,
        "refused": answer.refused,
        "correct": not answer.refused and rgb_correct(answer.answer, record.answer),
        "model": answer.model,
    }


def _paper_rows(scratch: Assistant, pool: dict[str, str], record: RGBRecord, llm: str | None) -> _Row:
    """One query under the paper's protocol: each noise ratio, then five negatives only."""
    row: _Row = {"id": record.id, "query": record.query, "gold": record.answer}
    for noise in PAPER_NOISE:
        row[f"noise {noise}"] = _ask_given(scratch, record, _given(record, pool, noise), llm)
    by_text = {text: source for source, text in pool.items()}
    negatives = [by_text[t] for t in dict.fromkeys(record.negative) if t in by_text][:PAPER_DOCUMENTS]
    row["rejection"] = _ask_given(scratch, record, negatives, llm)
    row["model"] = row["rejection"]["model"]
    return row


def run_rgb(
    assistant: Assistant,
    path: Path,
    *,
    limit: int | None = None,
    k: int | None = None,
    llm: str | None = None,
    protocol: str = "pooled",
) -> dict[str, Any]:
    """Run RGB: ``pooled`` (every snippet in one index, then the positives taken out) or ``paper`` (five given).

    ``paper`` follows Chen et al.: per query, five documents are given (here: the answer may draw only on those five
    snippets of the indexed pool), at noise ratios 0, 0.4 and 0.8, and negative rejection is measured with five
    negatives. Its figures compare like with like with the paper's table.
    """
    records = read_rgb(path)
    asked = records[:limit] if limit else records
    k = k or assistant.settings.k
    started = time.perf_counter()
    rows = []
    with _scratch_pool(assistant, records) as (scratch, folder, pool):
        with _bar(f"RGB queries ({protocol})", len(asked), "query") as bar:
            for record in asked:
                if protocol == "paper":
                    rows.append(_paper_rows(scratch, pool, record, llm))
                else:
                    rows.append(_ask(scratch, folder, pool, record, k, llm))
                bar.update()
    n = len(rows)
    common = {
        "benchmark": f"RGB {path.name}",
        "protocol": protocol,
        "records": n,
        "snippets": len(pool),
        "model": rows[0]["model"],
        "paper": PAPER,
        "seconds": round(time.perf_counter() - started, 1),
        "per_query": rows,
    }
    if protocol == "paper":
        return {
            **common,
            "k": PAPER_K,
            "answer": {
                f"accuracy noise {noise}": sum(r[f"noise {noise}"]["correct"] for r in rows) / n
                for noise in PAPER_NOISE
            },
            "rejection": {"refusal_rate": sum(r["rejection"]["refused"] for r in rows) / n},
        }
    return {
        **common,
        "k": k,
        "retrieval": {f"hit@{k}": sum(r["hit"] for r in rows) / n},
        "answer": {
            "accuracy": sum(r["correct"] for r in rows) / n,
            "refused": sum(r["refused"] for r in rows) / n,
        },
        "rejection": {
            "refusal_rate": sum(r["rejection_refused"] for r in rows) / n,
            "answered_with_gold": sum(r["rejection_has_gold"] for r in rows) / n,
        },
    }


def rgb_rows(result: dict[str, Any]) -> list[list[str]]:
    """Return the figures beside the paper's, as rows for :func:`~assistant.evaluation.report.format_table`."""
    paper, rejected = result["paper"], result["rejection"]["refusal_rate"]
    rows = [["metric", f"brief ({result['model']})", f"paper ({paper['model']})"]]
    if result["protocol"] == "paper":
        for noise in PAPER_NOISE:
            accuracy = result["answer"][f"accuracy noise {noise}"]
            published = paper["accuracy"].get(noise)
            shown = f"{100 * published:.2f}%" if published is not None else "see the paper's table"
            rows.append([f"accuracy, noise ratio {noise}", f"{100 * accuracy:.1f}%", shown])
    else:
        k, hit = result["k"], result["retrieval"][f"hit@{result['k']}"]
        rows.append(
            [
                "answer accuracy (pooled)",
                f"{100 * result['answer']['accuracy']:.1f}%",
                f"{100 * paper['accuracy'][0.0]:.2f}% (noise 0, given)",
            ]
        )
        rows.append([f"retrieval hit@{k}", f"{100 * hit:.1f}%", "n/a (documents given)"])
    rows.append(["rejection rate", f"{100 * rejected:.1f}%", f"{100 * paper['rejection_rate']:.2f}%"])
    return rows
