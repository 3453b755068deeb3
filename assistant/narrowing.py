"""Narrowing a question to some briefs: by name (``--source``) and by document date (``--since``, ``--until``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from index import DocumentInfo

from .errors import SourceError
from .timeline import parse_date

__all__ = ["Narrowing", "date_bound", "narrow"]

_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?\s*$")


def date_bound(text: str, end: bool = False) -> date:
    """A date given on the command line: ``2024``, ``2024-10``, ``2024-10-28`` or ``October 28, 2024``.

    A year or a month stands for its first day, or its last when ``end`` (so ``--until 2024-10`` takes in
    October 31).

    Raises:
        SourceError: ``text`` is not such a date.

    """
    partial = _PARTIAL.match(text)
    if partial:
        year, month = int(partial.group(1)), int(partial.group(2) or 0)
        if month > 12:
            raise SourceError(f"{text!r} is not a date: the month must be 1 to 12")
        if not end:
            return date(year, month or 1, 1)
        if not month:
            return date(year, 12, 31)
        following = date(year + month // 12, month % 12 + 1, 1)
        return following - timedelta(days=1)
    parsed = parse_date(text)
    if parsed is None:
        raise SourceError(f"{text!r} is not a date; give one like 2024-10-28, 2024-10 or 2024")
    return parsed


@dataclass
class Narrowing:
    """The sources a question is limited to (None: every brief), and the briefs a date filter left out undated."""

    sources: list[str] | None
    undated: list[str] = field(default_factory=list)


def narrow(
    documents: Sequence[DocumentInfo],
    sources: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
) -> Narrowing:
    """The briefs named in ``sources`` (all when empty) whose date lies within ``since`` and ``until``.

    A brief with no date is left out when a date bound is given, and listed in ``undated``.

    Raises:
        SourceError: a name in ``sources`` is not indexed, or no indexed brief is left.

    """
    known = {d.source: d for d in documents}
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise SourceError(f"No document named {unknown[0]!r} in the index; `brief list` shows what is there")
    if since is None and until is None:
        return Narrowing(sorted(set(sources)) if sources else None)
    chosen = [known[s] for s in sorted(set(sources))] if sources else list(documents)
    kept, undated = [], []
    for info in chosen:
        day = parse_date(info.date or "")
        if day is None:
            undated.append(info.source)
        elif (since is None or day >= since) and (until is None or day <= until):
            kept.append(info.source)
    if not kept:
        span = f"{since or 'the earliest'} to {until or 'the latest'}"
        note = f" ({len(undated)} have no date)" if undated else ""
        raise SourceError(f"No indexed brief is dated from {span}{note}; `brief list` shows the dates")
    return Narrowing(kept, undated)
