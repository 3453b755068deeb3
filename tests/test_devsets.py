"""The written development sets read cleanly, and each question's brief and reference are where it says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.testset import read_testset

WRITTEN = Path(__file__).parents[1] / "devsets" / "written"


@pytest.mark.parametrize("path", sorted(WRITTEN.glob("set-*.jsonl")), ids=lambda p: p.name)
def test_a_written_set_reads_cleanly_and_its_references_are_in_its_briefs(path: Path) -> None:
    testset = read_testset(path)
    assert testset.problems == [] and testset.questions
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        brief = (WRITTEN / "briefs" / record["source"]).read_text(encoding="utf-8")
        # A list's reference joins several names ("A and B"); each single fact is written as the brief writes it.
        if record["answerable"] and " and " not in record["answer"]:
            assert record["answer"] in brief, record["id"]
