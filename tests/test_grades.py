from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant import Assistant
from assistant.cli import CliContext, main
from index import BriefStore, Grade, GradeError, Ingestor, Settings, StoreError
from index.grades import grade_order

from .fakes import HashEmbeddings

SEED_NAME = "china-belarus-brief.txt"


@pytest.mark.parametrize(("text", "expected"), [("B2", Grade("B", 2)), (" a1 ", Grade("A", 1)), ("f6", Grade("F", 6))])
def test_a_grade_is_read_in_any_case(text: str, expected: Grade) -> None:
    assert Grade.parse(text) == expected and str(expected) == text.strip().upper()


@pytest.mark.parametrize("text", ["Z9", "b", "A7", "", "B22", "2B", "G1", "A0"])
def test_a_malformed_grade_is_one_error_naming_the_allowed_values(text: str) -> None:
    with pytest.raises(GradeError) as caught:
        Grade.parse(text)
    message = str(caught.value)
    assert repr(text) in message and "A-F" in message and "1-6" in message and "\n" not in message


def test_grades_order_best_first_and_ungraded_last() -> None:
    grades = ["C3", None, "A2", "B1", "A1", "F6", None]
    assert sorted(grades, key=grade_order) == ["A1", "A2", "B1", "C3", "F6", None, None]
    assert Grade.parse("B2").meaning == "usually reliable, probably true"


def _brief(settings: Settings, *args: str) -> Result:
    """One `brief` command with its own store, closed afterwards, as its own process would run it."""
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    result = CliRunner().invoke(main, list(args), obj=CliContext(assistant))
    if "store" in vars(assistant):
        assistant.store.close()
    return result


def _listed(settings: Settings) -> dict[str, dict[str, object]]:
    result = _brief(settings, "list", "--json")
    assert result.exit_code == 0, result.output
    return {d["source"]: d for d in json.loads(result.stdout)}


def test_grades_are_set_at_ingest_or_later_and_kept_across_restarts_and_versions(
    settings: Settings, seed_dir: Path, tmp_path: Path
) -> None:
    result = _brief(settings, "ingest", str(seed_dir), "--grade", "b2")
    assert result.exit_code == 0 and "graded 1 as B2" in result.stdout
    assert _listed(settings)[SEED_NAME]["grade"] == "B2"

    result = _brief(settings, "grade", SEED_NAME, "C3")
    assert result.exit_code == 0 and "graded C3 (fairly reliable, possibly true)" in result.stdout
    assert "C3" in _brief(settings, "list").stdout

    seed = seed_dir / SEED_NAME
    seed.write_text(seed.read_text(encoding="utf-8") + "\n\nA closing paragraph added later.", encoding="utf-8")
    assert "1 changed" in _brief(settings, "ingest", str(seed_dir)).stdout
    assert _listed(settings)[SEED_NAME]["grade"] == "C3", "a new version keeps the grade"

    seed.write_text(seed.read_text(encoding="utf-8") + " And one more.", encoding="utf-8")
    assert "1 changed" in _brief(settings, "ingest", str(seed_dir), "--grade", "A1").stdout
    assert _listed(settings)[SEED_NAME]["grade"] == "A1", "a new grade with a new version replaces it"
    assert "graded 1 as D4" in _brief(settings, "ingest", str(seed_dir), "--grade", "D4").stdout
    assert _listed(settings)[SEED_NAME]["grade"] == "D4", "an unchanged file still takes the grade given"

    upload = tmp_path / "upload.txt"
    upload.write_text("An uploaded brief about Brest.", encoding="utf-8")
    assert _brief(settings, "ingest", str(upload), "--grade", "E5").exit_code == 0
    upload.unlink()  # its grade and text now live only in the index
    result = _brief(settings, "reindex")
    assert result.exit_code == 0, result.output
    assert {s: d["grade"] for s, d in _listed(settings).items()} == {SEED_NAME: "D4", "upload.txt": "E5"}

    assert _brief(settings, "grade", "upload.txt", "--clear").exit_code == 0
    assert _listed(settings)["upload.txt"]["grade"] is None


@pytest.mark.parametrize(
    "command",
    [["ingest", "{seeds}", "--grade", "Z9"], ["grade", SEED_NAME, "A7"], ["grade", SEED_NAME, "b"]],
)
def test_a_malformed_grade_changes_nothing(settings: Settings, seed_dir: Path, command: list[str]) -> None:
    assert _brief(settings, "ingest", str(seed_dir), "--grade", "B2").exit_code == 0
    before = _listed(settings)
    result = _brief(settings, *(part.format(seeds=seed_dir) for part in command))
    assert result.exit_code == 2 and "is not an Admiralty grade" in result.output and "A-F" in result.output
    assert "Traceback" not in result.output
    assert _listed(settings) == before


def test_grading_needs_a_grade_or_clear_and_a_known_document(settings: Settings, seed_dir: Path) -> None:
    assert _brief(settings, "ingest", str(seed_dir)).exit_code == 0
    assert _brief(settings, "grade", SEED_NAME).exit_code == 2
    assert _brief(settings, "grade", SEED_NAME, "B2", "--clear").exit_code == 2
    missing = _brief(settings, "grade", "missing.txt", "B2")
    assert missing.exit_code == 1 and "No document named 'missing.txt'" in missing.output
    assert _listed(settings)[SEED_NAME]["grade"] is None


def test_set_grades_is_all_or_nothing(store: BriefStore, fake_embeddings: HashEmbeddings, seed_dir: Path) -> None:
    Ingestor(store, fake_embeddings, store.settings).ingest_paths([seed_dir])
    with pytest.raises(StoreError, match="missing.txt"):
        store.set_grades({SEED_NAME: Grade.parse("A1"), "missing.txt": Grade.parse("B2")})
    assert store.document(SEED_NAME).grade is None  # type: ignore[union-attr]
