from __future__ import annotations

from pathlib import Path

import pytest

from index import IngestError, SourceDocument, load_document

LIMIT = 1024 * 1024


def _make_pdf(path: Path, text: str) -> None:
    """A real one-page PDF with the text drawn in Helvetica (written by hand, no PDF library)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def _make_docx(path: Path, paragraphs: list[str], title: str) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))


def _written(path: Path, text: str) -> SourceDocument:
    """The document loaded from ``text`` written to ``path``."""
    path.write_text(text, encoding="utf-8")
    return load_document(path, LIMIT)


def test_txt_keeps_text_byte_for_byte(tmp_path: Path) -> None:
    text = "China’s interest grew.\nBelarus hosted drills on March 3, 2024."
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    document = load_document(tmp_path / "a.txt", LIMIT)
    assert document.text == text
    assert document.source == "a.txt"
    assert document.date == "March 3, 2024"
    assert len(document.sha256) == 64


def test_markdown_title_from_heading(tmp_path: Path) -> None:
    (tmp_path / "m.md").write_text("# Weekly brief\n\nDrones were used.", encoding="utf-8")
    document = load_document(tmp_path / "m.md", LIMIT)
    assert document.title == "Weekly brief"
    assert "Drones were used." in document.text


def test_html_drops_scripts_and_keeps_paragraphs(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Kursk brief</title><script>alert(1)</script></head>"
        "<body><h1>Kursk</h1><p>North Korean units were seen.</p><p>NATO  watched.</p>"
        "<script>evil()</script></body></html>"
    )
    document = _written(tmp_path / "k.html", html)
    assert document.title == "Kursk brief"
    assert document.text == "Kursk\n\nNorth Korean units were seen.\n\nNATO watched."


def test_an_html_table_gives_one_paragraph_per_row_each_cell_after_its_column(tmp_path: Path) -> None:
    html = (
        "<h2>Delivery schedule</h2><table><tr><th>Vessel</th><th>Original delivery</th><th>Revised delivery</th></tr>"
        "<tr><td>ANS Corrie</td><td>30 April 2025</td><td>31 March 2026</td></tr>"
        "<tr><td>ANS Heldra</td><td>31 October 2025</td><td></td></tr></table><p>Every hull is late.</p>"
    )
    assert _written(tmp_path / "t.html", html).text == (
        "Delivery schedule\n\n"
        "Vessel: ANS Corrie; Original delivery: 30 April 2025; Revised delivery: 31 March 2026\n\n"
        "Vessel: ANS Heldra; Original delivery: 31 October 2025\n\n"
        "Every hull is late."
    )
    # Without header cells a row is its cells in order; a page laid out in a table keeps each cell's paragraphs.
    plain = "<table><tr><td>ANS Skarn</td><td>Delivered</td></tr></table>"
    layout = "<table><tr><td><p>Drones were used.</p><p>NATO watched.</p></td><td><p>Sidebar</p></td></tr></table>"
    assert _written(tmp_path / "p.html", plain + layout).text == (
        "ANS Skarn | Delivered\n\nDrones were used.\n\nNATO watched.\n\nSidebar"
    )


def test_a_word_table_stands_where_it_is_each_row_one_paragraph(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Casualties by district.")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(
        table.rows, [("District", "Displaced"), ("Corby Flats", "9,400"), ("Harrow", "")], strict=True
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("Figures are provisional.")
    document.save(str(tmp_path / "w.docx"))
    assert load_document(tmp_path / "w.docx", LIMIT).text == (
        "Casualties by district.\n\nDistrict: Corby Flats; Displaced: 9,400\n\nDistrict: Harrow\n\n"
        "Figures are provisional."
    )


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    _make_pdf(tmp_path / "p.pdf", "Moldova held a referendum on October 20.")
    document = load_document(tmp_path / "p.pdf", LIMIT)
    assert "Moldova held a referendum on October 20." in document.text


def test_a_pdfs_wrapped_lines_become_paragraphs_without_running_heads() -> None:
    from index.loaders import _pdf_text

    lines = [
        "Ferry capsizes in the Kessary Strait",
        "KESSARY PORT, 8 October — At least 37 people died when the passenger ferry Sorrel Bay overturned",
        "in heavy swell late on Tuesday evening. Coastguard crews and fishing boats pulled 112 survivors",
        "from the water overnight.",
        "• Sailings are suspended until the fleet has been inspected and its ballast records examined, the",
        "minister said.",
        "Landslide buries hamlets",
        "ORSK, 7 October — Rescuers working with shovels have recovered the bodies of 14 villagers after a rain-",
    ]
    foot = ["9/10/25, 2:43 PM The Morning Brief", "ﬁle:///briefs/digest.html 1/2"]
    second = [
        "soaked hillside collapsed onto the hamlets of Upper and Lower Drassen, the regional office said on",
        "Monday. Six people remain missing.",
        "2",
        "9/10/25, 2:43 PM The Morning Brief",
        "ﬁle:///briefs/digest.html 2/2",
    ]
    assert _pdf_text(["\n".join(lines + foot), "\n".join(second)]) == "\n\n".join(
        [
            "Ferry capsizes in the Kessary Strait",
            " ".join(lines[1:4]),
            "• Sailings are suspended until the fleet has been inspected and its ballast records examined, the "
            "minister said.",
            "Landslide buries hamlets",
            lines[7] + " ".join(second[:2]),
        ]
    )


def test_docx_paragraphs_and_title(tmp_path: Path) -> None:
    _make_docx(tmp_path / "d.docx", ["Georgia held elections.", "Results were contested."], "Georgia note")
    document = load_document(tmp_path / "d.docx", LIMIT)
    assert document.title == "Georgia note"
    assert document.text == "Georgia held elections.\n\nResults were contested."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"   \n\n  ", "empty file"),
        ("bin.txt", b"\x00\x01\x02binary\x00", "binary file"),
        ("latin.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), "not UTF-8 text (byte 0xe9 at offset 3)"),
        ("bad.pdf", b"%PDF-1.4 this is not really a pdf", "corrupt or unreadable PDF"),
        ("bad.docx", b"PK\x03\x04 not a zip", "corrupt or unreadable Word document"),
        ("notes.xlsx", b"whatever", "unsupported file type .xlsx"),
        ("noext", b"text", "unsupported file type (no extension)"),
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(IngestError) as caught:
        load_document(tmp_path / name, LIMIT)
    assert name in str(caught.value)
    assert reason in str(caught.value)


def test_missing_and_oversized_files(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        load_document(tmp_path / "nope.txt", LIMIT)
    (tmp_path / "big.txt").write_text("a" * 2048, encoding="utf-8")
    with pytest.raises(IngestError, match="over the .* limit .*BRIEF_MAX_FILE_MB"):
        load_document(tmp_path / "big.txt", 1024)
