"""Crash safety: an ingest killed at any moment, and a damaged index folder, lose nothing and explain themselves."""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.cli import CliContext, main
from index import BriefStore, Settings, content_hash
from index.errors import StoreError

from .fakes import HashEmbeddings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "china-belarus-brief.txt"
DOCUMENTS = 40
CHANGED = 20
KILLS = 8
INGEST_SCRIPT = """
import sys
from pathlib import Path
from assistant import Assistant
from index import Settings
from tests.fakes import HashEmbeddings

assistant = Assistant(settings=Settings(home=Path(sys.argv[1])), embeddings=HashEmbeddings(64))
assistant.documents()
print("ready", flush=True)
report = assistant.ingest([Path(sys.argv[2])], progress=lambda name: print("indexed", name, flush=True))
print("done", len(report.failed), flush=True)
"""


def _brief(number: int, version: int) -> str:
    """A generated brief of 64 one-chunk paragraphs; each version differs in every paragraph."""
    return "\n\n".join(
        f"Report {number} paragraph {line}, version {version}. Unit {number}-{line} moved to sector "
        f"{(line * 7 + version) % 13} near Gomel on day {version}. Its commander counted {line + version} drones, "
        f"and the brigade of report {number} held the crossing for {version + 2} hours before it withdrew."
        for line in range(64)
    )


def _name(number: int) -> str:
    return f"report-{number:02d}.txt"


def _write_folder(folder: Path, count: int, version: int) -> dict[str, set[str]]:
    """Write briefs 0 to ``count - 1`` at ``version``; return the text each source may hold once indexed."""
    folder.mkdir(exist_ok=True)
    for number in range(count):
        (folder / _name(number)).write_text(_brief(number, version), encoding="utf-8")
    return {_name(number): {_brief(number, version)} for number in range(count)}


def _fresh_store(home: Path) -> BriefStore:
    return BriefStore(Settings(home=home))


def _close(store: BriefStore) -> None:
    """Release Chroma's in-process system, so the next store reads the files afresh, as a new process would."""
    store.close()


def _run_ingest(home: Path, folder: Path, kill_after: float | None) -> tuple[int, list[str], float]:
    """Run an ingest in a child process, SIGKILL it ``kill_after`` seconds after it starts ingesting.

    Returns the exit code, the lines it printed and the seconds it ran once ready.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(home), str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    ready = time.perf_counter()
    if kill_after is not None:
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
    lines = child.stdout.read().splitlines()
    return child.wait(timeout=120), lines, time.perf_counter() - ready


def _check_committed(home: Path, allowed: dict[str, set[str]]) -> dict[str, str]:
    """Check every document reads back whole from one allowed version; return each document's text by source."""
    store = _fresh_store(home)
    try:
        documents = store.documents()
        assert set(allowed) - {d.source for d in documents} == set(), "a committed document was lost"
        chunks = store.chunks()
        texts = {}
        for info in documents:
            text = store.text(info.source)
            assert text in allowed[info.source], f"{info.source} holds neither its old nor its new version"
            assert content_hash(text) == info.sha256
            own = [c for c in chunks if c.source == info.source]
            assert len(own) == info.chunks and [c.index for c in own] == list(range(info.chunks))
            assert all(c.doc_sha256 == info.sha256 and text[c.start : c.end] == c.text for c in own)
            texts[info.source] = text
        answer = Assistant(settings=store.settings, embeddings=HashEmbeddings(64), store=store).ask(
            "Which sector did unit 3-4 move to near Gomel?", llm="none"
        )
        assert answer.answer
        for citation in answer.citations:
            assert texts[citation.source][citation.start : citation.end] == citation.quote
        return texts
    finally:
        _close(store)


@pytest.mark.integration
def test_an_ingest_killed_at_any_moment_leaves_old_or_new_versions_never_half(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "briefs"
    rng = random.Random(8)
    expected = _write_folder(folder, CHANGED, 0)
    code, lines, _ = _run_ingest(home, folder, None)
    assert code == 0 and lines == [f"indexed {_name(n)}" for n in range(CHANGED)] + ["done 0"]
    texts = _check_committed(home, expected)

    expected = _write_folder(folder, DOCUMENTS, 1)
    code, lines, full_run = _run_ingest(home, folder, None)
    assert code == 0 and lines[-1] == "done 0"
    texts = _check_committed(home, expected)

    outcomes = []
    for version in range(2, 2 + KILLS):
        expected = _write_folder(folder, DOCUMENTS, version)
        delay = rng.uniform(0.05, 0.9) * full_run
        code, lines, _ = _run_ingest(home, folder, delay)
        for source, text in texts.items():
            expected[source].add(text)
        damaged = len(list(home.glob("chroma.damaged-*")))
        texts = _check_committed(home, expected)
        new = sum(text == _brief(int(source[7:9]), version) for source, text in texts.items())
        rebuilt = len(list(home.glob("chroma.damaged-*"))) > damaged
        outcomes.append((round(delay, 1), code == -signal.SIGKILL and "done 0" not in lines, new, rebuilt))
    print(
        f"\nfull ingest {full_run:.1f} s; kills (delay s, died mid-ingest, documents at the new version, "
        f"vector index rebuilt from the log): {outcomes}"
    )
    assert sum(died for _, died, _, _ in outcomes) >= KILLS // 2, "most children must die mid-ingest, not finish first"

    expected = _write_folder(folder, DOCUMENTS, 2 + KILLS)
    code, lines, _ = _run_ingest(home, folder, None)
    assert code == 0 and lines[-1] == "done 0"
    _check_committed(home, expected)
    store = _fresh_store(home)
    try:
        stored = list(store._stored_chunks(["metadatas"]))
        ids = [chunk_id for chunk_id, _ in stored]
        assert len(ids) == len(set(ids)) == sum(d.chunks for d in store.documents()), "no duplicate or stray chunk"
        assert store.repair() == 0
    finally:
        _close(store)


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "garbage":
        path.write_bytes(random.Random(1).randbytes(len(data)))
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    else:
        path.write_bytes(b"")


def _cli(home: Path, *args: str) -> tuple[int, str]:
    """Run one ``brief`` command as its own process would: with its own, finally closed, Chroma client."""
    assistant = Assistant(settings=Settings(home=home), embeddings=HashEmbeddings())
    result = CliRunner().invoke(main, list(args), obj=CliContext(assistant))
    if "store" in vars(assistant) and assistant.store._client is not None:
        _close(assistant.store)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "how",
    [
        "garbage",
        "truncated",
        "empty",
    ],
)
def test_a_damaged_database_is_a_clear_error_and_reindex_rebuilds_it_from_given_paths(
    brief_home: Path, seed_dir: Path, how: str
) -> None:
    assert _cli(brief_home, "ingest", str(seed_dir))[0] == 0
    database = brief_home / "chroma" / "chroma.sqlite3"
    _damage(database, how)
    damaged = database.read_bytes()
    for command in (["list"], ["ask", "Who is Denisenko?", "--llm", "none"], ["ingest", str(seed_dir)]):
        code, output = _cli(brief_home, *command)
        assert code == 1 and "Cannot open the index" in output and "run `brief reindex`" in output, output

    code, output = _cli(brief_home, "reindex")
    assert (
        code == 1 and "cannot be read" in output and "nothing was changed" in output and "brief reindex PATH" in output
    )
    assert database.read_bytes() == damaged

    code, output = _cli(brief_home, "reindex", str(seed_dir), "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["damage"].startswith("Cannot open the index") and report["ingest"]["added"] == [SEED.name]
    moved = Path(report["moved_to"])
    assert moved.parent == brief_home and (moved / "chroma.sqlite3").read_bytes() == damaged, "the old index is kept"
    code, output = _cli(
        brief_home, "ask", "Who is the Commander of Belarusian Special Operations Forces?", "--llm", "none"
    )
    assert code == 0 and "Denisenko" in output


def _chunk_log(home: Path) -> tuple[str, str]:
    """The LIKE pattern of the chunk collection's rows in Chroma's log, and its vector index folder's name."""
    with closing(sqlite3.connect(home / "chroma" / "chroma.sqlite3")) as database:
        collection, segment = database.execute(
            "SELECT c.id, s.id FROM collections AS c JOIN segments AS s ON s.collection = c.id "
            "WHERE c.name = 'brief-chunks' AND s.scope = 'VECTOR'"
        ).fetchone()
    return f"%/{collection}", segment


def _trim_log(home: Path) -> int:
    """Delete the log rows Chroma's own purging deletes, as in an index written before brief kept its log."""
    topic, segment = _chunk_log(home)
    with closing(sqlite3.connect(home / "chroma" / "chroma.sqlite3")) as database, database:
        (saved,) = database.execute("SELECT seq_id FROM max_seq_id WHERE segment_id = ?", (segment,)).fetchone()
        return database.execute(
            "DELETE FROM embeddings_queue WHERE topic LIKE ? AND seq_id < ?", (topic, saved)
        ).rowcount


def _every_chunk_has_its_vector(store: BriefStore, embeddings: HashEmbeddings) -> None:
    """The vector index holds every committed chunk with the vector it was written with, and answers searches."""
    chunks = store.chunks()
    expected = dict(zip((c.id for c in chunks), embeddings.embed_documents([c.text for c in chunks]), strict=True))
    stored = {chunk_id: vector for chunk_id, vector in store._stored_chunks(["embeddings"]) if chunk_id in expected}
    assert set(stored) == set(expected)
    for chunk_id, vector in stored.items():
        assert sum(a * b for a, b in zip(vector, expected[chunk_id], strict=True)) > 0.999, chunk_id
    for chunk in chunks[::50]:
        hits = store.search(expected[chunk.id], 3, [chunk.source])
        assert hits and hits[0].score > 0.999 and hits[0].chunk.source == chunk.source


OPEN_CHUNKS = """
import sys
import chromadb
from chromadb.config import Settings

client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
print(client.get_collection("brief-chunks").count(), flush=True)
"""


def _rebuild_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The warnings the store logged about vector indexes it rebuilt, then forgotten."""
    lines = [
        r.getMessage() for r in caplog.records if r.name == "index.chroma_internals" and r.levelno == logging.WARNING
    ]
    caplog.clear()
    return lines


def test_a_save_cut_before_its_header_is_rebuilt_from_the_log_not_a_crash(
    brief_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Chroma's vector index files as a save cut short can leave them: the new records, the old header.bin.

    hnswlib writes the files in place through buffered streams, so a SIGKILL inside a save can leave the records of
    the new save beside the header of the one before. Chroma 1.5 then fails every read with the error the kill test
    met ("Failed to apply logs to the hnsw segment writer"); with the files the kill loop left, it even crashed the
    process (SIGSEGV) instead of raising, so the store checks the files before Chroma loads them.
    """
    folder, embeddings = tmp_path / "briefs", HashEmbeddings(64)
    _write_folder(folder, 20, 0)  # 1,280 chunks: Chroma saves the vector index
    assistant = Assistant(settings=Settings(home=brief_home), embeddings=embeddings)
    assistant.ingest([folder])
    _close(assistant.store)
    _, segment = _chunk_log(brief_home)
    header = brief_home / "chroma" / segment / "header.bin"
    old_header = header.read_bytes()

    expected = _write_folder(folder, 20, 1)
    assistant = Assistant(settings=Settings(home=brief_home), embeddings=embeddings)
    assistant.ingest([folder])
    _close(assistant.store)
    assert header.read_bytes() != old_header, "the second ingest saved the vector index again"
    header.write_bytes(old_header)

    copy = tmp_path / "copy"
    shutil.copytree(brief_home / "chroma", copy)
    plain = subprocess.run([sys.executable, "-c", OPEN_CHUNKS, str(copy)], capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0, f"plain Chroma opened these files: {plain.stdout}"
    assert plain.returncode < 0 or "Failed to apply logs to the hnsw segment writer" in plain.stderr, plain.stderr
    caplog.clear()

    _check_committed(brief_home, expected)
    (line,) = _rebuild_lines(caplog)
    assert line.startswith("the vector index of the chunks in") and "a save cut short" in line, line
    (aside,) = brief_home.glob("chroma.damaged-*")
    assert (aside / segment / "header.bin").read_bytes() == old_header, "the damaged files are kept aside"
    store = _fresh_store(brief_home)
    try:
        _every_chunk_has_its_vector(store, embeddings)
    finally:
        _close(store)
    assert _rebuild_lines(caplog) == [], "rebuilt once: the next opening finds a sound index"


def _newest_log_row(home: Path) -> int:
    with closing(sqlite3.connect(home / "chroma" / "chroma.sqlite3")) as database:
        return int(database.execute("SELECT MAX(seq_id) FROM embeddings_queue").fetchone()[0])


def test_compacting_the_log_never_hands_a_used_sequence_number_to_the_next_write(
    brief_home: Path, tmp_path: Path
) -> None:
    """The log's sequence numbers are SQLite row ids: dropping its newest rows would let later writes reuse them.

    Chroma skips a row whose number it has applied already, so such a write would vanish. The newest rows here are
    deletes that Chroma applied and saved, as a process killed right after deleting old chunks leaves them.
    """
    folder, embeddings = tmp_path / "briefs", HashEmbeddings(64)
    _write_folder(folder, 20, 0)
    assistant = Assistant(settings=Settings(home=brief_home), embeddings=embeddings)
    assistant.ingest([folder])
    assistant.store._chunks.delete(ids=[c.id for c in assistant.store.chunks()])  # 1,280 deletes, then saved
    _close(assistant.store)
    newest = _newest_log_row(brief_home)

    fresh = Assistant(settings=Settings(home=brief_home), embeddings=embeddings)
    assert fresh.store.chunks() == [], "opening the chunks compacts their log"
    assert _newest_log_row(brief_home) == newest, "the newest row of the log is kept"
    expected = _write_folder(folder, 20, 1)
    assert len(fresh.ingest([folder]).replaced) == 20
    _close(fresh.store)
    _check_committed(brief_home, expected)


@pytest.mark.parametrize("log", ["kept", "trimmed"])
def test_a_damaged_vector_index_is_rebuilt_from_the_log_or_by_reindex(
    brief_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, log: str
) -> None:
    folder = tmp_path / "briefs"
    _write_folder(folder, 25, 0)  # 1,600 chunks: enough that Chroma writes its vector index files to disk
    settings = Settings(home=brief_home)
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingest([folder])
    assistant.ingestor.ingest_bytes(SEED.read_bytes(), SEED.name)
    (folder / "report-00.txt").write_text(_brief(0, 5), encoding="utf-8")
    (folder / "report-01.txt").unlink()
    before = {d.source: d for d in assistant.documents()}
    _close(assistant.store)
    segments = [p for p in (brief_home / "chroma").rglob("*.pickle")] + [
        p for p in (brief_home / "chroma").rglob("data_level0.bin") if p.stat().st_size > 100_000
    ]
    assert segments, "the vector index was written to disk"
    for path in segments:
        _damage(path, "garbage")
    garbage = {path.relative_to(brief_home / "chroma"): path.read_bytes() for path in segments}
    caplog.clear()

    if log == "kept":
        healed = Assistant(settings=settings, embeddings=HashEmbeddings())
        assert {d.source: d for d in healed.documents()} == before
        _every_chunk_has_its_vector(healed.store, HashEmbeddings())
        (line,) = _rebuild_lines(caplog)
        assert line.startswith("the vector index of the chunks in"), line
        assert "was damaged (" in line and "rebuilt it from Chroma's log (" in line, line
        (aside,) = brief_home.glob("chroma.damaged-*")
        assert {p.relative_to(aside): p.read_bytes() for p in aside.rglob("*") if p.name in {"data_level0.bin"}} == {
            p: data for p, data in garbage.items() if p.name == "data_level0.bin"
        }, "the damaged files are kept aside"
        _close(healed.store)
        return

    assert _trim_log(brief_home) > 1000
    fresh = Assistant(settings=settings, embeddings=HashEmbeddings())
    with pytest.raises(StoreError, match=r"Cannot open the index .* no longer holds \d+ of its vectors .* run `brief "):
        fresh.store.search(HashEmbeddings().embed_query("Unit 3-4"), 5)
    assert list(brief_home.glob("chroma.damaged-*")) == [], "nothing is moved when it cannot be rebuilt"
    _close(fresh.store)

    code, output = _cli(brief_home, "reindex")
    assert code == 0, output
    assert "Re-read 24 recorded file(s), restored 2 document(s) from the stored text, lost 0" in output
    rebuilt = Assistant(settings=settings, embeddings=HashEmbeddings())
    after = {d.source: d for d in rebuilt.documents()}
    assert set(after) == set(before)
    assert rebuilt.store.text("report-00.txt") == _brief(0, 5), "a changed file is read again"
    assert rebuilt.store.text("report-01.txt") == _brief(1, 0), "a deleted file comes back from the stored text"
    assert rebuilt.store.text(SEED.name) == SEED.read_text(encoding="utf-8"), "an upload comes back too"
    assert after["report-01.txt"].sha256 == before["report-01.txt"].sha256
    hits = rebuilt.store.search(HashEmbeddings().embed_query("Unit 3-4 moved to sector"), 3)
    assert hits and hits[0].chunk.source.startswith("report-")
    assert len(list(brief_home.glob("chroma.replaced-*"))) == 1


def test_reindex_refuses_a_chroma_server(brief_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_CHROMA_URL", "http://127.0.0.1:9")
    assistant = Assistant(settings=Settings(), embeddings=HashEmbeddings())
    result = CliRunner().invoke(main, ["reindex"], obj=CliContext(assistant))
    assert result.exit_code == 1 and "belongs to its Chroma server" in result.output
