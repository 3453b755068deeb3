"""The one exception family of brief: every message says what went wrong and how to fix it."""

from __future__ import annotations

__all__ = ["BriefError", "ConfigError", "IngestError", "StoreError"]


class BriefError(Exception):
    """Base class of every error brief reports to a user."""


class ConfigError(BriefError):
    """A setting is missing or malformed."""


class IngestError(BriefError):
    """A file could not be read or indexed; the message names the file and the reason."""


class StoreError(BriefError):
    """The index cannot be opened, read or written."""
