"""Questions, answers, citations, quotes and evaluation over the indexed briefs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .quotes import Quote, QuoteResult
    from .service import Assistant

__all__ = ["Assistant", "Quote", "QuoteResult"]

_HOME = {"Assistant": "service", "Quote": "quotes", "QuoteResult": "quotes"}


def __getattr__(name: str) -> Any:
    """Import a public name on first use, so ``brief list`` never loads the models or LangChain's retrievers."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
