"""Whole-brief answers with the real embedding model and Chroma, and `brief chat` on a real terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.briefs import load_briefs
from assistant.lists import list_answer
from assistant.overview import overview_answer
from index import Settings

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.integration

SEED_FACTS = {
    "China observes Russian methods through Belarus": ("observ", "Belarus"),
    "ISW in October": ("Institute for the Study of War",),
    "Denisenko: Chinese, Uzbek and Kazakh delegations": ("Uzbekistan", "Kazakhstan"),
    "hybrid-warfare skills": ("hybrid warfare",),
    "Rutte: North Korean units in Kursk": ("Rutte", "Kursk"),
    "Ukrainian drone attacks on October 27-28": ("drone attacks",),
    "Putin on labour and the economy": ("Putin",),
    "Moldova's court on October 31, Georgia's elections": ("Moldova",),
}
"""The seed's main facts (issue #13), each recognised by words its sentence must hold."""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    assistant = Assistant(settings=Settings(home=tmp_path_factory.mktemp("home")))
    assistant.ingest([ROOT / "seeds"])
    return assistant


def test_the_seed_overview_covers_six_of_its_eight_main_facts(assistant: Assistant) -> None:
    answer = overview_answer("Summarize the briefs.", assistant.overview_sentences(assistant.briefs()))
    quotes = [c.quote for c in answer.citations]
    assert 3 <= len(quotes) <= 6
    covered = [fact for fact, words in SEED_FACTS.items() if any(all(w in q for w in words) for q in quotes)]
    assert len(covered) >= 6, f"covered only {covered}"
    text = assistant.store.text("china-belarus-brief.txt")
    assert all(text[c.start : c.end] == c.quote for c in answer.citations)


def test_the_seed_countries_with_the_real_index(assistant: Assistant) -> None:
    answer = list_answer("Which countries are mentioned in the brief?", load_briefs(assistant.store))
    assert len({s.text for s in answer.sentences}) == 10


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (Debian's tmux) to run a real terminal")
def test_chat_on_a_real_terminal(assistant: Assistant) -> None:
    socket = f"brief-chat-{os.getpid()}"
    tmux = ["tmux", "-L", socket]
    env = {
        **os.environ,
        "BRIEF_HOME": str(assistant.settings.home),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    command = "brief chat --llm none; echo __END__; sleep 60"
    subprocess.run([*tmux, "new-session", "-d", "-s", "t", "-x", "120", "-y", "60", command], env=env, check=True)

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "t"], capture_output=True, text=True).stdout

    def wait_for(text: str, count: int = 1) -> str:
        """Wait until ``text`` shows ``count`` times; ``">"`` counts prompts (lines that start with it)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            shown = screen()
            found = sum(line.startswith(">") for line in shown.splitlines()) if text == ">" else shown.count(text)
            if found >= count:
                return shown
            time.sleep(0.3)
        pytest.fail(f"{text!r} did not appear; the screen shows:\n{screen()}")

    try:
        wait_for(">")
        for keys in ("Who disclosed the presence of North Korean units in Kursk?", "Enter"):
            subprocess.run([*tmux, "send-keys", "-t", "t", keys], check=True)
        wait_for("Mark Rutte")
        wait_for(">", 2)
        subprocess.run([*tmux, "send-keys", "-t", "t", "/sources", "Enter"], check=True)
        wait_for("chars 2020–2235")
        subprocess.run([*tmux, "send-keys", "-t", "t", "/quit", "Enter"], check=True)
        shown = wait_for("__END__")
        assert "/sources shows the last answer's passages" in shown
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
