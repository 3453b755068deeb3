from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from assistant.retrieval import HybridRetriever
from index import BriefStore, Chunk, Ingestor, LexicalIndex, Settings
from index.terms import content_terms, normalize_term

from .fakes import HashEmbeddings

TEXTS = [
    "Belarusian special forces trained Chinese units in drone use near Brest.",
    "Drones and drone jammers were tested by the Belarusian army in October.",
    "Moldova voted on October 20; the court reviews the referendum.",
    "North Korean units fought in Kursk alongside Russian airborne troops.",
    "",
]


def _chunks(texts: list[str]) -> list[Chunk]:
    return [Chunk(f"doc{i}.txt", 0, len(t), 1, t, 0, f"{i:064d}") for i, t in enumerate(texts)]


def _reference_bm25(texts: list[str], query: str, k1: float = 1.5, b: float = 0.75) -> list[float]:
    """Okapi BM25 written out term by term, to check the sparse-matrix build against."""
    documents = [content_terms(t) for t in texts]
    average = sum(map(len, documents)) / len(documents)
    scores = []
    for terms in documents:
        counts = Counter(terms)
        score = 0.0
        for term in set(content_terms(query)):
            frequency = sum(1 for d in documents if term in d)
            if not counts[term]:
                continue
            idf = math.log(1.0 + (len(documents) - frequency + 0.5) / (frequency + 0.5))
            tf = counts[term]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(terms) / average))
        scores.append(score)
    return scores


@pytest.mark.parametrize(
    ("forms", "term"),
    [
        (("stop", "stopped", "stopping", "stops"), "stop"),
        (("flag", "flagged", "flags"), "flag"),
        (("ban", "banned", "banning"), "ban"),
        (("commit", "committed", "commits"), "commit"),
        (("boycott", "boycotted"), "boycot"),
        (("add", "added"), "add"),
        (("call", "called"), "call"),
        (("pass", "passed"), "pass"),
        (("staff", "staffed"), "staff"),
    ],
)
def test_a_verb_that_doubles_its_last_letter_meets_its_other_forms(forms: tuple[str, ...], term: str) -> None:
    assert {normalize_term(form) for form in forms} == {term}


@pytest.mark.parametrize("query", ["drone use by Belarusian forces", "October", "Kursk troops", "nothing matches"])
def test_scores_match_textbook_bm25(query: str) -> None:
    index = LexicalIndex(_chunks(TEXTS))
    expected = _reference_bm25(TEXTS, query)
    hits = index.search(query, len(TEXTS))
    assert {c.source: round(s, 9) for c, s in hits} == {
        f"doc{i}.txt": round(s, 9) for i, s in enumerate(expected) if s > 0
    }
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_idf_and_empty_index() -> None:
    index = LexicalIndex(_chunks(TEXTS))
    assert index.idf("kursk") > index.idf("october") > 0
    assert index.idf("unseen") > index.idf("kursk")
    empty = LexicalIndex([])
    assert len(empty) == 0 and empty.search("drones", 5) == []


@pytest.fixture
def two_briefs(tmp_path: Path) -> Path:
    folder = tmp_path / "briefs"
    folder.mkdir()
    (folder / "a.txt").write_text("Drones struck depots near Kursk. Trenches were cleared.", encoding="utf-8")
    (folder / "b.txt").write_text("Moldova voted on October 20. The court reviews the vote.", encoding="utf-8")
    return folder


def test_bm25_is_built_once_and_rebuilt_after_an_ingest(
    store: BriefStore, fake_embeddings: HashEmbeddings, settings: Settings, two_briefs: Path, tmp_path: Path
) -> None:
    Ingestor(store, fake_embeddings, settings).ingest_paths([two_briefs])
    retriever = HybridRetriever(store=store, embeddings=fake_embeddings, k=5)
    for question in ["drones near Kursk", "Moldova vote", "court", "trenches", "depots"]:
        assert retriever.passages(question, 2)
    assert retriever.builds == 1
    extra = tmp_path / "c.txt"
    extra.write_text("Georgia held talks in Tbilisi about the border.", encoding="utf-8")
    Ingestor(store, fake_embeddings, settings).ingest_paths([extra])
    assert retriever.passages("talks in Tbilisi", 1)[0].chunk.source == "c.txt"
    assert retriever.passages("border talks", 1)
    assert retriever.builds == 2


def test_a_write_by_another_process_is_seen(
    store: BriefStore, fake_embeddings: HashEmbeddings, settings: Settings, two_briefs: Path
) -> None:
    retriever = HybridRetriever(store=store, embeddings=fake_embeddings, k=5)
    assert retriever.passages("drones", 2) == []
    other = BriefStore(Settings(home=settings.home))
    Ingestor(other, fake_embeddings, settings).ingest_paths([two_briefs])
    assert [p.chunk.source for p in retriever.passages("drones near Kursk", 1)] == ["a.txt"]
    assert other.remove("a.txt")
    assert {p.chunk.source for p in retriever.passages("drones near Kursk", 5)} == {"b.txt"}
    assert [d.source for d in store.documents()] == ["b.txt"]


def test_queries_do_not_refetch_the_documents(
    store: BriefStore, fake_embeddings: HashEmbeddings, settings: Settings, two_briefs: Path
) -> None:
    Ingestor(store, fake_embeddings, settings).ingest_paths([two_briefs])
    retriever = HybridRetriever(store=store, embeddings=fake_embeddings, k=5)
    retriever.passages("drones", 2)
    fetches = store.document_fetches
    for question in ["drones", "Moldova", "court", "Kursk"] * 5:
        retriever.passages(question, 2)
        store.search(fake_embeddings.embed_query(question), 3)
    assert store.document_fetches == fetches
    assert store.remove("b.txt")
    assert store.search(fake_embeddings.embed_query("Moldova voted"), 3)[0].chunk.source == "a.txt"
    assert store.document_fetches == fetches + 1
