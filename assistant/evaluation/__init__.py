"""Scoring brief: a test set (``brief eval``), RGB (``bench rgb``), the suspect and conflict detectors (``bench``)."""

from .baseline import StuffedBaseline
from .disagreement import conflicts_report, score_conflicts
from .metrics import QuestionScore, score_question, summarize
from .report import format_table, markdown_report, metric_rows, write_outputs
from .rgb import read_rgb, rgb_correct, rgb_rows, run_rgb
from .runner import EvalReport, EvalRun, evaluate, indexed_texts, run_evaluation, run_testset
from .suspect import SUSPECT_SET, read_labelled, scan_texts, score_detector, suspect_report, suspect_rows
from .testset import TestQuestion, TestSet, locate_support, read_testset, unlocated_support

__all__ = [
    "SUSPECT_SET",
    "EvalReport",
    "EvalRun",
    "QuestionScore",
    "StuffedBaseline",
    "TestQuestion",
    "TestSet",
    "conflicts_report",
    "evaluate",
    "format_table",
    "indexed_texts",
    "locate_support",
    "markdown_report",
    "metric_rows",
    "read_labelled",
    "read_rgb",
    "read_testset",
    "rgb_correct",
    "rgb_rows",
    "run_evaluation",
    "run_rgb",
    "run_testset",
    "scan_texts",
    "score_conflicts",
    "score_detector",
    "score_question",
    "summarize",
    "suspect_report",
    "suspect_rows",
    "unlocated_support",
    "write_outputs",
]
