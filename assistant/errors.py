"""Errors of the assistant layer; all are :class:`index.BriefError` so the CLI reports them alike."""

from __future__ import annotations

from index.errors import BriefError, ConfigError

__all__ = ["BriefError", "ConfigError", "LLMError", "SourceError", "TestSetError"]


class LLMError(BriefError):
    """The language model could not be reached or failed; the message names the backend and URL."""


class TestSetError(BriefError):
    """A test set file cannot be used at all (missing, empty, or no valid line)."""

    __test__ = False


class SourceError(BriefError):
    """A document named to narrow a question or a list (``--source``) is not in the index."""
