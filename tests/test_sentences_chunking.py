from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import SourceDocument, chunk_document, paragraph_spans, sentence_spans, table_row_reading


def test_seed_sentences_are_exact_and_complete(seed_text: str) -> None:
    spans = sentence_spans(seed_text)
    assert len(spans) == 18
    for span in spans:
        sentence = span.of(seed_text)
        assert sentence == sentence.strip()
        assert sentence[-1] in ".)", sentence
    assert spans[3].of(seed_text).startswith("According to Major General Vadim Denisenko")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maj. Gen. Smith arrived. He spoke.", ["Maj. Gen. Smith arrived.", "He spoke."]),
        ("Growth hit 3.5 percent in 2024. Analysts agreed.", ["Growth hit 3.5 percent in 2024.", "Analysts agreed."]),
        ("The U.S. Army said so. Then it left.", ["The U.S. Army said so.", "Then it left."]),
        ("He said “stop.” Then he left.", ["He said “stop.”", "Then he left."]),
        (
            "Troops (about 3,000 of them) moved. Nobody knew why!",
            ["Troops (about 3,000 of them) moved.", "Nobody knew why!"],
        ),
        ("J. R. Smith and Łukasz Nowak met. Zürich hosted.", ["J. R. Smith and Łukasz Nowak met.", "Zürich hosted."]),
        # A Markdown heading's hashes and a list item's bullet or number belong to no sentence.
        (
            "# Key judgements\n- Roughly 86,000 fled.\n* Most sheltered in schools.\n1. Aid arrived.\n2) Rain fell.",
            ["Key judgements", "Roughly 86,000 fled.", "Most sheltered in schools.", "Aid arrived.", "Rain fell."],
        ),
        (
            "-5 degrees was the low. It rose 3. Then it fell.",
            ["-5 degrees was the low.", "It rose 3.", "Then it fell."],
        ),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert [s.of(text) for s in sentence_spans(text)] == expected


def test_paragraphs_by_blank_lines_when_present() -> None:
    text = "# Title\n\nFirst line\ncontinues here.\n\nSecond para."
    assert [p.of(text) for p in paragraph_spans(text)] == ["# Title", "First line\ncontinues here.", "Second para."]


def test_a_hard_wrapped_text_without_blank_lines_keeps_its_sentences_whole() -> None:
    text = (
        "SUBJECT: PORT STRIKE AT CALLORAN\n"
        "1. Dock workers walked off the job on Tuesday after talks over a new\n"
        "wage agreement collapsed. The union said 4,200 members had joined the\n"
        "strike by noon.\n"
        "2. The port authority applied to the Labour Court for an order that\n"
        "would declare the strike unlawful.\n"
        "COMMENT: A long stoppage is likely."
    )
    assert [s.of(text) for s in sentence_spans(text)] == [
        "SUBJECT: PORT STRIKE AT CALLORAN",
        "Dock workers walked off the job on Tuesday after talks over a new\nwage agreement collapsed.",
        "The union said 4,200 members had joined the\nstrike by noon.",
        "The port authority applied to the Labour Court for an order that\nwould declare the strike unlawful.",
        "COMMENT: A long stoppage is likely.",
    ]
    # Lines that are not wrapped (some run past 100 characters) stay paragraphs of their own.
    unwrapped = "A short line.\n" + "A long paragraph on one line " * 5 + "ends here.\nAnother short line."
    assert len(paragraph_spans(unwrapped)) == 3


def test_seed_chunks_keep_exact_offsets_and_whole_sentences(seed_text: str) -> None:
    document = SourceDocument(source="seed.txt", text=seed_text, title="seed")
    chunks = chunk_document(document, target_chars=500)
    sentences = sentence_spans(seed_text)
    starts = {s.start for s in sentences}
    ends = {s.end for s in sentences}
    assert len(chunks) > 5
    for chunk in chunks:
        assert seed_text[chunk.start : chunk.end] == chunk.text
        assert chunk.start in starts and chunk.end in ends, "a chunk boundary cut a sentence"
        assert chunk.paragraph >= 1
    assert {s.start for s in sentences} <= {c.start for c in chunks} | {
        s.start for s in sentences for c in chunks if c.start <= s.start < c.end
    }
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_every_sentence_lands_whole_in_some_chunk(seed_text: str) -> None:
    document = SourceDocument(source="seed.txt", text=seed_text, title="seed")
    chunks = chunk_document(document, target_chars=200)
    for sentence in sentence_spans(seed_text):
        assert any(c.start <= sentence.start and sentence.end <= c.end for c in chunks), sentence.of(seed_text)


def test_overlong_sentence_is_split_at_white_space() -> None:
    text = "word " * 600 + "end."
    chunks = chunk_document(SourceDocument(source="x.txt", text=text, title="x"), target_chars=300)
    assert len(chunks) > 1
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 600


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("abcXYZ .,!?\n’“”()éж12")), min_size=1, max_size=80),
        min_size=1,
        max_size=12,
    )
)
def test_chunk_offsets_hold_for_arbitrary_text(parts: list[str]) -> None:
    text = "".join(parts)
    if not text.strip():
        return
    for chunk in chunk_document(SourceDocument(source="g.txt", text=text, title="g"), target_chars=120):
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text


def test_a_markdown_table_row_reads_under_its_column_names() -> None:
    text = (
        "Figures:\n\n| District | **Displaced** | Note |\n| :--- | ---: | --- |\n| Lisse | **14,200** | |\n\n"
        "After | the table"
    )
    row = text.index("| Lisse")
    assert table_row_reading(text, row, text.index("\n", row)) == "District: Lisse; Displaced: 14,200"
    header, rule = text.index("| District"), text.index("| :---")
    assert table_row_reading(text, header, text.index("\n", header)) is None
    assert table_row_reading(text, rule, text.index("\n", rule)) is None
    # A line of pipes without a header and rule above it, and plain text, read as written.
    assert table_row_reading("| a | b |\n| c | d |", 10, 19) is None
    assert table_row_reading(text, 0, 8) is None
    assert table_row_reading(text, len(text) - 15, len(text)) is None
