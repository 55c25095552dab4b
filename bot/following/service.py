"""Following use cases: follow/unfollow, the reader's list, DM settings, and delivery planning.

Delivery itself (sending the DMs) happens in the cog, which calls `plan_release` from the
`chapter_released` outbox subscriber and `claim` / `sent` / `closed_dms` / `retry` around each
DM it sends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.actor import Actor
from bot.early_access.windows import EarlyWindows
from bot.following.policy import (
    ChannelFacts,
    may_see,
    require_may_follow,
    require_may_set_follow_dm,
)
from bot.following.records import DeliveryRecord, FollowerCounts, FollowRecord
from bot.following.repository import FollowRepository
from bot.sharding import ShardSet
from bot.storage import Database
from bot.storage.repository import unix_now
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

LEASE_S = 60  # how long a claimed delivery is ours; a crashed sender's claim lapses after it
MAX_ATTEMPTS = 5  # transient failures; a closed-DMs refusal gets at most one retry


@dataclass(frozen=True)
class FollowedStory:
    """One line of /following: the story, when it next releases, whether DMs reach the reader."""

    story_id: int
    title: str
    next_release_at: int | None
    dms_closed: bool


@dataclass(frozen=True)
class DeliveryChapter:
    """A chapter listed in a release DM."""

    chapter_id: int
    number: int
    label: str
    title: str | None
    channel_id: int | None  # where its first page was posted (for the jump URL)
    message_id: int | None


@dataclass(frozen=True)
class DeliveryPlan:
    """A claimed DM: who gets it, about which story and chapters."""

    delivery: DeliveryRecord
    story: StoryRecord
    chapters: tuple[DeliveryChapter, ...]

    @property
    def early(self) -> bool:
        """True for an early-access DM (its chapters are not public yet)."""
        return self.delivery.early


class FollowingService:
    """The following feature's use cases over one database."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], int] = unix_now,
        lease_s: int = LEASE_S,
        shards: ShardSet | None = None,
    ) -> None:
        self.lease_s = lease_s
        self.shards = shards
        self.repo = FollowRepository(db, clock=clock)
        self.stories = StoryRepository(db, clock=clock)
        self.early = EarlyWindows(db, clock=clock)
        self.clock = clock

    async def follow(self, user_id: int, story: StoryRecord, facts: ChannelFacts) -> bool:
        """Follow a story the reader can see; True if new (False: already, DMs re-opened)."""
        require_may_follow(story, facts)
        return await self.repo.follow(story.guild_id, user_id, story.id)

    async def unfollow(self, user_id: int, story: StoryRecord) -> bool:
        """Stop following; True if the reader was following."""
        return await self.repo.unfollow(user_id, story.id)

    async def toggle(self, user_id: int, story: StoryRecord, facts: ChannelFacts) -> bool:
        """The 🔔 button: follow if not following, else unfollow; True if now following."""
        if await self.repo.get(user_id, story.id) is not None:
            await self.repo.unfollow(user_id, story.id)
            return False
        await self.follow(user_id, story, facts)
        return True

    async def following(self, guild_id: int, user_id: int) -> list[FollowedStory]:
        """The reader's followed stories in a server, with next release and DM state."""
        found: list[FollowedStory] = []
        for follow in await self.repo.follows_of(guild_id, user_id):
            story = await self.stories.get(follow.story_id)
            if story is None:
                continue
            next_at = await self.repo.next_release_at(story.id)
            found.append(FollowedStory(story.id, story.title, next_at, not follow.deliverable))
        return found

    async def set_dms(self, guild_id: int, user_id: int, on: bool) -> None:
        """`/dms on|off` for this server."""
        await self.repo.set_dms(guild_id, user_id, on)

    async def set_follow_dm(self, actor: Actor, story: StoryRecord, on: bool) -> None:
        """`/settings follow-dm`: authors turn a story's release DMs on or off."""
        await require_may_set_follow_dm(self.stories, story, actor)
        await self.repo.set_follow_dm(story.id, on)

    async def counts(self, story_id: int) -> FollowerCounts:
        """Followers and closed-DM followers, for /stats."""
        return await self.repo.counts(story_id)

    async def get_follow(self, user_id: int, story_id: int) -> FollowRecord | None:
        """One follow, if any."""
        return await self.repo.get(user_id, story_id)

    # -- delivery ----------------------------------------------------------------------------

    async def release_recipients(self, story_id: int) -> tuple[StoryRecord, list[int]] | None:
        """The story and the followers a release might DM, or None when DMs are off for it."""
        story = await self.stories.get(story_id)
        if story is None or not await self.repo.follow_dm(story_id):
            return None
        return story, await self.repo.deliverable_followers(story_id)

    async def plan_release(
        self, release_id: int, story: StoryRecord, visibility: Mapping[int, ChannelFacts]
    ) -> int:
        """Record one pending DM per follower who can see the story, for the release's run;
        returns how many are new (the run's other chapters add none). A follower already DMed
        about this chapter (its early DM, whichever run that was for) gets none for it."""
        found = await self.repo.release_of(release_id)
        if found is None:
            return 0
        run_at, chapter_id = found
        users = [user for user, facts in visibility.items() if may_see(story, facts)]
        return await self.repo.add_deliveries(
            run_at, story.id, story.guild_id, users, chapter_id=chapter_id
        )

    async def plan_early(
        self, run_at: int, story: StoryRecord, visibility: Mapping[int, ChannelFacts]
    ) -> int:
        """Early access opened for the run at `run_at`: record one pending early DM per
        follower holding the role (the cog hands in only those) who can see the story. The
        chapters it lists are claimed for the follower when it is sent, so no public DM (of
        this run or any other) lists them again."""
        users = [user for user, facts in visibility.items() if may_see(story, facts)]
        return await self.repo.add_deliveries(run_at, story.id, story.guild_id, users, "early")

    async def claim(self, limit: int) -> list[DeliveryPlan]:
        """Claim pending DMs with what they list; deliveries of vanished stories are skipped."""
        plans: list[DeliveryPlan] = []
        for delivery in await self.repo.claim(limit, self.lease_s, self.shards):
            story = await self.stories.get(delivery.story_id)
            chapters = await self._chapters(delivery)
            if story is None or not chapters:
                await self.repo.finish(delivery.id, "skipped")
                continue
            plans.append(DeliveryPlan(delivery, story, chapters))
        return plans

    async def _chapters(self, delivery: DeliveryRecord) -> tuple[DeliveryChapter, ...]:
        wanted = set(await self.repo.run_chapters(delivery.story_id, delivery.run_at) or [])
        if not wanted and delivery.early:  # not released yet: the run's planned chapters
            wanted = await self._early_chapters(delivery)
        # Exactly once per (follower, chapter): keep only the chapters this DM claims.
        wanted = await self.repo.cover(delivery, sorted(wanted)) if wanted else set()
        found = []
        for chapter in await self.stories.chapters(delivery.story_id):
            if chapter.id not in wanted:
                continue
            pages = await self.stories.pages(chapter.id)
            first = pages[0] if pages else None
            found.append(
                DeliveryChapter(
                    chapter.id,
                    chapter.number,
                    chapter.label or f"Chapter {chapter.number}",
                    chapter.title,
                    first.channel_id if first else None,
                    first.message_id if first else None,
                )
            )
        return tuple(sorted(found, key=lambda c: c.number))

    async def _early_chapters(self, delivery: DeliveryRecord) -> set[int]:
        """The chapters the run will release, while its early access is still open."""
        story = await self.stories.get(delivery.story_id)
        setting = await self.early.setting(delivery.story_id)
        if story is None or setting is None:
            return set()
        for run in await self.early.runs(story, setting):
            if run.run_at == delivery.run_at:
                return set(run.chapter_ids)
        return set()

    async def sent(self, delivery: DeliveryRecord, message_id: int) -> None:
        """Discord accepted the DM: it is done."""
        await self.repo.finish(delivery.id, "sent", message_id)

    async def closed_dms(self, delivery: DeliveryRecord) -> bool:
        """Discord refused (50007). The first refusal is retried once; the second marks the
        follow undeliverable. Returns True when the follow was marked."""
        if delivery.attempts < 2:
            await self.repo.retry_later(delivery.id, 5)
            return False
        await self.repo.finish(delivery.id, "undeliverable")
        await self.repo.mark_undeliverable(delivery.user_id, delivery.story_id)
        return True

    async def retry(self, delivery: DeliveryRecord) -> None:
        """A transient failure: try again later, or give up after MAX_ATTEMPTS."""
        if delivery.attempts >= MAX_ATTEMPTS:
            await self.repo.finish(delivery.id, "failed")
        else:
            await self.repo.retry_later(delivery.id, min(300, 2**delivery.attempts))

    async def skip(self, delivery: DeliveryRecord) -> None:
        """Nothing to send any more (the reader left, DMs were turned off...)."""
        await self.repo.finish(delivery.id, "skipped")
