"""The Overview tab: its handlers, its named endpoint through gradio_client, and the page in headless Chromium."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

from assistant import Assistant
from index import Settings
from ui import build_app, launch_options
from ui.overview import ALL_BRIEFS, OverviewHandlers

from .fakes import HashEmbeddings
from .test_ui_browser import CHROMIUM, CHROMIUM_ARGS

SEED = Path(__file__).resolve().parents[1] / "seeds" / "china-belarus-brief.txt"
MARKUP = "On Monday, General <b>Ivan Petrov</b> met <script>alert(1)</script> officials in Minsk."


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = Settings(home=tmp_path_factory.mktemp("brief-home"), llm="none")
    assistant = Assistant(settings=settings, embeddings=HashEmbeddings())
    assistant.ingestor.ingest_bytes(SEED.read_bytes(), SEED.name)
    assistant.ingestor.ingest_bytes(MARKUP.encode(), "markup.txt")
    return assistant


@pytest.fixture(scope="module")
def url(assistant: Assistant) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GRADIO_TEMP_DIR", raising=False)
        demo = build_app(assistant)
        options = launch_options(assistant.settings, "127.0.0.1")
        _, address, _ = demo.launch(prevent_thread_lock=True, quiet=True, **options)
        yield address
        demo.close()


def test_show_links_every_item_to_a_highlighted_passage(assistant: Assistant) -> None:
    body, panel = OverviewHandlers(assistant).show(SEED.name)
    assert body.count("<h3>") == 6  # summary, four entity types, timeline
    assert "Vadim Denisenko" in body and "the night of October 27-28" in body
    markers = {int(n) for n in re.findall(r'data-passage="(\d+)"', body)}
    passages = {int(n) for n in re.findall(r'id="brief-overview-source-(\d+)"', panel)}
    assert markers == passages and min(markers) == 1
    assert 'id="brief-source-' not in panel  # the Ask tab's panel keeps its own ids
    assert panel.count("<mark>") == len(passages)


def test_text_from_a_brief_is_escaped(assistant: Assistant) -> None:
    body, panel = OverviewHandlers(assistant).show("markup.txt")
    assert "<script>" not in body + panel and "&lt;script&gt;" in panel
    assert "Ivan Petrov" in body


def test_unknown_brief_is_a_clear_error(assistant: Assistant) -> None:
    with pytest.raises(gr.Error, match="nope.txt"):
        OverviewHandlers(assistant).show("nope.txt")


@pytest.mark.integration
def test_overview_endpoint_through_gradio_client(url: str) -> None:
    client = Client(url, verbose=False)
    one = client.predict(SEED.name, api_name="/overview")
    assert set(one) == {"summary", "entities", "timeline"}
    assert one["summary"]["refused"] is False and 3 <= len(one["summary"]["citations"]) <= 6
    assert [e["date"] for e in one["timeline"]][1:] == [
        "October",
        "October 20",
        "the night of October 27-28",
        "October 28",
        "October 31",
    ]
    assert {e["name"] for e in one["entities"] if e["type"] == "person"} == {
        "Vadim Denisenko",
        "Mark Rutte",
        "Vladimir Putin",
    }
    every = client.predict(ALL_BRIEFS, api_name="/overview")
    assert {c["source"] for e in every["timeline"] for c in e["citations"]} == {SEED.name, "markup.txt"}


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM} (`make browser`)")
def test_overview_tab_in_the_browser(url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        page.get_by_role("tab", name="Overview").click()
        pick = page.locator("#brief-overview-pick input")
        pick.click()
        page.get_by_role("option", name=SEED.name).click()
        page.locator("#brief-overview-show").click()
        content = page.locator("#brief-overview-content")
        content.get_by_text("Timeline").wait_for(timeout=60_000)
        assert "Vadim Denisenko" in content.inner_text()

        rutte = content.locator(".brief-entity", has_text="Mark Rutte").locator("a[data-passage]").first
        number = rutte.get_attribute("data-passage")
        rutte.click()
        passage = page.locator(f"#brief-overview-source-{number}")
        passage.locator("mark").wait_for(state="visible")
        assert "Mark Rutte" in passage.locator("mark").inner_text()
        assert page.locator("#brief-overview-passages details[open]").count() == 1
        shot = Path(os.environ.get("BRIEF_SCREENSHOT_DIR", tmp_path)) / "overview.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:4] == b"\x89PNG"
        browser.close()
        assert dialogs == []
