"""One index, several processes: what one process writes, the others see at once, and nobody undoes another's writes.

The fast tests run a real child process writing to the embedded index beside a store held open in this one. The
integration tests run real `brief serve` apps and `brief` commands, on one BRIEF_HOME and on one `chroma run`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client, handle_file

from benchmarks import chroma_server, free_port
from index import BriefStore, Settings, SourceDocument, chunk_document

from .fakes import SpreadEmbeddings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "china-belarus-brief.txt"
WRITER = """
import sys
from pathlib import Path
from index import BriefStore, Grade, Settings
from tests.test_several_processes import _text, _write

home, action, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
store = BriefStore(Settings(home=home))
if action == "write":
    documents, versions = int(sys.argv[4]), int(sys.argv[5])
    for version in range(versions):
        for number in range(documents):
            source = f"{name}-{number}.txt" if documents > 1 else name
            _write(store, source, _text(source, version))
elif action == "grade":
    store.set_grades({name: Grade.parse(sys.argv[4])})
else:
    store.remove(name)
"""
LINES = 64
"""Paragraphs (so chunks) of a generated brief: a few dozen briefs make Chroma save its vector index to disk."""


def _child(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(child: subprocess.Popen[str]) -> None:
    _, err = child.communicate(timeout=300)
    assert child.returncode == 0, err


def _text(source: str, version: int) -> str:
    """A generated brief of :data:`LINES` one-chunk paragraphs, each with a word of its own."""
    return "\n\n".join(
        f"Unit {source}-{line} held sector {line} on day {version}, grid {source[:-4]}x{line}." for line in range(LINES)
    )


def _write(store: BriefStore, name: str, text: str) -> None:
    document = SourceDocument(name, text, name)
    chunks = chunk_document(document)
    store.write(document, chunks, SpreadEmbeddings().embed_documents([c.text for c in chunks]))


def test_a_store_held_open_sees_what_another_process_writes_grades_and_removes(settings: Settings) -> None:
    embeddings = SpreadEmbeddings()
    store = BriefStore(settings)
    depot = "Drones struck a depot near Gomel. The depot burned for a day."
    _write(store, "mine.txt", depot)
    assert store.search(embeddings.embed_query(depot), 3)[0].chunk.source == "mine.txt"

    _finish(_child(settings.home, "write", "theirs.txt", "1", "1"))
    assert [d.source for d in store.documents()] == ["mine.txt", "theirs.txt"]
    query = embeddings.embed_query(_text("theirs.txt", 0).split("\n\n")[7])
    hits = store.search(query, 3)
    assert hits and hits[0].chunk.source == "theirs.txt", "the other process's vectors are searched too"
    assert store.search(query, 3, ["theirs.txt"])[0].chunk.source == "theirs.txt"
    assert store.text("theirs.txt") == _text("theirs.txt", 0)
    assert any(c.source == "theirs.txt" for c in store.chunks())

    _finish(_child(settings.home, "grade", "theirs.txt", "B2"))
    assert store.document("theirs.txt").grade == "B2"  # type: ignore[union-attr]

    _finish(_child(settings.home, "remove", "mine.txt"))
    assert [d.source for d in store.documents()] == ["theirs.txt"]
    assert {h.chunk.source for h in store.search(embeddings.embed_query(depot), 3)} == {"theirs.txt"}

    _write(store, "after.txt", "A convoy crossed the bridge at Mozyr.")
    store.close()
    fresh = BriefStore(settings)
    assert [d.source for d in fresh.documents()] == ["after.txt", "theirs.txt"]
    chunks = fresh.chunks()
    vectors = dict(fresh._stored_chunks(["embeddings"]))
    assert set(vectors) == {c.id for c in chunks}, "every committed chunk has its vector in the saved index"
    fresh.close()


def test_processes_writing_at_once_lose_none_of_each_others_writes(settings: Settings) -> None:
    """Each process writes thousands of chunks, so each saves Chroma's vector index to disk while the others write."""
    documents, versions = 12, 2
    store = BriefStore(settings)
    writers = [_child(settings.home, "write", f"writer{n}", str(documents), str(versions)) for n in range(3)]
    for version in range(versions):
        for number in range(documents):
            source = f"mine-{number}.txt"
            _write(store, source, _text(source, version))
    for writer in writers:
        _finish(writer)
    store.close()

    fresh = BriefStore(settings)
    expected = {f"{name}-{n}.txt" for name in ("mine", "writer0", "writer1", "writer2") for n in range(documents)}
    found = {d.source: d for d in fresh.documents()}
    assert set(found) == expected
    chunks = fresh.chunks()
    for source, info in found.items():
        own = [c for c in chunks if c.source == source]
        assert len(own) == info.chunks == LINES and all(c.doc_sha256 == info.sha256 for c in own), source
        assert fresh.text(source) == _text(source, versions - 1), "each document at its last version"
    stored = dict(fresh._stored_chunks(["embeddings"]))
    assert set(stored) == {c.id for c in chunks}, "no stray chunk, and no chunk without its vector"
    embeddings = SpreadEmbeddings()
    for chunk in chunks[::7]:
        hits = fresh.search(embeddings.embed_query(chunk.text), 3, [chunk.source])
        assert hits and hits[0].chunk.id == chunk.id and hits[0].score > 0.999, f"{chunk.id} is found by its vector"
    assert fresh.repair() == 0
    fresh.close()
    assert not list(settings.home.glob("chroma.damaged-*")), "no process read a vector index another was saving"


def test_a_store_follows_an_index_that_brief_reindex_replaced(settings: Settings, tmp_path: Path) -> None:
    store = BriefStore(settings)
    _write(store, "old.txt", "The old index holds this brief about Brest.")
    assert [d.source for d in store.documents()] == ["old.txt"]
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    (briefs / "new.txt").write_text("The rebuilt index holds this brief about Pinsk.", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "reindex", str(briefs)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "BRIEF_HOME": str(settings.home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert {d.source for d in store.documents()} == {"old.txt", "new.txt"}
    assert "Pinsk" in store.text("new.txt")
    store.close()


# Real apps and commands ------------------------------------------------------------------------------------------


def _brief(home: Path, *args: str, url: str | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEF_HOME": str(home), "BRIEF_LLM": "none"}
    if url:
        env["BRIEF_CHROMA_URL"] = url
    result = subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextmanager
def _app(home: Path, url: str | None = None) -> Iterator[str]:
    """A real `brief serve --llm none` on a free port, stopped on exit; yields its URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEF_HOME": str(home), "BRIEF_LLM": "none"}
    if url:
        env["BRIEF_CHROMA_URL"] = url
    log = home.parent / f"serve-{port}.log"
    home.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"{address}/gradio_api/info", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the app did not start: " + log.read_text(errors="replace")
            time.sleep(0.5)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ask(app: Client, question: str) -> dict[str, Any]:
    return dict(app.predict(question, None, 5, "none", api_name="/ask"))


def _cites(answer: dict[str, Any], source: str) -> bool:
    return not answer["refused"] and any(c["source"] == source for c in answer["citations"])


def _forgot(app: Client) -> bool:
    return not _cites(_ask(app, QUESTION), "brigade.txt")


def _seconds_until(condition: Callable[[], bool], limit: float = 30.0) -> float:
    """Seconds until ``condition()`` holds, polling; fails beyond ``limit``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit, "never happened"
        time.sleep(0.1)
    return time.monotonic() - started


NEW_BRIEF = (
    "Belarus moved its 38th Air Assault Brigade to Brest in March 2025.\n\n"
    "The brigade is commanded by Colonel Anatoly Shevchuk, according to the Belarusian defence ministry."
)
QUESTION = "Who commands the 38th Air Assault Brigade?"


@pytest.mark.integration
def test_a_running_app_answers_about_a_brief_the_cli_ingested_and_forgets_one_it_removed(tmp_path: Path) -> None:
    home, briefs = tmp_path / "home", tmp_path / "briefs"
    briefs.mkdir()
    (briefs / "brigade.txt").write_text(NEW_BRIEF, encoding="utf-8")
    _brief(home, "ingest", str(SEED))
    with _app(home) as url:
        app = Client(url, verbose=False)
        assert not _cites(_ask(app, QUESTION), "brigade.txt")
        _brief(home, "ingest", str(briefs))
        seen = _seconds_until(lambda: _cites(_ask(app, QUESTION), "brigade.txt"))
        answer = _ask(app, QUESTION)
        assert "Shevchuk" in answer["answer"]
        _brief(home, "remove", "brigade.txt")
        gone = _seconds_until(partial(_forgot, app))
        assert "Denisenko" in _ask(app, "Who is the commander of the Belarusian Special Operations Forces?")["answer"]
    print(f"\nseconds until the app answered from the new brief: {seen:.2f}; until it stopped citing it: {gone:.2f}")
    assert seen < 2 and gone < 2


@pytest.mark.integration
@pytest.mark.server
def test_two_apps_on_one_chroma_server_agree(tmp_path: Path) -> None:
    upload = tmp_path / "brigade.txt"
    upload.write_text(NEW_BRIEF, encoding="utf-8")
    with chroma_server(tmp_path / "chroma-data") as server:
        _brief(tmp_path / "cli", "ingest", str(SEED), url=server.url)
        with _app(tmp_path / "one", server.url) as url_one, _app(tmp_path / "two", server.url) as url_two:
            one, two = Client(url_one, verbose=False), Client(url_two, verbose=False)
            assert not _cites(_ask(two, QUESTION), "brigade.txt")
            status, _ = one.predict([handle_file(str(upload))], api_name="/ingest")
            assert "Indexed 1 document(s)" in status
            seen = _seconds_until(lambda: _cites(_ask(two, QUESTION), "brigade.txt"))
            first, second = _ask(one, QUESTION), _ask(two, QUESTION)
            assert first["answer"] == second["answer"] and "Shevchuk" in first["answer"]
            assert first["citations"] == second["citations"]
            listed = json.loads(_brief(tmp_path / "cli", "list", "--json", url=server.url))
            assert {d["source"] for d in listed} == {"brigade.txt", SEED.name}
            _brief(tmp_path / "cli", "remove", "brigade.txt", url=server.url)
            gone = max(_seconds_until(partial(_forgot, app)) for app in (one, two))
    print(f"\nseconds until the second app answered from the upload: {seen:.2f}; until both forgot it: {gone:.2f}")
    assert seen < 2 and gone < 2
