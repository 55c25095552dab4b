"""A story's channel, forum or active thread deleted under it.

Its stories pause (so no timer posts into the void), the releases queued for that place fail
with a reason `/doctor` and `/schedule history` show, schedules aimed at it fall back to the
story's channel, and the owner is told once through the outbox (`StoryChannelLost`). After
`/settings channel` picks a new channel, `/schedule resume` carries on there.
"""

from __future__ import annotations

import logging

from bot.events import StoryChannelLost
from bot.outbox import Outbox
from bot.publishing.notes import CHANNEL_GONE, note
from bot.publishing.service import PublishingService
from bot.storage.database import Transaction

log = logging.getLogger(__name__)

_OPEN_RELEASES = "status IN ('pending', 'posting') AND (channel_id = :c OR thread_id = :c)"
_BY_CHANNEL = (
    "channel_id = :c"
    " OR id IN (SELECT story_id FROM schedules WHERE active = 1 AND channel_id = :c)"
    f" OR id IN (SELECT story_id FROM releases WHERE {_OPEN_RELEASES})"
)
_BY_THREAD = f"id IN (SELECT story_id FROM releases WHERE {_OPEN_RELEASES})"


class TargetLoss:
    """What happens to stories when the place they post to is deleted."""

    def __init__(self, service: PublishingService, outbox: Outbox | None) -> None:
        self.service = service
        self.outbox = outbox

    async def channel_deleted(self, channel_id: int) -> list[int]:
        """A channel or forum was deleted; returns the ids of the stories that were paused."""
        return await self._lose(channel_id, _BY_CHANNEL)

    async def thread_deleted(self, thread_id: int) -> list[int]:
        """A thread was deleted: only stories posting into it right now care."""
        return await self._lose(thread_id, _BY_THREAD)

    async def _lose(self, channel_id: int, which: str) -> list[int]:
        params = {"c": channel_id}
        db = self.service.schedules.db
        async with db.transaction() as tx:
            rows = await tx.fetch_all(
                f"SELECT id, guild_id, owner_id, title FROM stories WHERE {which}", params
            )
            if not rows:
                return []
            await self._pause(tx, channel_id, [row[0] for row in rows])
            for story_id, guild_id, owner_id, title in rows:
                if self.outbox is not None:
                    lost = StoryChannelLost(story_id, guild_id, owner_id, channel_id, title)
                    await self.outbox.record(tx, lost)
        stories = [row[0] for row in rows]
        for story_id in stories:
            for schedule in await self.service.schedules.for_story(story_id):
                self.service.disarm(schedule.id)
        log.info("channel %s deleted: paused stories %s", channel_id, stories)
        if self.outbox is not None:
            self.outbox.kick()
        return stories

    async def _pause(self, tx: Transaction, channel_id: int, story_ids: list[int]) -> None:
        """Pause the stories, fail what was queued for the channel, unaim schedules at it."""
        now = self.service.clock()
        for story_id in story_ids:
            await tx.execute(
                "UPDATE stories SET paused = 1, updated_at = :now WHERE id = :id",
                {"id": story_id, "now": now},
            )
        await tx.execute(
            "UPDATE releases SET status = 'failed', last_error = :why, finished_at = :now"
            " WHERE status = 'pending' AND (channel_id = :c OR thread_id = :c)",
            {"c": channel_id, "why": note(CHANNEL_GONE), "now": now},
        )
        await tx.execute(
            "UPDATE schedules SET channel_id = NULL WHERE channel_id = :c", {"c": channel_id}
        )
