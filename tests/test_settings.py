"""Settings: a bad BRIEF_* value is one line naming the variable and what is allowed, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from assistant.cli import main
from index import ConfigError, Settings

BAD = [
    ("BRIEF_K", "0", "must be a whole number from 1 to 50"),
    ("BRIEF_K", "51", "must be a whole number from 1 to 50"),
    ("BRIEF_K", "five", "must be a whole number from 1 to 50"),
    ("BRIEF_CHUNK_CHARS", "99", "must be a whole number of at least 100"),
    ("BRIEF_EMBEDDING_BATCH_SIZE", "-3", "must be a whole number of at least 1"),
    ("BRIEF_MAX_FILE_MB", "0", "must be a number greater than 0"),
    ("BRIEF_MAX_FILE_MB", "lots", "must be a number greater than 0"),
    ("BRIEF_LLM_TIMEOUT", "-1", "must be a number greater than 0"),
    ("BRIEF_LLM_THREADS", "0", "must be a whole number of at least 1"),
    ("BRIEF_LLM_CONTEXT", "256", "must be a whole number of at least 512"),
    ("BRIEF_LOG_LEVEL", "loud", "must be one of DEBUG, INFO, WARNING, ERROR"),
]


@pytest.mark.parametrize(("variable", "value", "allowed"), BAD)
def test_a_bad_setting_is_one_clear_error(
    variable: str, value: str, allowed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        Settings()
    assert str(caught.value) == f"{variable}={value}: {allowed}"


@pytest.mark.parametrize(("variable", "value", "allowed"), BAD[::3])
def test_the_cli_reports_a_bad_setting_in_one_line(
    variable: str, value: str, allowed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(main, ["list"])
    assert result.exit_code == 1
    assert result.output == f"Error: {variable}={value}: {allowed}\n"


def test_every_bad_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_K", "0")
    monkeypatch.setenv("BRIEF_LLM_THREADS", "zero")
    with pytest.raises(ConfigError, match="BRIEF_LLM_THREADS=zero: must be a whole number .*; BRIEF_K=0: "):
        Settings()


def test_a_bad_keyword_names_its_variable_too() -> None:
    with pytest.raises(ConfigError, match=r"^BRIEF_CHUNK_CHARS=5: must be a whole number of at least 100$"):
        Settings(chunk_chars=5)


def test_no_traceback_from_the_installed_command() -> None:
    code = "from assistant.cli import main; main(['list'])"
    env = {**os.environ, "BRIEF_K": "0"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert result.stderr == "Error: BRIEF_K=0: must be a whole number from 1 to 50\n" and result.stdout == ""
