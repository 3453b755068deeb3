"""Documents, chunks, embeddings and the Chroma store: everything brief knows before a question is asked.

Names are imported from their modules on first use, so ``import index`` loads neither Chroma, torch nor
LangChain: a command that needs none of them starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .chunking import chunk_document
    from .documents import Chunk, SourceDocument, SourceSpan, content_hash
    from .embeddings import SentenceTransformerEmbeddings
    from .errors import BriefError, ConfigError, IngestError, StoreError
    from .grades import Grade, GradeError
    from .ingest import Failure, Ingestor, IngestReport
    from .lexical import LexicalIndex
    from .loaders import SUPPORTED_SUFFIXES, load_bytes, load_document
    from .records import DocumentInfo
    from .sentences import Span, paragraph_spans, sentence_spans, table_row_reading
    from .settings import Settings, get_settings
    from .store import BriefStore, ScoredChunk
    from .suspect import Flag, find_flags

__all__ = [
    "SUPPORTED_SUFFIXES",
    "BriefError",
    "BriefStore",
    "Chunk",
    "ConfigError",
    "DocumentInfo",
    "Failure",
    "Flag",
    "Grade",
    "GradeError",
    "IngestError",
    "IngestReport",
    "Ingestor",
    "LexicalIndex",
    "ScoredChunk",
    "SentenceTransformerEmbeddings",
    "Settings",
    "SourceDocument",
    "SourceSpan",
    "Span",
    "StoreError",
    "chunk_document",
    "content_hash",
    "find_flags",
    "get_settings",
    "load_bytes",
    "load_document",
    "paragraph_spans",
    "sentence_spans",
    "table_row_reading",
]

_MODULES = {
    "chunking": ("chunk_document",),
    "documents": ("Chunk", "SourceDocument", "SourceSpan", "content_hash"),
    "embeddings": ("SentenceTransformerEmbeddings",),
    "errors": ("BriefError", "ConfigError", "IngestError", "StoreError"),
    "grades": ("Grade", "GradeError"),
    "ingest": ("Failure", "Ingestor", "IngestReport"),
    "lexical": ("LexicalIndex",),
    "loaders": ("SUPPORTED_SUFFIXES", "load_bytes", "load_document"),
    "sentences": ("Span", "paragraph_spans", "sentence_spans", "table_row_reading"),
    "settings": ("Settings", "get_settings"),
    "records": ("DocumentInfo",),
    "store": ("BriefStore", "ScoredChunk"),
    "suspect": ("Flag", "find_flags"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
