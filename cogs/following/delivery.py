"""Release DMs: plan one delivery per follower who can see the story, then send them paced.

`plan(bot, event)` is the durable (outbox) subscriber of `chapter_released`: it works out from
Discord which followers can see the channel the release went to and records their pending
deliveries (idempotently: a replayed outbox row adds nothing). `DmSender` claims pending
deliveries and sends each as one DM with a nonce (discord.py sends it with `enforce_nonce`, so a
resend after a crash inside Discord's nonce window returns the first message), marking it sent
only once Discord accepted it. A token bucket keeps DMs (two requests each for a new DM channel:
open and send) under the global limit, leaving room for interaction replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord.utils import escape_markdown

from bot.events import ChapterReleased, EarlyAccessOpened
from bot.following.policy import ChannelFacts
from bot.following.service import DeliveryPlan
from bot.i18n import SOURCE, Speaker
from bot.stories.records import StoryRecord
from cogs.following.access import channel_facts, member_of
from cogs.following.views import read_button

if TYPE_CHECKING:
    from bot.client import ChapterBot

log = logging.getLogger(__name__)

CLOSED_DMS = 50007  # "Cannot send messages to this user"
GLOBAL_PER_S = 50.0  # Discord's global limit per bot token
SHARE = 0.9  # of it for DMs: interaction replies are outside it; the rest is for posting
BATCH = 20


FactsOf = Callable[[discord.Guild, discord.Member, StoryRecord], ChannelFacts | None]
"""What a follower can see of a story's release (None: they get no DM)."""


async def _followers(
    bot: ChapterBot, guild_id: int, story_id: int, bucket: TokenBucket | None, facts_of: FactsOf
) -> tuple[StoryRecord, dict[int, ChannelFacts]] | None:
    """The story and `facts_of` each follower still in the server (None: no DMs for it).
    Member lookups Discord must answer are paced by `bucket` (the sender's), like the DMs."""
    found = await bot.services.following.release_recipients(story_id)
    guild = bot.get_guild(guild_id)
    if found is None or guild is None:
        return None
    story, users = found
    visibility: dict[int, ChannelFacts] = {}
    for user_id in users:
        member = await member_of(guild, user_id, bucket.take if bucket else None)
        facts = None if member is None else facts_of(guild, member, story)
        if facts is not None:  # one who left the server (or is not meant to) gets nothing
            visibility[user_id] = facts
    return story, visibility


async def plan(bot: ChapterBot, event: ChapterReleased, bucket: TokenBucket | None = None) -> int:
    """Record the release's pending DMs; returns how many are new."""
    posted_in = event.messages[0].channel_id if event.messages else None

    def facts_of(guild: discord.Guild, member: discord.Member, story: StoryRecord) -> ChannelFacts:
        return channel_facts(guild, member, story, posted_in)  # None: the story's channel

    found = await _followers(bot, event.guild_id, event.story_id, bucket, facts_of)
    if found is None:
        return 0
    return await bot.services.following.plan_release(event.release_id, *found)


async def plan_early(
    bot: ChapterBot, event: EarlyAccessOpened, bucket: TokenBucket | None = None
) -> int:
    """Early access opened for a run: record the early DMs of the followers holding the role
    (asked of Discord now: the role is what counts, when it opens). Returns how many are new."""

    def facts_of(
        guild: discord.Guild, member: discord.Member, story: StoryRecord
    ) -> ChannelFacts | None:
        holds = member.get_role(event.role_id) is not None
        return channel_facts(guild, member, story) if holds else None

    found = await _followers(bot, event.guild_id, event.story_id, bucket, facts_of)
    if found is None:
        return 0
    return await bot.services.following.plan_early(event.run_at, *found)


def jump_url(guild_id: int, channel_id: int, message_id: int) -> str:
    """A message link."""
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def dm_message(plan: DeliveryPlan, t: Speaker = SOURCE) -> dict[str, Any]:
    """The DM: the story, each chapter's label, title and link, and a `Read ▶` button, in the
    server's language (a DM has no interaction to tell the reader's)."""
    story, delivery = plan.story, plan.delivery
    title = escape_markdown(story.title)
    early = plan.early and not any(c.message_id for c in plan.chapters)  # still not public
    lines = [
        t.gettext(
            "🔓 Early access in **{title}**, before the public release {when}:",
            title=title,
            when=f"<t:{delivery.run_at}:R>",
        )
        if early
        else t.gettext("🔔 New in **{title}**:", title=title)
    ]
    for chapter in plan.chapters:
        name = escape_markdown(chapter.label)
        if chapter.title and chapter.title not in chapter.label:
            name += f": {escape_markdown(chapter.title)}"
        if chapter.channel_id and chapter.message_id:
            name += f" — {jump_url(delivery.guild_id, chapter.channel_id, chapter.message_id)}"
        lines.append(f"• {name}")
    view = discord.ui.View(timeout=None)
    view.add_item(read_button(delivery.guild_id, story.id, plan.chapters[0].number, t))
    view.stop()  # routed by the DynamicItem; nothing to keep in discord.py's view store
    return {
        "content": "\n".join(lines)[:2000],
        "view": view,
        "allowed_mentions": discord.AllowedMentions.none(),
        "nonce": delivery.nonce,
    }


class TokenBucket:
    """At most `rate` acquisitions per second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: float = 5.0) -> None:
        self.rate, self.burst = rate, burst
        # A small burst: Discord's global window is one second, and other requests share it.
        self.tokens = burst
        self.at = time.monotonic()

    async def take(self, n: float = 1.0) -> None:
        """Wait until `n` tokens are there, then take them."""
        while True:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= n:
                self.tokens -= n
                return
            await asyncio.sleep((n - self.tokens) / self.rate)


class DmSender:
    """Sends pending release DMs until none are left; `kick()` starts it if idle."""

    def __init__(self, bot: ChapterBot, rate: float = GLOBAL_PER_S * SHARE) -> None:
        self.bot = bot
        self.bucket = TokenBucket(rate)
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def kick(self) -> None:
        """Send what is pending (now, or after the run under way)."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="follow-dms")

    async def stop(self) -> None:
        """Stop sending (a delivery cut short is leased and resent after its lease)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                plans = await self.bot.services.following.claim(BATCH)
            except Exception:
                log.warning("could not claim follow DMs", exc_info=True)
                return
            for plan in plans:
                await self._send(plan)
            if not plans and not self._again:
                return

    async def _send(self, plan: DeliveryPlan) -> None:
        following, delivery = self.bot.services.following, plan.delivery
        voice = await self.bot.server_voice(delivery.guild_id)
        try:
            cached = self.bot._connection._get_private_channel_by_user(delivery.user_id)
            await self.bucket.take(1 if cached else 2)  # a new DM channel costs a request
            channel = cached or await self.bot.create_dm(discord.Object(delivery.user_id))
            message = await channel.send(**dm_message(plan, voice))
        except discord.Forbidden as error:
            if error.code == CLOSED_DMS:
                await following.closed_dms(delivery)
            else:
                await following.retry(delivery)
            return
        except discord.HTTPException:
            log.warning("follow DM %s failed", delivery.id, exc_info=True)
            await following.retry(delivery)
            return
        await following.sent(delivery, message.id)
