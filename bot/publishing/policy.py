"""Who may publish a story where: the rules `/publish` and `/schedule add` share.

Being an author is decided by `bot.stories.policy`; this adds what the member must be able to
do in the target channel themselves, so the bot never posts where they could not.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import NotAllowed
from bot.i18n import N_


@dataclass(frozen=True)
class PublisherFacts:
    """What the cog read off Discord about a member and a target channel."""

    channel_id: int
    can_post: bool  # view and send in the channel
    notify_role_id: int | None = None
    role_mentionable: bool = True
    mention_everyone: bool = False


def require_may_publish(facts: PublisherFacts) -> None:
    """Refuse unless the member may post in the target and mention the story's notify role."""
    if not facts.can_post:
        raise NotAllowed(
            N_("You can't post in {channel}, so you can't publish there."),
            hint=N_("Pick a channel you can post in."),
            params={"channel": f"<#{facts.channel_id}>"},
        )
    if facts.notify_role_id and not facts.role_mentionable and not facts.mention_everyone:
        raise NotAllowed(
            N_("The story pings {role}, which you may not mention."),
            hint=N_("Ask a server admin, or clear it with `/settings notify-role`."),
            params={"role": f"<@&{facts.notify_role_id}>"},
        )
