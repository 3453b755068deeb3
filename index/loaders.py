"""Read briefs from disk (.txt, .md, .html, .pdf, .docx) into text with title and date.

Each loader returns the document's text as brief will store and cite it. Any problem with a file is
raised as :class:`IngestError` naming the file and the reason.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from .documents import SourceDocument
from .errors import IngestError
from .gazetteer import MONTHS
from .sentences import FULL_LINE, full_line_width
from .settings import Settings

__all__ = ["SUPPORTED_SUFFIXES", "load_document", "load_bytes"]

_MONTHS = "|".join(MONTHS)
_DEFAULT_MAX_BYTES = int(Settings.model_fields["max_file_mb"].default * 1024 * 1024)
"""The size limit when the caller names none: ``BRIEF_MAX_FILE_MB``'s default."""
UNZIPPED_FACTOR = 10
"""A .docx may unpack to at most this many times the size limit: text XML compresses about 5 to 10 times, media
not at all, and a zip bomb by thousands."""
_DATE_PATTERNS = (
    re.compile(rf"\b(?:{_MONTHS}) \d{{1,2}}, \d{{4}}\b"),
    re.compile(rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
)


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:8192]:
        raise IngestError(f"{name}: binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(
            f"{name}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); re-save it as UTF-8"
        ) from None
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise IngestError(f"{name}: binary file (mostly control characters), not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _plain(data: bytes, name: str) -> tuple[str, str | None, str | None]:
    text = _decode(data, name)
    heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return text, heading.group(1).strip() if heading else None, None


def _html(data: bytes, name: str) -> tuple[str, str | None, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data, name), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        if tag.name != "head":
            tag.decompose()
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    meta = soup.find("meta", attrs={"property": "article:published_time"}) or soup.find("meta", attrs={"name": "date"})
    date = str(meta.get("content"))[:10] if meta and meta.get("content") else None
    if soup.head:
        soup.head.decompose()
    # A table of data (no paragraphs, lists or tables in its cells) becomes one paragraph per row; a layout table
    # (a page laid out in cells) keeps each cell a paragraph of its own.
    for table in reversed(soup.find_all("table")):
        if table.find(["p", "li", "ul", "ol", "div", "table", "blockquote"]):
            continue
        rows = [tr.find_all(["td", "th"]) for tr in table.find_all("tr")]
        header = bool(rows) and bool(rows[0]) and all(cell.name == "th" for cell in rows[0])
        lines = _table_rows([[cell.get_text(" ", strip=True) for cell in row] for row in rows], header)
        replacement = soup.new_tag("div")
        for line in lines:
            paragraph = soup.new_tag("p")
            paragraph.string = line
            replacement.append(paragraph)
        table.replace_with(replacement)
    blocks = soup.find_all(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th"])
    paragraphs = [" ".join(b.get_text(" ", strip=True).split()) for b in blocks if not b.find(["p", "li"])]
    if not any(paragraphs):
        paragraphs = [" ".join(line.split()) for line in soup.get_text("\n").splitlines()]
    return "\n\n".join(p for p in paragraphs if p), title, date


def _pdf(data: bytes, name: str) -> tuple[str, str | None, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(f"{name}: the PDF is encrypted; save an unprotected copy and ingest that")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as error:
        raise IngestError(f"{name}: corrupt or unreadable PDF ({error})") from None
    return _pdf_text(pages), title, None


_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"})
_LIST_ITEM = re.compile(r"(?:[•▪◦●■*–—-]|\d{1,2}[.)]|[a-z][.)])\s")
_PAGE_NUMBER = re.compile(r"(?:page\s*)?\d{1,3}(?:\s*(?:/|of)\s*\d{1,3})?", re.IGNORECASE)


def _pdf_text(pages: Sequence[str]) -> str:
    """A PDF's page texts as paragraphs: wrapped lines joined, running heads, feet and page numbers left out.

    A PDF keeps lines, not paragraphs: as in a hard-wrapped text (:mod:`index.sentences`), a line short of a full
    one ends a paragraph, and a list item starts one. A line that recurs among the first or last two lines of
    several pages, digits aside ("Digest 1/3", "Digest 2/3"), is a running head or foot.
    """

    def shape(line: str) -> str:
        return re.sub(r"\d+", "#", line)

    paged = [[" ".join(line.split()) for line in page.translate(_LIGATURES).splitlines()] for page in pages]
    paged = [[line for line in lines if line] for lines in paged]
    edges = Counter(shape(line) for lines in paged for line in {*lines[:2], *lines[-2:]})
    running = {form for form, count in edges.items() if count >= 2} if len(paged) > 1 else set()
    body = [
        line
        for lines in paged
        for index, line in enumerate(lines)
        if not (shape(line) in running and (index < 2 or index >= len(lines) - 2)) and not _PAGE_NUMBER.fullmatch(line)
    ]
    full = full_line_width([len(line) for line in body])
    paragraphs: list[str] = []
    current = ""
    for line in body:
        if current and _LIST_ITEM.match(line):
            paragraphs.append(current)
            current = ""
        # A word broken at a hyphen keeps it ("rain-" + "soaked"): a hyphen cannot be told from a soft one.
        current = current + line if current.endswith("-") and line[:1].islower() else f"{current} {line}".strip()
        if len(line) < FULL_LINE * full:
            paragraphs.append(current)
            current = ""
    return "\n\n".join([*paragraphs, current] if current else paragraphs)


def _unpacked(data: bytes, name: str, max_bytes: int) -> bytes:
    """The zip archive ``data`` unpacked under a budget and packed again, for a parser to open safely.

    An archive whose directory records more than :data:`UNZIPPED_FACTOR` times ``max_bytes`` is refused before
    any member is unpacked. The recorded sizes can lie, and Python's ``ZipFile.read`` (which python-docx uses)
    inflates a whole member at once, so each member is read here in bounded steps, counting the bytes it really
    yields, and the parser only ever sees the repacked copy, whose recorded sizes are true.

    Raises:
        IngestError: the archive unpacks to too much, uses a compression Word does not, or is corrupt.

    """
    ceiling = UNZIPPED_FACTOR * max_bytes

    def too_big(size: str) -> IngestError:
        return IngestError(
            f"{name}: the Word document would unpack to {size}, over {UNZIPPED_FACTOR} times the "
            f"{max_bytes / 1048576:.1f} MiB size limit (a zip bomb?); it was not opened"
        )

    repacked = io.BytesIO()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise IngestError(f"{name}: corrupt or unreadable Word document ({error})") from None
    with archive, zipfile.ZipFile(repacked, "w", zipfile.ZIP_STORED) as copy:
        members = [member for member in archive.infolist() if not member.is_dir()]
        recorded = sum(member.file_size for member in members)
        if recorded > ceiling:
            raise too_big(f"{recorded / 1048576:,.1f} MiB")
        unpacked = 0
        for member in members:
            if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise IngestError(f"{name}: {member.filename} uses a compression Word documents do not; not opened")
            parts = []
            try:
                with archive.open(member) as stream:
                    while part := stream.read(1 << 20):  # inflates at most 1 MiB at a time
                        unpacked += len(part)
                        if unpacked > ceiling:
                            raise too_big(f"more than {ceiling / 1048576:,.1f} MiB")
                        parts.append(part)
            except (zipfile.BadZipFile, zlib.error, EOFError) as error:
                raise IngestError(f"{name}: corrupt or unreadable Word document ({error})") from None
            copy.writestr(member.filename, b"".join(parts))
    return repacked.getvalue()


def _table_rows(rows: Sequence[Sequence[str]], header: bool) -> list[str]:
    """One paragraph per row of a table; under a ``header`` row, each cell after its column's name.

    ``[["Vessel", "Status"], ["ANS Skarn", "Delivered"]]`` -> ``["Vessel: ANS Skarn; Status: Delivered"]``, so a row
    says what each of its figures is. A row whose cells do not match the header's is joined with " | ".
    """
    cleaned = [[" ".join(cell.split()) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    names = cleaned[0] if header and len(cleaned) > 1 else None
    lines = []
    for row in cleaned[1:] if names else cleaned:
        if names and len(row) == len(names):
            lines.append("; ".join(f"{n}: {c}" if n else c for n, c in zip(names, row, strict=True) if c))
        else:
            lines.append(" | ".join(c for c in row if c))
    return lines


def _docx(data: bytes, name: str) -> tuple[str, str | None, str | None]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise IngestError(f"{name}: corrupt or unreadable Word document ({error})") from None
    paragraphs: list[str] = []
    for part in document.iter_inner_content():  # paragraphs and tables, in the document's order
        if isinstance(part, Table):
            rows = [[cell.text for cell in row.cells] for row in part.rows]
            # Word marks no header cells: a first row without figures is taken as the columns' names.
            paragraphs += _table_rows(rows, header=bool(rows) and not any(re.search(r"\d", c) for c in rows[0]))
        else:
            paragraphs.append(" ".join(part.text.split()))
    title = document.core_properties.title or None
    return "\n\n".join(p for p in paragraphs if p), title, None


_LOADERS: dict[str, Callable[[bytes, str], tuple[str, str | None, str | None]]] = {
    ".txt": _plain,
    ".md": _plain,
    ".markdown": _plain,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}
SUPPORTED_SUFFIXES = frozenset(_LOADERS)


def _stated_date(text: str) -> str | None:
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def load_bytes(data: bytes, name: str, path: str | None = None, max_bytes: int | None = None) -> SourceDocument:
    """Turn the bytes of a file called ``name`` into a :class:`SourceDocument`.

    Args:
        data: The file's bytes.
        name: The file name; its suffix picks the loader.
        path: Where the file lies on disk, if it does.
        max_bytes: The size limit (default: ``BRIEF_MAX_FILE_MB``'s); a .docx unpacking to over
            :data:`UNZIPPED_FACTOR` times it is refused before it is parsed.

    Raises:
        IngestError: the file is of an unsupported type, empty, corrupt, a zip bomb, or holds no text.

    """
    suffix = Path(name).suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise IngestError(f"{name}: unsupported file type {suffix or '(no extension)'}; brief reads {supported}")
    if not data.strip():
        raise IngestError(f"{name}: empty file")
    try:
        if suffix == ".docx":
            data = _unpacked(data, name, max_bytes or _DEFAULT_MAX_BYTES)
        text, title, date = loader(data, name)
    except IngestError:
        raise
    except Exception as error:  # noqa: BLE001 - a parser library failing on malformed input is one bad file
        kind = suffix.lstrip(".").upper()
        raise IngestError(f"{name}: corrupt or unreadable {kind} file ({type(error).__name__}: {error})") from None
    if not text.strip():
        raise IngestError(f"{name}: no text found in the file (a scanned PDF needs OCR first)")
    return SourceDocument(
        source=Path(name).name,
        text=text,
        title=(title or Path(name).stem.replace("-", " ").replace("_", " ")).strip(),
        date=date or _stated_date(text),
        path=path,
        format=suffix.lstrip("."),
    )


def load_document(path: Path, max_bytes: int) -> SourceDocument:
    """Read one file, refusing missing, oversized, empty, binary, mis-encoded and corrupt files."""
    if not path.exists():
        raise IngestError(f"{path}: no such file or folder")
    if not path.is_file():
        raise IngestError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(
            f"{path}: {size / 1048576:.1f} MiB is over the {max_bytes / 1048576:.1f} MiB limit "
            "(raise BRIEF_MAX_FILE_MB to allow it)"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IngestError(f"{path}: cannot read ({error.strerror})") from None
    return load_bytes(data, path.name, str(path.resolve()), max_bytes)
