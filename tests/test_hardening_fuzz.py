"""Bad input, fuzzed: random, truncated and adversarial files, test sets and questions never crash brief."""

from __future__ import annotations

import io
import json
import re
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
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
from index.loaders import UNZIPPED_FACTOR
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


MIB = 1 << 20


def _bomb(archive: bytes, member: str, padding_mib: int) -> bytes:
    """The archive with ``padding_mib`` MiB of spaces at the end of ``member`` (added if new): deflated 1000:1."""
    source, buffer = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in [*source.namelist(), *([member] if member not in source.namelist() else [])]:
            with target.open(name, "w") as out:
                out.write(source.read(name) if name in source.namelist() else b"")
                if name == member:
                    for _ in range(padding_mib):
                        out.write(b" " * MIB)
    return buffer.getvalue()


def _declare_size(archive: bytes, member: str, size: int, field: int = 24) -> bytes:
    """The archive with the size its central directory records for ``member`` replaced by ``size`` (a lie)."""
    end_record = archive.rindex(b"PK\x05\x06")
    start = struct.unpack("<I", archive[end_record + 16 : end_record + 20])[0]  # the central directory
    name = member.encode()
    while archive[start + 46 : start + 46 + len(name)] != name:
        start = archive.index(b"PK\x01\x02", start + 4)
    return archive[: start + field] + struct.pack("<I", size) + archive[start + field + 4 :]


def _declare_crc(archive: bytes, member: str, crc: int) -> bytes:
    """The archive with the CRC-32 its central directory records for ``member`` replaced by ``crc``."""
    return _declare_size(archive, member, crc, field=16)


def _recorded_mib(archive: bytes) -> float:
    """What the archive's directory says its members unpack to, in MiB."""
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(archive)).infolist()) / MIB


def _peak_mib(action: Callable[[], object]) -> tuple[object, float]:
    """What ``action`` returned or raised, and the most memory Python held for it, in MiB."""
    tracemalloc.start()
    try:
        try:
            outcome: object = action()
        except IngestError as error:
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    limit = 20 * MIB  # load_bytes's default, BRIEF_MAX_FILE_MB's default
    bomb = _bomb(GOOD[".docx"], "word/media/image1.png", UNZIPPED_FACTOR * 20 + 8)
    assert len(bomb) < MIB, "the bomb itself is small: far under the size limit"
    outcome, peak = _peak_mib(lambda: load_bytes(bomb, "bomb.docx"))
    assert isinstance(outcome, IngestError), outcome
    message = str(outcome)
    assert message.startswith(f"bomb.docx: the Word document would unpack to {_recorded_mib(bomb):,.1f} MiB")
    assert f"over {UNZIPPED_FACTOR} times the {limit / MIB:.1f} MiB size limit" in message
    assert peak < 8, f"refusing the bomb held {peak:.1f} MiB: it was unpacked"


def test_the_zip_bomb_ceiling_follows_the_size_limit(tmp_path: Path) -> None:
    padded = _bomb(GOOD[".docx"], "word/media/image1.png", 12)  # 12 MiB and a little more unpacked
    assert "Minsk garrison" in load_bytes(padded, "padded.docx").text, "under 10 x 20 MiB: an ordinary document"
    folder = tmp_path / "briefs"
    folder.mkdir()
    (folder / "good.docx").write_bytes(GOOD[".docx"])
    (folder / "padded.docx").write_bytes(padded)
    settings = Settings(home=tmp_path / "home", max_file_mb=1)
    report = Assistant(settings=settings, embeddings=HashEmbeddings()).ingest([folder])
    assert report.added == ["good.docx"]
    assert [Path(f.path).name for f in report.failed] == ["padded.docx"]
    message = f"would unpack to {_recorded_mib(padded):.1f} MiB, over 10 times the 1.0 MiB size limit"
    assert message in str(report.failed[0])
    uploaded = Assistant(settings=settings, embeddings=HashEmbeddings()).ingestor.ingest_bytes(padded, "padded.docx")
    assert uploaded.added == [] and message in str(uploaded.failed[0]), "an upload meets the configured limit too"


@pytest.mark.parametrize("crc", ["of the whole member", "of the recorded part"])
def test_a_docx_member_that_lies_about_its_size_never_unpacks_to_more(crc: str) -> None:
    xml = zipfile.ZipFile(io.BytesIO(GOOD[".docx"])).read("word/document.xml")
    # word/document.xml holds 256 MiB of spaces after its XML, but the archive records only the XML's size.
    liar = _declare_size(_bomb(GOOD[".docx"], "word/document.xml", 256), "word/document.xml", len(xml))
    if crc == "of the recorded part":
        liar = _declare_crc(liar, "word/document.xml", zlib.crc32(xml))
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("word/document.xml").file_size == len(xml)
    outcome, peak = _peak_mib(lambda: load_bytes(liar, "liar.docx"))
    if crc == "of the whole member":
        assert isinstance(outcome, IngestError), outcome
        assert str(outcome).startswith("liar.docx: corrupt or unreadable Word document (Bad CRC-32"), outcome
    else:
        assert isinstance(outcome, SourceDocument) and "Minsk garrison" in outcome.text, outcome
    assert peak < 8, f"reading the lying member held {peak:.1f} MiB: it was unpacked whole"


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
