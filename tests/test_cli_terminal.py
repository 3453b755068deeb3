"""What `brief ask` leaves on a real terminal: the streamed draft is erased, the checked answer stays."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.cli import erase_sequence
from assistant.model_pack import QWEN_CODER_1_5B, pack_path
from index import Settings

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Which countries sent delegations to military exercises in Belarus?"


@pytest.mark.parametrize(
    ("text", "columns", "expected"),
    [
        ("a draft", 80, "\r\x1b[J"),
        ("a" * 80, 80, "\r\x1b[J"),
        ("a" * 81, 80, "\x1b[1A\r\x1b[J"),
        ("one\ntwo\n" + "b" * 170, 80, "\x1b[4A\r\x1b[J"),
        ("ends with a new line\n", 80, "\x1b[1A\r\x1b[J"),
    ],
)
def test_the_erase_sequence_climbs_every_row_the_draft_took(text: str, columns: int, expected: str) -> None:
    assert erase_sequence(text, columns) == expected


def _screen(socket: str, command: str, home: Path) -> list[str]:
    """Run ``command`` in a fresh 100x60 tmux terminal and return its screen once the command is done."""
    env = {**os.environ, "BRIEF_HOME": str(home), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    tmux = ["tmux", "-L", socket]
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "t", "-x", "100", "-y", "60", f"{command}; echo __END__; sleep 60"],
        env=env,
        check=True,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-J", "-t", "t"], capture_output=True, text=True
            ).stdout
            if "__END__" in screen:
                # -J joins wrapped lines: a timing one digit longer (a process that starts from a saved prompt
                # state, one that does not) must not move a line break.
                return [re.sub(r"\d+ ms", "N ms", line.rstrip()) for line in screen.splitlines() if line.strip()]
            time.sleep(0.5)
        pytest.fail(f"`{command}` did not finish within 180 s")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (Debian's tmux) to run a real terminal")
def test_the_streamed_draft_is_replaced_by_the_checked_answer(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Assistant(settings=Settings(home=home)).ingest([ROOT / "seeds"])
    pack_path(QWEN_CODER_1_5B, Settings(home=home).models_path)  # assembled before, so neither run logs that
    ask = f"brief ask {shlex.quote(QUESTION)} --llm embedded"
    on_terminal = _screen(f"brief-tty-{os.getpid()}", ask, home)
    piped = _screen(f"brief-pipe-{os.getpid()}", f"{ask} 2>&1 | cat", home)
    assert "Uzbekistan" in " ".join(piped) and "Kazakhstan" in " ".join(piped)
    assert on_terminal == piped, "the terminal shows exactly what a run without a draft shows"
