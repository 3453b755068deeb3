"""Bad input, fuzzed: random, truncated and adversarial files, test sets and questions never crash brief."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import gradio as gr
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant import Assistant
from assistant.cli import CliContext, main
from assistant.errors import TestSetError
from assistant.evaluation import read_testset
from index import IngestError, Settings, SourceDocument, load_bytes
from ui.handlers import Handlers

from .fakes import HashEmbeddings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "china-belarus-brief.txt"
FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _pdf(text: str, stream_filter: bytes = b"/FlateDecode") -> bytes:
    """A one-page PDF showing ``text``, its content stream compressed and named by ``stream_filter``."""
    content = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(content), stream_filter, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, len(out))
    return out + b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + table + trailer


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.core_properties.title = "Minsk note"
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _with_member(archive: bytes, member: str, data: bytes) -> bytes:
    """The archive with ``member`` replaced by ``data``, compressed as usual."""
    source, buffer = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == member else source.read(info.filename))
    return buffer.getvalue()


def _bad_deflate(archive: bytes, member: str) -> bytes:
    """The archive with the compressed bytes of ``member`` overwritten by an invalid deflate stream."""
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(member)
    name_length, extra_length = struct.unpack("<HH", archive[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    return archive[:start] + b"\xff" * info.compress_size + archive[start + info.compress_size :]


TEXT = "The Minsk garrison held drills on October 9, 2024. Chinese officers watched."
GOOD = {
    ".txt": TEXT.encode(),
    ".md": f"# Minsk note\n\n{TEXT}".encode(),
    ".html": f"<html><head><title>Minsk</title></head><body><p>{TEXT}</p><script>x()</script></body></html>".encode(),
    ".pdf": _pdf(TEXT),
    ".docx": _docx(TEXT),
}
GOOD[".htm"], GOOD[".markdown"] = GOOD[".html"], GOOD[".md"]
CRASHERS = {
    "corrupt-deflate.docx": _bad_deflate(GOOD[".docx"], "word/document.xml"),
    "malformed-xml.docx": _with_member(GOOD[".docx"], "word/document.xml", b"<w:document><w:body><w:p"),
    "unknown-filter.pdf": _pdf(TEXT, b"/BogusDecode"),
}
HANDLED = {
    "random.pdf": bytes(range(256)) * 4,
    "half.docx": GOOD[".docx"][: len(GOOD[".docx"]) // 2],
    "nul.txt": b"brief\x00\x00\x00" * 100,
    "latin1.md": "Caf\xe9 in Minsk.".encode("latin-1"),
    "empty.md": b"",
    "blank.html": b"<html><body>   </body></html>",
    "controls.txt": bytes(range(1, 9)) * 200,
    "notes.exe": b"MZ\x90\x00",
}


def _bytes_for(suffix: str) -> st.SearchStrategy[bytes]:
    """Random bytes, the good sample cut short, and the good sample with some bytes overwritten."""
    good = GOOD[suffix]
    cut = st.integers(0, len(good)).map(lambda n: good[:n])
    flips = st.lists(st.tuples(st.integers(0, len(good) - 1), st.integers(0, 255)), min_size=1, max_size=12)
    mutated = flips.map(lambda changes: bytes(_apply(good, changes)))
    return st.one_of(st.binary(max_size=4096), cut, mutated)


def _apply(data: bytes, changes: list[tuple[int, int]]) -> bytearray:
    changed = bytearray(data)
    for offset, value in changes:
        changed[offset] = value
    return changed


def _loads_or_refuses(data: bytes, name: str) -> None:
    """The one promise of a loader: a document with text, or one IngestError that names the file."""
    try:
        document = load_bytes(data, name)
    except IngestError as error:
        assert str(error).startswith(name), error
    else:
        assert isinstance(document, SourceDocument) and document.text.strip() and document.source == name


@pytest.mark.parametrize("suffix", sorted(GOOD))
def test_the_samples_load(suffix: str) -> None:
    assert "Minsk garrison" in load_bytes(GOOD[suffix], f"good{suffix}").text


@pytest.mark.parametrize(
    "suffix",
    [
        ".htm",
        ".html",
        ".markdown",
        ".md",
        ".txt",
        pytest.param(".docx", marks=pytest.mark.filterwarnings("ignore:Generating overly large repr")),
        ".pdf",
    ],
)
def test_loaders_turn_any_bytes_into_a_document_or_one_clear_error(suffix: str) -> None:
    @FUZZ
    @given(data=_bytes_for(suffix))
    def check(data: bytes) -> None:
        _loads_or_refuses(data, f"fuzzed{suffix}")

    check()


@pytest.mark.parametrize(
    "name",
    [
        "corrupt-deflate.docx",  # zlib.error inside python-docx
        "malformed-xml.docx",  # lxml XMLSyntaxError
        "unknown-filter.pdf",  # NotImplementedError from pypdf's extract_text
    ],
)
def test_known_adversarial_files_are_one_clear_error(name: str) -> None:
    _loads_or_refuses(CRASHERS[name], name)


def _folder(tmp_path: Path, bad: dict[str, bytes]) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for suffix in (".txt", ".md", ".html", ".pdf", ".docx"):
        (folder / f"good{suffix}").write_bytes(GOOD[suffix])
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    return folder


def _check_mixed_ingest(assistant: Assistant, folder: Path, bad: dict[str, bytes]) -> None:
    report = assistant.ingest([folder])
    assert sorted(report.added) == [f"good{s}" for s in (".docx", ".html", ".md", ".pdf", ".txt")]
    loaded = sorted(name for name in bad if Path(name).suffix in GOOD)
    assert sorted(Path(f.path).name for f in report.failed) == loaded
    assert all(Path(f.path).name in str(f) for f in report.failed)


def test_bad_files_fail_alone_beside_good_ones(settings: Settings, tmp_path: Path) -> None:
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    _check_mixed_ingest(assistant, _folder(tmp_path, HANDLED), HANDLED)


def test_a_file_that_crashes_its_loader_fails_alone(settings: Settings, tmp_path: Path) -> None:
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    _check_mixed_ingest(assistant, _folder(tmp_path, CRASHERS), CRASHERS)


_RECORD = st.fixed_dictionaries(
    {
        "id": st.text(max_size=8),
        "question": st.text(max_size=40),
        "answer": st.text(max_size=20),
        "answerable": st.booleans(),
    },
    optional={
        "aliases": st.lists(st.text(max_size=10), max_size=3),
        "support": st.lists(st.text(max_size=30), max_size=2),
        "type": st.text(max_size=10),
    },
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_LINE = st.one_of(
    _RECORD.map(json.dumps),
    _JSON.map(json.dumps),
    st.text(max_size=80),
    _RECORD.map(lambda r: json.dumps(r)[: len(json.dumps(r)) // 2]),
)
_TESTSET_BYTES = st.one_of(
    st.lists(_LINE, max_size=8).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
    st.binary(max_size=512),
)


@settings(FUZZ, max_examples=150)
@given(data=_TESTSET_BYTES)
@example(data=b"\xff\xfe{}")
@example(data=b'{"id": "a", "question": "q", "answer": "x", "answerable": true}\n{"id": "a"}')
def test_the_test_set_reader_takes_any_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("testset") / "set.jsonl"
    path.write_bytes(data)
    try:
        testset = read_testset(path)
    except TestSetError as error:
        assert str(path) in str(error)
    else:
        assert testset.questions
        assert all(re.match(rf"{re.escape(str(path))}:\d+: ", problem) for problem in testset.problems)


def test_a_deeply_nested_test_set_line_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    good = '{"id": "a", "question": "Who?", "answer": "Rutte", "answerable": true}'
    path.write_text(f"{good}\n{'[' * 100_000}\n", encoding="utf-8")
    testset = read_testset(path)
    assert len(testset.questions) == 1 and testset.problems[0].startswith(f"{path}:2: ")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    assistant = Assistant(settings=Settings(home=tmp_path_factory.mktemp("home")), embeddings=HashEmbeddings())
    assistant.ingestor.ingest_bytes(SEED.read_bytes(), SEED.name)
    return assistant


_QUESTIONS = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=["P", "S", "Z", "Cc"]), max_size=60),
    st.text(alphabet=st.characters(categories=["L", "M", "N"], exclude_characters="\x00"), max_size=80),
    st.sampled_from(["Who is Denisenko?", "Кто такой Денисенко?", "谁是 Denisenko?", "?!?! ...", "\u202e\u200b"]),
)


@settings(FUZZ, max_examples=120)
@given(question=_QUESTIONS)
@example(question="x" * 100_000)
@example(question="")
def test_any_question_gets_a_clear_reply(seeded: Assistant, question: str) -> None:
    answer = seeded.ask(question, llm="none")
    assert answer.answer.strip()
    numbers = {c.n for c in answer.citations}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)} <= numbers
    for citation in answer.citations:
        assert seeded.store.text(citation.source)[citation.start : citation.end] == citation.quote


QUESTIONS = [
    ("", "in words"),
    ("?!?! ...", "in words"),
    ("x" * 100_000, "characters long"),
    ("Кто командует силами специальных операций Беларуси?", ""),
]


@pytest.mark.parametrize(("question", "message"), QUESTIONS, ids=["empty", "punctuation", "100KB", "cyrillic"])
def test_odd_questions_on_the_command_line(seeded: Assistant, question: str, message: str) -> None:
    result = CliRunner().invoke(main, ["ask", question, "--llm", "none", "--json"], obj=CliContext(seeded))
    assert result.exit_code == 0 and result.exception is None
    answer = json.loads(result.stdout)
    assert answer["answer"].strip() and message in answer["answer"]


@pytest.mark.parametrize(("question", "message"), QUESTIONS[1:], ids=["punctuation", "100KB", "cyrillic"])
def test_odd_questions_at_the_app_endpoint(seeded: Assistant, tmp_path: Path, question: str, message: str) -> None:
    answer = Handlers(seeded, tmp_path).ask(question, None, 5, "none")
    assert answer["answer"].strip() and message in answer["answer"]


@pytest.mark.parametrize(
    ("history", "k", "llm", "message"),
    [
        (None, None, None, "Type a question first"),
        ("not pairs", 5, "none", "history must be a list of"),
        ([["only a question"]], 5, "none", "history must be a list of"),
        (None, 0, "none", "k must be a whole number from 1 to 50"),
        (None, 2.5, "none", "k must be a whole number from 1 to 50"),
        (None, 10**9, "none", "k must be a whole number from 1 to 50"),
        (None, 5, "../../etc/passwd", "Unknown LLM backend"),
    ],
)
def test_bad_arguments_at_the_app_endpoint_are_clear_errors(
    seeded: Assistant, tmp_path: Path, history: object, k: object, llm: str | None, message: str
) -> None:
    question = "" if message.startswith("Type") else "Who is Denisenko?"
    with pytest.raises(gr.Error, match=message):
        Handlers(seeded, tmp_path).ask(question, history, k, llm)  # type: ignore[arg-type]
