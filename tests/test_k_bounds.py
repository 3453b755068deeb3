"""k, the passages retrieved per question, has one range: the Settings field's, used by the CLI and the app."""

from __future__ import annotations

from pathlib import Path

import click
import gradio as gr
import pytest

from assistant import Assistant
from assistant.cli import main
from index import ConfigError, Settings
from index.settings import int_range
from ui import build_app
from ui.handlers import Handlers

from .fakes import HashEmbeddings


def test_the_range_is_the_settings_field() -> None:
    low, high = int_range("k")
    assert (low, high) == (1, 50)
    assert (Settings(k=low).k, Settings(k=high).k) == (low, high)
    for outside in (low - 1, high + 1):
        with pytest.raises(ConfigError, match=f"BRIEF_K={outside}: must be a whole number from {low} to {high}"):
            Settings(k=outside)


@pytest.mark.parametrize("command", [("ask",), ("eval",), ("bench", "rgb")])
def test_the_cli_options_use_it(command: tuple[str, ...]) -> None:
    group: click.Command = main
    for name in command:
        assert isinstance(group, click.Group)
        group = group.commands[name]
    option = next(p for p in group.params if p.name == "k")
    assert isinstance(option.type, click.IntRange)
    assert (option.type.min, option.type.max) == int_range("k")


def test_the_app_sliders_and_handlers_use_it(settings: Settings, tmp_path: Path) -> None:
    assistant = Assistant(settings=settings.model_copy(update={"k": 7}), embeddings=HashEmbeddings())
    sliders = [
        block
        for block in build_app(assistant).blocks.values()
        if isinstance(block, gr.Slider) and block.label == "Passages retrieved (k)"
    ]
    assert len(sliders) == 2  # Ask and Evaluate tabs
    assert all((s.minimum, s.maximum, s.value) == (*int_range("k"), 7) for s in sliders)
    handlers = Handlers(assistant, tmp_path / "app")
    low, high = int_range("k")
    assert handlers._k(low) == low and handlers._k(high) == high and handlers._k(None) == 7
    for outside in (low - 1, high + 1):
        with pytest.raises(gr.Error, match=f"from {low} to {high}"):
            handlers._k(outside)
