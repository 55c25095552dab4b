"""The reader's hot queries with sample parameters, for the query-plan tests of both backends."""

from __future__ import annotations

from typing import Any

EARLY = {"early_from": 3, "early_to": 4}  # an early reader's range (the plans are the same)


def hot_queries(guild: int, reader: int, story: int = 1, chapter_id: int = 1) -> dict[str, Any]:
    """Each hot query's name in `bot.reading.queries` and parameters that make it find rows."""
    return {
        "GET_PROGRESS_SQL": {"user": reader, "story": story},
        "LATEST_PROGRESS_SQL": {"guild": guild, "user": reader, "limit": 1},
        "LATEST_NEXT_SQL": {"guild": guild, "user": reader, **EARLY},
        "STORY_NEXT_SQL": {"user": reader, "story": story, "chapter": 1, "page": 1, **EARLY},
        "PAGE_AT_SQL": {"story": story, "chapter": 1, "page": 1},
        "PAGE_AFTER_SQL": {"story": story, "chapter": 1, "page": 0, **EARLY},
        "PAGE_BEFORE_SQL": {"story": story, "chapter": 2, "page": 1, **EARLY},
        "LAST_PAGE_OF_CHAPTER_SQL": {"story": story, "chapter": 1, **EARLY},
        "RELEASED_CHAPTERS_SQL": {"story": story, "limit": 25, "offset": 0, **EARLY},
        "RELEASED_CHAPTER_SQL": {"story": story, "chapter": 1, **EARLY},
        "STORY_CHANNELS_SQL": {"story": story, **EARLY},
        "NEW_CHAPTERS_SQL": {"story": story, "after": 0, "since": 0, "limit": 25, **EARLY},
        "PAGES_READ_SQL": {"story": story, "chapter": 1, "page": 1, **EARLY},
        "CHAPTER_READERS_SQL": {"chapter_id": chapter_id},
    }
