from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.cli import CliContext, main
from index import Settings

from .test_evaluation_testset import SEED_TESTSET

pytestmark = pytest.mark.integration


def test_eval_of_the_seed_testset_with_the_real_embedding_model(settings: Settings, seed_dir: Path) -> None:
    context = CliContext(Assistant(settings=settings))
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(seed_dir)], obj=context).exit_code == 0
    result = runner.invoke(main, ["eval", str(SEED_TESTSET), "--llm", "none", "--json"], obj=context)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == 51 and report["retrieval"]["questions"] == 36
    assert report["retrieval"]["hit@5"] >= 0.9 and report["retrieval"]["hit@1"] >= 0.7
    assert report["answer"]["contains_reference"] >= 0.5
    assert report["citations"]["precision"] >= 0.8
    assert report["refusal"]["refusal_recall"] >= 0.5
    assert report["refusal"]["false_refusal_rate"] <= 0.5
