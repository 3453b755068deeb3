"""The Gradio app: Ask, Quotes, Library and Evaluate tabs over one :class:`Assistant`, plus named API endpoints.

The endpoints ``ask``, ``quotes``, ``ingest`` and ``evaluate`` are what ``gradio_client`` and scripts call;
the other events only feed the page. Requests wait in Gradio's queue: questions run at most
``ASK_CONCURRENCY`` at a time in their own group, so a slow answer never holds up the library.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import threading
import time
from typing import Any

import gradio as gr

from assistant import Assistant
from assistant.errors import ConfigError
from index import Settings
from index.settings import int_range

from .handlers import Handlers
from .overview import overview_tab
from .render import COPY_JS, SOURCES_CSS

__all__ = ["ASK_CONCURRENCY", "SESSIONS", "build_app", "launch_options", "serve", "warm_up"]

ASK_CONCURRENCY = 2
"""Questions answered at once (the embedded model shares the CPU); more wait in the queue."""
SESSIONS = 256
"""Sessions whose state (the chat history) the server keeps, most recently used first; older ones start afresh.

Gradio keeps a copy of the page's configuration for each session, about 110 KB for this app, and every call
to the REST API (``/gradio_api/call/...``) is a session of its own: its default of 10,000 sessions lets a
script grow the server by a gigabyte. 256 sessions cost at most about 30 MB.
"""
logger = logging.getLogger(__name__)
_PRIVATE: dict[str, Any] = {"api_visibility": "private"}
_NO_SOURCES = '<p class="brief-empty">The passages an answer cites appear here.</p>'


def _controls(handlers: Handlers) -> tuple[gr.Slider, gr.Dropdown]:
    settings = handlers.assistant.settings
    k = gr.Slider(*int_range("k"), value=settings.k, step=1, label="Passages retrieved (k)")
    llm = gr.Dropdown(handlers.backends, value=settings.llm, label="LLM backend")
    return k, llm


def _ask_tab(handlers: Handlers) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(
                label="Conversation",
                height=480,
                latex_delimiters=[],
                buttons=["copy", "copy_all"],
                elem_id="brief-chat",
            )
            with gr.Row():
                question = gr.Textbox(
                    placeholder="Ask about the briefs…", show_label=False, scale=5, elem_id="brief-question"
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="brief-ask")
            model = gr.Markdown(elem_id="brief-model")
            with gr.Row():
                k, llm = _controls(handlers)
                include_suspect = gr.Checkbox(
                    False,
                    label="Include suspect documents",
                    info="Briefs holding text addressed to an AI system (see the Library) are kept out unless this "
                    "is on.",
                    elem_id="brief-include-suspect",
                )
        with gr.Column(scale=2):
            sources = gr.HTML(
                _NO_SOURCES,
                label="Sources",
                css_template=SOURCES_CSS,
                js_on_load=None,
                elem_id="brief-sources",
            )
    history = gr.State([])
    gr.on(
        [question.submit, send.click],
        handlers.respond,
        [question, chat, history, k, llm, include_suspect],
        [question, chat, history, sources, model],
        concurrency_id="ask",
        concurrency_limit=ASK_CONCURRENCY,
        **_PRIVATE,
    )
    chat.clear(lambda: ([], _NO_SOURCES, ""), None, [history, sources, model], **_PRIVATE)


def _quotes_tab(handlers: Handlers) -> gr.Dropdown:
    with gr.Row():
        topic = gr.Textbox(label="Topic", placeholder="e.g. North Korean troops", scale=4, elem_id="brief-topic")
        limit = gr.Slider(1, 50, value=10, step=1, label="Most quotes", scale=1)
    only = gr.Dropdown([], multiselect=True, label="Only these documents (optional)")
    find = gr.Button("Find quotes", variant="primary")
    cards = gr.HTML(css_template=SOURCES_CSS, js_on_load=COPY_JS, elem_id="brief-quotes")
    files = gr.File(label="Download as Markdown and CSV", file_count="multiple", interactive=False)
    gr.on(
        [topic.submit, find.click],
        handlers.show_quotes,
        [topic, limit, only],
        [cards, files],
        concurrency_id="quotes",
        **_PRIVATE,
    )
    return only


def _library_tab(handlers: Handlers, quote_filter: gr.Dropdown) -> list[gr.Component]:
    megabytes = f"{handlers.assistant.settings.max_file_mb:g}"
    uploads = gr.File(
        label=f"Briefs to index: .txt .md .html .pdf .docx, at most {megabytes} MB each", file_count="multiple"
    )
    index = gr.Button("Index the uploaded files", variant="primary")
    status = gr.Markdown()
    with gr.Accordion("Last upload report (JSON)", open=False):
        report = gr.JSON()
    table = gr.Dataframe(
        headers=["document", "grade", "suspect", "title", "chunks", "date", "indexed (UTC)"],
        interactive=False,
        label="Indexed documents",
        elem_id="brief-documents",
    )
    with gr.Row():
        pick = gr.Dropdown([], label="Document", scale=3)
        remove = gr.Button("Remove", variant="stop", scale=1)
        reindex = gr.Button("Re-index from files on disk", scale=1)
    details = gr.HTML(css_template=SOURCES_CSS, elem_id="brief-document-details")
    with gr.Row():
        grade = gr.Textbox(
            label="Admiralty grade of the document's source",
            placeholder="A1 (best) … F6; reliability A-F, credibility 1-6; empty clears it",
            scale=3,
            elem_id="brief-grade",
        )
        set_grade = gr.Button("Set grade", scale=1, elem_id="brief-set-grade")
    library = [table, pick, quote_filter]
    library_group: dict[str, Any] = {"concurrency_id": "library", "concurrency_limit": 1}
    events = [
        index.click(handlers.ingest, uploads, [status, report], api_name="ingest", **library_group),
        remove.click(handlers.remove, pick, status, **library_group, **_PRIVATE),
        reindex.click(handlers.reindex, None, status, **library_group, **_PRIVATE),
    ]
    for event in events:
        event.then(handlers.library, None, library, **_PRIVATE)
    pick.change(handlers.details, pick, details, **_PRIVATE)
    graded = set_grade.click(handlers.grade, [pick, grade], status, **library_group, **_PRIVATE)
    graded.then(handlers.table, None, table, **_PRIVATE).then(handlers.details, pick, details, **_PRIVATE)
    return library


def _evaluate_tab(handlers: Handlers) -> None:
    gr.Markdown("Runs the shipped seed test set, or the JSON Lines test set you upload, through the assistant.")
    with gr.Row():
        testset = gr.File(label="Test set (.jsonl, optional)", file_types=[".jsonl"], scale=2)
        with gr.Column(scale=1):
            k, llm = _controls(handlers)
            run = gr.Button("Run the evaluation", variant="primary")
    status = gr.Markdown()
    with gr.Row():
        metrics = gr.Dataframe(label="Metrics", interactive=False, scale=1)
        chart = gr.Image(label="Chart", type="filepath", interactive=False, scale=2)
    questions = gr.Dataframe(
        label="Questions",
        interactive=False,
        wrap=True,
        column_widths=["7%", "9%", "30%", "30%", "6%", "6%", "6%", "6%"],
    )
    files = gr.File(label="Report (JSON and Markdown)", file_count="multiple", interactive=False)
    run.click(
        handlers.evaluate,
        [testset, k, llm],
        [status, metrics, chart, questions, files],
        api_name="evaluate",
        concurrency_id="evaluate",
        concurrency_limit=1,
    )


def build_app(assistant: Assistant) -> gr.Blocks:
    """Build the app around ``assistant``; its queue is configured, ready to ``launch``.

    Gradio keeps uploads in ``GRADIO_TEMP_DIR``, which this points at ``BRIEF_HOME/app/cache`` so
    nothing is written outside the app's own folder; downloads and reports go next to it.
    """
    folder = assistant.settings.home / "app"
    os.environ["GRADIO_TEMP_DIR"] = str(folder / "cache")
    handlers = Handlers(assistant, folder)
    with gr.Blocks(title="brief", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# brief\nAnswers from the indexed briefs, every claim cited to the exact characters it rests on.")
        with gr.Tab("Ask"):
            _ask_tab(handlers)
        with gr.Tab("Overview") as overview:
            overview_tab(assistant, demo, overview)
        with gr.Tab("Quotes"):
            quote_filter = _quotes_tab(handlers)
        with gr.Tab("Library"):
            library = _library_tab(handlers, quote_filter)
        with gr.Tab("Evaluate"):
            _evaluate_tab(handlers)
        gr.api(handlers.ask, api_name="ask", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
        gr.api(handlers.quotes, api_name="quotes", concurrency_id="quotes")
        demo.load(handlers.library, None, library, **_PRIVATE)
    demo.queue(default_concurrency_limit=ASK_CONCURRENCY)
    return demo


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _credentials(auth: str) -> tuple[str, str]:
    user, _, password = auth.partition(":")
    if not user or not password:
        raise ConfigError("BRIEF_AUTH (or --auth) must look like user:password, both parts non-empty")
    return user, password


def launch_options(settings: Settings, host: str, auth: str | None = None, open_: bool = False) -> dict[str, Any]:
    """Return the ``launch`` arguments for serving on ``host``, refusing a non-loopback address with no login.

    Raises:
        ConfigError: ``host`` is not a loopback address and neither ``auth`` nor ``open_`` is given,
            or ``auth`` is not ``user:password``.

    """
    credentials = _credentials(auth) if auth else None
    if credentials is None and not open_ and not _is_loopback(host):
        raise ConfigError(
            f"Refusing to serve on {host} without a login: set BRIEF_AUTH=user:password (or --auth), "
            "or pass --open to let anyone who can reach the port use the app"
        )
    return {
        "server_name": host,
        "auth": credentials,
        "max_file_size": settings.max_file_bytes,
        "run_history": False,  # questions about briefs are not kept in the browser's storage
        "ssr_mode": False,
        "state_session_capacity": SESSIONS,
    }


def warm_up(assistant: Assistant) -> None:
    """Create the heavy objects a question needs (embedder, BM25 index, the embedded model) ahead of it.

    Run in a background thread by :func:`serve`, so the app starts listening at once and the first question
    does not pay for loading; a failure here is logged, and left for that question to report to its user.
    """
    started = time.perf_counter()
    try:
        assistant.warm_up()
    except Exception as error:  # noqa: BLE001 - the first question reports any real problem with a clear message
        logger.warning("Warm-up failed, the first question will load the models: %s: %s", type(error).__name__, error)
        logger.debug("Warm-up failure", exc_info=True)
        return
    logger.info("Warm-up done in %.1f s", time.perf_counter() - started)


def _check_free(host: str, port: int) -> None:
    """Fail with the fix in the message when nothing can listen on ``host:port`` (another app holds it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: a just-closed port is free
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ConfigError(
                f"Cannot listen on {host}:{port}: {error.strerror} (is another `brief serve` running?); "
                "stop it, or pick another port with --port N"
            ) from None


def serve(
    assistant: Assistant, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None, open_: bool = False
) -> None:
    """Serve the app on ``host:port`` until interrupted; the models load in the background meanwhile.

    Raises:
        ConfigError: the login settings are wrong (see :func:`launch_options`), or ``host:port`` is taken.

    """
    options = launch_options(assistant.settings, host, auth, open_)
    _check_free(host, port)
    app = build_app(assistant)
    threading.Thread(target=warm_up, args=(assistant,), name="brief-warm-up", daemon=True).start()
    app.launch(server_port=port, **options)
