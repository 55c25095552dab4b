""" "Did you mean ...?" for near misses: each unknown word replaced by the closest known one.

Only the vocabulary lives here; the parsers decide whether a corrected text reads, so a
suggestion is only offered when it would be understood.
"""

from __future__ import annotations

import difflib
import re
from functools import cache, lru_cache

from bot.scheduling.words import MONTHS, NUMBER_WORDS, ORDINALS, WEEKDAYS

KEYWORDS = (
    "every", "daily", "weekly", "monthly", "hourly", "fortnightly", "other", "weekday",
    "weekdays", "weekend", "weekends", "day", "days", "week", "weeks", "month", "months",
    "hour", "hours", "minute", "minutes", "second", "seconds", "today", "tomorrow", "tonight",
    "next", "this", "noon", "midnight", "at", "on", "in", "of", "the", "and", "half", "an",
    "cron", "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays",
)  # fmt: skip
_WORD = re.compile(r"[a-z]{3,}")


@cache
def vocabulary() -> tuple[str, ...]:
    """Every word the scheduling parsers know."""
    words = set(KEYWORDS) | set(WEEKDAYS) | set(MONTHS) | set(NUMBER_WORDS) | set(ORDINALS)
    return tuple(sorted(words))


@lru_cache(maxsize=4096)
def closest_word(word: str) -> str | None:
    """The known word closest to `word`, if one is close enough (cached: autocomplete asks
    again at every keystroke)."""
    # A ratio of 0.75 needs lengths within a third of each other; skip the rest up front.
    near = [known for known in vocabulary() if abs(len(known) - len(word)) * 3 <= len(word)]
    close = difflib.get_close_matches(word, near, n=1, cutoff=0.75)
    return close[0] if close else None


def corrected(text: str) -> str | None:
    """`text` with each unknown word replaced by its closest known word, or None if no word
    changed (nothing to suggest)."""
    known = set(vocabulary())
    changed = False
    words = text.split(" ")
    for index, word in enumerate(words):
        if not _WORD.fullmatch(word) or word in known:
            continue
        if (close := closest_word(word)) is not None:
            words[index], changed = close, True
    return " ".join(words) if changed else None
