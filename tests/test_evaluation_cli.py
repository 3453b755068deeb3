from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from langchain_chroma import Chroma

from assistant import Assistant
from assistant.cli import CliContext, main
from assistant.evaluation import run_evaluation
from assistant.evaluation.baseline import StuffedBaseline, says_unknown
from index import Settings

from .fakes import HashEmbeddings, ScriptedChatModel
from .test_evaluation_testset import SEED_TESTSET

FIVE = ["cb-01", "cb-06", "cb-14", "cb-37", "cb-38"]


@pytest.fixture
def context(settings: Settings, fake_embeddings: HashEmbeddings, seed_dir: Path) -> CliContext:
    context = CliContext(Assistant(settings=settings, embeddings=fake_embeddings))
    result = CliRunner().invoke(main, ["ingest", str(seed_dir)], obj=context)
    assert result.exit_code == 0, result.output
    return context


@pytest.fixture
def five_questions(tmp_path: Path) -> Path:
    lines = [line for line in SEED_TESTSET.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in FIVE]
    path = tmp_path / "five.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_json_shape_and_out_files(context: CliContext, five_questions: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main, ["eval", str(five_questions), "--json", "--llm", "none", "--k", "5", "--out", str(out)], obj=context
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"n", "retrieval", "answer", "citations", "refusal", "latency_ms", "per_question"} <= set(report)
    assert report["n"] == 5 and len(report["per_question"]) == 5
    assert report["refusal"]["answerable"] == 3 and report["refusal"]["unanswerable"] == 2
    assert set(report["retrieval"]) == {"hit@1", "hit@3", "hit@5", "mrr", "questions"}
    assert report["retrieval"]["questions"] == 3
    assert 0 <= report["retrieval"]["hit@1"] <= report["retrieval"]["hit@3"] <= report["retrieval"]["hit@5"] <= 1
    assert {"retrieve", "total"} <= set(report["latency_ms"])
    assert all(v["p50"] <= v["p95"] for v in report["latency_ms"].values())
    first = report["per_question"][0]
    assert first["id"] == "cb-01" and first["question"].startswith("Who is the Commander")
    assert isinstance(first["answer"], str) and isinstance(first["refused"], bool)
    assert json.loads((out / "report.json").read_text(encoding="utf-8")) == report
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| retrieval hit@1 |" in markdown and "| cb-37 |" in markdown
    assert (out / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Wrote {out / 'metrics.png'}" in result.stderr


def test_eval_table_with_baseline_has_two_columns(context: CliContext, five_questions: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(five_questions), "--llm", "none", "--baseline"], obj=context)
    assert result.exit_code == 0, result.output
    header, rule, *rows = result.stdout.splitlines()
    assert header.split() == ["metric", "brief", "baseline"]
    assert any(row.startswith("retrieval hit@5") and len(row.split()) == 4 for row in rows)
    as_json = CliRunner().invoke(
        main, ["eval", str(five_questions), "--llm", "none", "--baseline", "--json"], obj=context
    )
    report = json.loads(as_json.stdout)
    assert report["system"] == "brief" and report["baseline"]["system"] == "baseline"
    assert report["baseline"]["n"] == 5 and report["baseline"]["citations"]["cited"] == 0


def test_eval_warns_about_bad_lines_and_missing_support(context: CliContext, five_questions: Path) -> None:
    lines = five_questions.read_text(encoding="utf-8").splitlines()
    stray = json.loads(lines[0]) | {"id": "stray", "support": ["A sentence that is in no brief."]}
    five_questions.write_text("\n".join([*lines, "{oops", json.dumps(stray)]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(five_questions), "--llm", "none", "--json"], obj=context)
    assert result.exit_code == 0, result.output
    assert f"warning: {five_questions}:6: not valid JSON" in result.stderr
    assert f"warning: {five_questions}:7: support span not found in any indexed document" in result.stderr
    assert json.loads(result.stdout)["n"] == 6


def test_eval_errors_are_one_clean_line(settings: Settings, fake_embeddings: HashEmbeddings, tmp_path: Path) -> None:
    empty = CliContext(Assistant(settings=settings, embeddings=fake_embeddings))
    missing = CliRunner().invoke(main, ["eval", str(tmp_path / "nope.jsonl")], obj=empty)
    assert missing.exit_code == 1 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    no_index = CliRunner().invoke(main, ["eval", str(SEED_TESTSET), "--llm", "none"], obj=empty)
    assert no_index.exit_code == 1 and "is empty: add the briefs first (`brief ingest PATH...`" in no_index.stderr


def test_run_evaluation_counts_every_answer_and_keeps_the_warnings(context: CliContext, five_questions: Path) -> None:
    with five_questions.open("a", encoding="utf-8") as handle:
        handle.write("{oops\n")
    steps: list[tuple[int, int]] = []
    report = run_evaluation(
        context.assistant, five_questions, llm="none", baseline=True, progress=lambda *step: steps.append(step)
    )
    assert steps == [(n, 10) for n in range(1, 11)]
    assert [run.system for run in report.runs] == ["brief", "baseline"] and len(report.testset.questions) == 5
    assert [w.split(" (")[0] for w in report.warnings] == [f"{five_questions}:6: not valid JSON"]
    assert report.payload == {**report.summaries[0], "baseline": report.summaries[1]}


def test_baseline_stuffs_chunks_into_the_prompt_and_refuses_only_when_the_model_does(context: CliContext) -> None:
    assistant = context.assistant
    model = ScriptedChatModel(replies=["Vadim Denisenko commands them.", "I don't know."], prompts=[])
    baseline = StuffedBaseline(assistant.store, assistant.embeddings, 3, model, "scripted")
    assert isinstance(baseline.retriever.vectorstore, Chroma) and baseline.retriever.search_kwargs == {"k": 3}
    answer = baseline.ask("Who commands the Belarusian Special Operations Forces?")
    assert answer.answer == "Vadim Denisenko commands them." and not answer.refused and answer.citations == []
    assert len(answer.retrieved) == 3 and [c.n for c in answer.retrieved] == [1, 2, 3]
    prompt = model.prompts[0][0].content
    assert "Question: Who commands" in prompt and answer.retrieved[0].quote in prompt
    assert baseline.ask("Who won in Georgia?").refused
    extractive = StuffedBaseline(assistant.store, assistant.embeddings, 3, None, "none (extractive)")
    top = extractive.ask("Who commands the Belarusian Special Operations Forces?")
    assert top.answer == top.retrieved[0].quote and not top.refused


@pytest.mark.parametrize(
    ("reply", "declines"),
    [
        ("I don't know.", True),
        ("The context does not say who won.", True),
        ("This is not mentioned in the context.", True),
        ("There is no information about it.", True),
        ("Mark Rutte disclosed it.", False),
        ("Denisenko knows the answer.", False),
    ],
)
def test_says_unknown(reply: str, declines: bool) -> None:
    assert says_unknown(reply) is declines
