"""Scoring brief against a test set (``brief eval``) and the RGB benchmark (``brief bench rgb``)."""

from .baseline import StuffedBaseline
from .metrics import Located, QuestionScore, score_question, summarize
from .report import format_table, markdown_report, metric_rows, write_outputs
from .rgb import read_rgb, rgb_correct, rgb_rows, run_rgb
from .runner import EvalReport, EvalRun, evaluate, indexed_texts, run_evaluation, run_testset
from .testset import TestQuestion, TestSet, locate_support, read_testset, unlocated_support

__all__ = [
    "EvalReport",
    "EvalRun",
    "Located",
    "QuestionScore",
    "StuffedBaseline",
    "TestQuestion",
    "TestSet",
    "evaluate",
    "format_table",
    "indexed_texts",
    "locate_support",
    "markdown_report",
    "metric_rows",
    "read_rgb",
    "read_testset",
    "rgb_correct",
    "rgb_rows",
    "run_evaluation",
    "run_rgb",
    "run_testset",
    "score_question",
    "summarize",
    "unlocated_support",
    "write_outputs",
]
