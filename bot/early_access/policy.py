"""Who may change a story's early access, and what a valid setting is: the one place."""

from __future__ import annotations

from bot.actor import Actor
from bot.early_access.records import MAX_HOURS
from bot.errors import InvalidInput
from bot.stories.policy import require_author
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository


async def require_may_set_early_access(
    stories: StoryRepository, story: StoryRecord, actor: Actor
) -> None:
    """Only the story's authors (and Manage Server) set its early access."""
    await require_author(stories, story, actor)


def check_hours(hours: int) -> None:
    """Refuse a negative or too long window (0 turns early access off)."""
    if hours < 0 or hours > MAX_HOURS:
        raise InvalidInput(
            "Early access is 1 to {max} hours before the release (0 turns it off).",
            params={"max": MAX_HOURS},
        )
