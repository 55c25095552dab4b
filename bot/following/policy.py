"""Who may follow, who gets a DM, and who may change a story's follow DMs: the one place.

Visibility is computed by the cog from Discord permissions and handed in as plain facts
(`ChannelFacts`), so these rules never see discord objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.actor import Actor
from bot.errors import NotAllowed
from bot.stories.authoring import needs_age_restriction
from bot.stories.policy import require_author
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository


@dataclass(frozen=True)
class ChannelFacts:
    """What Discord says about one member and a story's channel."""

    can_view: bool  # the member has View Channel there (or the story has no channel yet)
    age_restricted: bool  # the channel is age-restricted (NSFW)


def may_see(story: StoryRecord, facts: ChannelFacts) -> bool:
    """A reader sees a story when they can view its channel, age-restricted for Mature/Explicit."""
    if not facts.can_view:
        return False
    return not needs_age_restriction(story.rating) or facts.age_restricted


def require_may_follow(story: StoryRecord, facts: ChannelFacts) -> None:
    """Refuse following a story the reader cannot see."""
    if not may_see(story, facts):
        raise NotAllowed(
            f"You can't see the channel of “{story.title}”, so you can't follow it.",
            hint="Ask the server's moderators for access.",
        )


async def require_may_set_follow_dm(
    stories: StoryRepository, story: StoryRecord, actor: Actor
) -> None:
    """Only the story's authors (and Manage Server) turn its follow DMs on or off."""
    await require_author(stories, story, actor)
