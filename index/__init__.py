"""Documents, chunks, embeddings and the Chroma store: everything brief knows before a question is asked."""

from .chunking import chunk_document
from .documents import Chunk, SourceDocument, content_hash
from .embeddings import SentenceTransformerEmbeddings
from .errors import BriefError, ConfigError, IngestError, StoreError
from .ingest import Failure, IngestReport, Ingestor
from .lexical import LexicalIndex
from .loaders import SUPPORTED_SUFFIXES, load_bytes, load_document
from .sentences import Span, paragraph_spans, sentence_spans
from .settings import Settings, get_settings
from .store import BriefStore, DocumentInfo, ScoredChunk

__all__ = [
    "SUPPORTED_SUFFIXES",
    "BriefError",
    "BriefStore",
    "Chunk",
    "ConfigError",
    "DocumentInfo",
    "Failure",
    "IngestError",
    "IngestReport",
    "Ingestor",
    "LexicalIndex",
    "ScoredChunk",
    "SentenceTransformerEmbeddings",
    "Settings",
    "SourceDocument",
    "Span",
    "StoreError",
    "chunk_document",
    "content_hash",
    "get_settings",
    "load_bytes",
    "load_document",
    "paragraph_spans",
    "sentence_spans",
]
