"""Logging: brief's modules log to stderr through ``logging``, quiet by default; library code never prints."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ("assistant", "index", "ui")
PRINTS_UNTIL_THE_STORE_SPLIT = {"index/store.py"}
"""The store's one print (a rebuilt vector index) becomes a log line in the store restructuring (issue 15)."""

_MESSAGES = {"DEBUG": "a debug line", "INFO": "an info line", "WARNING": "a warning line"}
_EMIT = (
    "import logging; from assistant.cli import main\n"
    "main({args!r}, standalone_mode=False)\n"
    "log = logging.getLogger('ui.app')\n"
    "log.debug('a debug line'); log.info('an info line'); log.warning('a warning line')\n"
    "logging.getLogger('chromadb').info('another library chatting')\n"
)


@pytest.mark.parametrize(
    ("args", "level", "shown"),
    [
        (["list"], None, ["WARNING"]),
        (["-v", "list"], None, ["INFO", "WARNING"]),
        (["-vv", "list"], None, ["DEBUG", "INFO", "WARNING"]),
        (["--verbose", "list"], None, ["INFO", "WARNING"]),
        (["list"], "debug", ["DEBUG", "INFO", "WARNING"]),
        (["list"], "ERROR", []),
        (["-v", "list"], "ERROR", ["INFO", "WARNING"]),
    ],
)
def test_log_level_from_the_flag_or_the_environment(args: list[str], level: str | None, shown: list[str]) -> None:
    env = {name: value for name, value in os.environ.items() if name != "BRIEF_LOG_LEVEL"}
    if level:
        env["BRIEF_LOG_LEVEL"] = level
    result = subprocess.run(
        [sys.executable, "-c", _EMIT.format(args=args)], capture_output=True, text=True, env=env, check=True
    )
    logged = [line for line in result.stderr.splitlines() if " ui.app: " in line]
    assert [line.split()[0] for line in logged] == shown
    assert logged == [f"{level} ui.app: {_MESSAGES[level]}" for level in shown]
    assert "another library chatting" not in result.stderr
    assert result.stdout == ""


def _prints(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    ]


def test_library_modules_never_print() -> None:
    printing = {
        str(path.relative_to(ROOT)): lines
        for package in RUNTIME
        for path in sorted((ROOT / package).rglob("*.py"))
        if (lines := _prints(path))
    }
    assert set(printing) <= PRINTS_UNTIL_THE_STORE_SPLIT, printing
