"""Questions, answers, citations, quotes and evaluation over the indexed briefs."""

from .service import Assistant

__all__ = ["Assistant"]
