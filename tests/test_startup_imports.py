"""What a command imports at start-up: `brief list` loads no model, a cold `brief ask` neither torch nor the UI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_brief_list_loads_no_model_and_no_langchain(brief_home: Path) -> None:
    code = (
        "import sys; from assistant.cli import main\n"
        "before = {m for m in ('chromadb', 'langchain_core', 'torch') if m in sys.modules}\n"
        "main(['list'], standalone_mode=False)\n"
        "after = {m for m in ('langchain_core', 'torch', 'sentence_transformers') if m in sys.modules}\n"
        "print(sorted(before), sorted(after))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[] []"
    assert "No documents indexed yet" in result.stderr


@pytest.mark.integration
def test_a_cold_ask_imports_neither_torch_nor_the_ui(brief_home: Path, seed_dir: Path) -> None:
    code = (
        "import sys; from assistant.cli import main\n"
        f"main(['ingest', {str(seed_dir)!r}], standalone_mode=False)\n"
        "main(['ask', 'Who is the commander of Belarusian Special Operations Forces?', '--llm', 'none'],"
        " standalone_mode=False)\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', 'gradio') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Denisenko" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"
