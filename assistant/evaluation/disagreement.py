"""The conflict detector (``assistant.conflicts``) on RGB's counterfactual passages (``brief bench conflicts``).

RGB's fact set (Chen et al., 2024) gives each query passages that agree on the answer (``positive``) and the same
passages with the answer changed (``positive_wrong``). Run over the sentences of the agreeing passages alone, any
conflict found is a false alarm; over both, a conflict should be found. The passages are web snippets, many in
title case, about sport, films and companies: harder for a rule-based detector than briefs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from index.sentences import sentence_spans

from ..briefs import SourceSentence
from ..conflicts import find_conflicts
from ..errors import TestSetError
from .testset import json_lines

__all__ = ["conflicts_report", "score_conflicts"]


def _sentences(passages: list[str], name: str) -> list[SourceSentence]:
    return [
        SourceSentence(f"{name}-{number}", span.start, span.end, 1, span.of(text))
        for number, text in enumerate(passages)
        for span in sentence_spans(text)
    ]


def score_conflicts(path: Path) -> dict[str, Any]:
    """How often conflicts are found among agreeing passages (false alarms) and once changed passages are added.

    Raises:
        TestSetError: the file cannot be read, or a line lacks ``query``, ``positive`` or ``positive_wrong``.

    """
    alarms, found, total = [], 0, 0
    for number, line in json_lines(path, "the RGB file", "pass RGB's en_fact.jsonl"):
        try:
            record = json.loads(line)
            query, agreeing = str(record["query"]), _sentences(list(record["positive"]), "positive")
            changed = _sentences(list(record["positive_wrong"]), "positive_wrong")
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise TestSetError(f"{path}:{number}: needs query, positive and positive_wrong ({error})") from None
        total += 1
        false = find_conflicts(query, agreeing)
        if false:
            alarms.append({"query": query, "values": [[v.value for v in c.values] for c in false]})
        found += bool(find_conflicts(query, agreeing + changed))
    return {
        "queries": total,
        "false_alarm_rate": len(alarms) / total,
        "detection_rate": found / total,
        "false_alarms": alarms,
    }


def conflicts_report(scores: dict[str, Any]) -> str:
    """The two rates in one line, then every false alarm."""
    lines = [
        f"{scores['queries']} queries: a conflict among agreeing passages (false alarm) for "
        f"{100 * scores['false_alarm_rate']:.1f}%, once the changed passages are added for "
        f"{100 * scores['detection_rate']:.1f}%"
    ]
    lines += [f"false alarm: {alarm['query']} {alarm['values']}" for alarm in scores["false_alarms"]]
    return "\n".join(lines)
