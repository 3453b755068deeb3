"""Source grades in the Admiralty (NATO) code: the source's reliability A–F and the information's credibility 1–6.

``B2`` reads "usually reliable source, information probably true". A1 is the best grade; F and 6 say the
source or the information cannot be judged, and sort after the other letters and digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import BriefError

__all__ = ["CREDIBILITY", "RELIABILITY", "Grade", "GradeError", "grade_order"]

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
_PATTERN = re.compile(r"([A-F])([1-6])")


class GradeError(BriefError):
    """A grade is not in the Admiralty code."""


@dataclass(frozen=True, order=True)
class Grade:
    """One Admiralty grade; grades order best first (A1 < A2 < B1)."""

    reliability: str
    credibility: int

    @classmethod
    def parse(cls, text: str) -> Grade:
        """Read a grade like ``B2`` (case and surrounding spaces do not matter).

        Raises:
            GradeError: ``text`` is not a letter A–F followed by a digit 1–6.

        """
        match = _PATTERN.fullmatch(text.strip().upper())
        if not match:
            raise GradeError(
                f"{text!r} is not an Admiralty grade: give the source's reliability A-F and the information's "
                "credibility 1-6, like B2 (A1 is best; F and 6 mean it cannot be judged)"
            )
        return cls(match.group(1), int(match.group(2)))

    def __str__(self) -> str:
        """The two-character code, like ``B2``."""
        return f"{self.reliability}{self.credibility}"

    @property
    def meaning(self) -> str:
        """The code in words: ``usually reliable, probably true``."""
        return f"{RELIABILITY[self.reliability]}, {CREDIBILITY[self.credibility]}"


def grade_order(grade: str | Grade | None) -> tuple[int, str, int]:
    """A sort key putting the best grade first and ungraded sources (None) last."""
    if grade is None:
        return (1, "", 0)
    parsed = grade if isinstance(grade, Grade) else Grade.parse(grade)
    return (0, parsed.reliability, parsed.credibility)
