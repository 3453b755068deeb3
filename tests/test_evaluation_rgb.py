from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant
from assistant.cli import CliContext, main
from assistant.errors import TestSetError
from assistant.evaluation.rgb import read_rgb, rgb_correct, rgb_labels
from index import Settings

from .fakes import HashEmbeddings

RECORDS = [
    {
        "id": 0,
        "query": "Where was Super Bowl 2021 played?",
        "answer": "Tampa, Florida",
        "positive": [
            "Super Bowl 2021 was played at Raymond James Stadium in Tampa, Florida.",
            "The NFL moved Super Bowl LV to Tampa, Florida.",
        ],
        "negative": ["Super Bowl LVIII tickets in Las Vegas are on sale.", "Glendale hosted Super Bowl LVII."],
    },
    {
        "id": 1,
        "query": "Which country won the most medals at the 2018 Winter Olympics?",
        "answer": ["Norway"],
        "positive": ["Norway won the most medals at the 2018 Winter Olympics in PyeongChang, 39 in total."],
        "negative": ["The 2022 Winter Olympics took place in Beijing.", "Germany won 31 medals in 2018."],
    },
    {
        "id": 2,
        "query": "When was the iPhone X released?",
        "answer": [["November 3 2017", "Nov 3, 2017", "3 November 2017"]],
        "positive": ["Apple released the iPhone X on Nov 3, 2017, after preorders opened."],
        "negative": ["Super Bowl 2021 was played at Raymond James Stadium in Tampa, Florida."],
    },
]


@pytest.fixture
def rgb_file(tmp_path: Path) -> Path:
    path = tmp_path / "rgb.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("prediction", "gold", "labels", "correct"),
    [
        ("It was held in TAMPA, Florida.", "Tampa, Florida", [1], True),
        ("It was held in Tampa.", "Tampa, Florida", [0], False),
        ("Norway and Germany", ["Norway", "Germany"], [1, 1], True),
        ("Norway", ["Norway", "Germany"], [1, 0], False),
        ("Released on 3 november 2017.", [["November 3 2017", "3 November 2017"]], [1], True),
        ("Released in 2017.", [["November 3 2017", "3 November 2017"]], [0], False),
    ],
)
def test_rgb_scoring_follows_the_paper(prediction: str, gold: object, labels: list[int], correct: bool) -> None:
    assert rgb_labels(prediction, gold) == labels  # type: ignore[arg-type]
    assert rgb_correct(prediction, gold) is correct  # type: ignore[arg-type]


def test_read_rgb_names_the_bad_line(rgb_file: Path, tmp_path: Path) -> None:
    assert [r.id for r in read_rgb(rgb_file)] == [0, 1, 2]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(rgb_file.read_text(encoding="utf-8") + '{"id": 3, "query": "q"}\n', encoding="utf-8")
    with pytest.raises(TestSetError, match=r"bad.jsonl:4: not an RGB record \(KeyError"):
        read_rgb(bad)
    with pytest.raises(TestSetError, match="Cannot read the RGB file"):
        read_rgb(tmp_path / "missing.jsonl")


def test_bench_rgb_uses_a_scratch_index(rgb_file: Path, settings: Settings, fake_embeddings: HashEmbeddings) -> None:
    context = CliContext(Assistant(settings=settings, embeddings=fake_embeddings))
    result = CliRunner().invoke(main, ["bench", "rgb", str(rgb_file), "--json", "--llm", "none"], obj=context)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["records"] == 3 and report["k"] == 5
    assert report["snippets"] == 8  # nine snippets, one shared by two records
    assert report["retrieval"]["hit@5"] == 1.0  # the pool is tiny: every record's positives are retrieved
    assert 0 <= report["answer"]["accuracy"] <= 1 and 0 <= report["rejection"]["refusal_rate"] <= 1
    assert report["paper"]["accuracy"]["0.0"] == 0.9633 and report["paper"]["rejection_rate"] == 0.2467
    rows = {row["id"]: row for row in report["per_query"]}
    assert set(rows) == {0, 1, 2}
    for row in rows.values():
        assert row["correct"] == (not row["refused"] and rgb_correct(row["answer"], row["gold"]))
    assert rows[0]["rejection_sources"] and not {"rgb-000-p0.txt", "rgb-000-p1.txt"} & set(rows[0]["rejection_sources"])
    assert not rows[0]["rejection_has_gold"]  # the shared copy of a positive snippet was taken out as well
    assert context.assistant.documents() == []  # the user's own index is untouched
    limited = CliRunner().invoke(main, ["bench", "rgb", str(rgb_file), "--limit", "1", "--llm", "none"], obj=context)
    assert limited.exit_code == 0, limited.output
    header, _, *rows_text = limited.stdout.splitlines()
    assert header.startswith("metric") and "paper (ChatGPT" in header
    assert [r.split()[0] for r in rows_text] == ["answer", "retrieval", "rejection"]


def test_bench_rgb_paper_protocol_gives_five_documents(
    rgb_file: Path, settings: Settings, fake_embeddings: HashEmbeddings
) -> None:
    context = CliContext(Assistant(settings=settings, embeddings=fake_embeddings))
    result = CliRunner().invoke(
        main, ["bench", "rgb", str(rgb_file), "--protocol", "paper", "--json", "--llm", "none"], obj=context
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["protocol"] == "paper" and report["records"] == 3
    assert set(report["answer"]) == {"accuracy noise 0.0", "accuracy noise 0.4", "accuracy noise 0.8"}
    records = {r["id"]: r for r in map(json.loads, rgb_file.read_text(encoding="utf-8").splitlines())}
    for row in report["per_query"]:
        record = records[row["id"]]
        for setting in ("noise 0.0", "noise 0.4", "noise 0.8", "rejection"):
            given = row[setting]["given"]
            assert set(row[setting]["cited"]) <= set(given), "an answer draws only on the given documents"
            kinds = {"noise 0.0": [record["positive"]], "rejection": [record["negative"]]}.get(
                setting, [record["positive"], record["negative"]]
            )
            assert len(given) == min(5, len({text for kind in kinds for text in kind}))
        own_positive = f"rgb-{row['id']:03d}-p"
        assert not any(own_positive in source for source in row["rejection"]["given"]), "rejection: negatives only"
        assert all(own_positive in source for source in row["noise 0.0"]["given"])
    text = CliRunner().invoke(
        main, ["bench", "rgb", str(rgb_file), "--protocol", "paper", "--llm", "none"], obj=context
    )
    assert "accuracy, noise ratio 0.4" in text.stdout and "96.33%" in text.stdout
