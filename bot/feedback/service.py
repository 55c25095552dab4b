"""Feedback use cases (discord-free): reactions, private notes, settings and digests.

Statistics (`/stats`) are built in `bot.feedback.stats`; the reaction-set rules live in
`bot.feedback.emoji`. Cogs pass plain ids and text in and get records or text back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from bot.actor import Actor
from bot.errors import InvalidInput, NotAllowed, NotFound, Translates
from bot.feedback.emoji import DEFAULT_REACTIONS, parse_reaction_set
from bot.feedback.note_key import new_key, sender_hash
from bot.feedback.repository import (
    DIGEST_FREQUENCIES,
    FeedbackRepository,
    FeedbackSettings,
    NoteChannel,
    NoteRecord,
    PageRef,
)
from bot.i18n import SOURCE
from bot.storage import Database
from bot.storage.repository import unix_now
from bot.stories.policy import require_author
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

NOTE_MAX_CHARS = 4000
# A sender may write this many notes per window (all stories together): enough for real
# feedback, too few to flood an author's DMs.
NOTE_LIMIT = 5
NOTE_WINDOW_S = 3600
DIGEST_PERIODS: dict[str, int] = {"daily": 86_400, "weekly": 7 * 86_400}


@dataclass(frozen=True)
class NoteTarget:
    """Where a note goes: the story's authors (by DM) and, failing that, its feedback channel."""

    story: StoryRecord
    chapter_number: int | None
    author_ids: tuple[int, ...]
    channel_id: int | None


@dataclass(frozen=True)
class Digest:
    """What happened to a story in one period, for the authors' digest DM."""

    story: StoryRecord
    frequency: str
    since: int
    until: int
    new_readers: int
    active_readers: int
    reactions: tuple[tuple[str, int], ...]
    notes: int


class FeedbackService:
    """Reactions, notes, feedback settings and digests over one database."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], int] = unix_now,
        digest_periods: dict[str, int] | None = None,
        note_key: str | None = None,
    ) -> None:
        # The bot passes the configured key (bot.feedback.note_key); without one (tests, tools
        # that never take notes) a random key lives as long as this service.
        self._note_key = note_key or new_key()
        self.repo = FeedbackRepository(db, clock=clock)
        self.stories = StoryRepository(db, clock=clock)
        self.clock = clock
        # Injectable so tests can use short periods.
        self.digest_periods = dict(digest_periods or DIGEST_PERIODS)

    # -- reactions --------------------------------------------------------------------------

    async def reaction_set(self, story_id: int) -> tuple[str, ...]:
        """The story's reaction set (the default one unless the authors chose another)."""
        settings = await self.repo.settings(story_id)
        return settings.reaction_set or DEFAULT_REACTIONS

    async def auto_react_set(self, story_id: int) -> tuple[str, ...]:
        """The emojis to add under a chapter's last page: the set if auto-react is on, else ()."""
        settings = await self.repo.settings(story_id)
        if not settings.auto_react:
            return ()
        return settings.reaction_set or DEFAULT_REACTIONS

    async def reaction_added(
        self, guild_id: int | None, message_id: int, user_id: int, emoji: str
    ) -> PageRef | None:
        """Record a reader's reaction if the message is a page the bot posted in that guild."""
        page = await self._page(guild_id, message_id)
        if page is not None:
            await self.repo.add_reaction(page, message_id, user_id, emoji, self.clock())
        return page

    async def reaction_removed(
        self, guild_id: int | None, message_id: int, user_id: int, emoji: str
    ) -> bool:
        """Record a reaction as removed; False when it was never recorded."""
        if await self._page(guild_id, message_id) is None:
            return False
        return await self.repo.remove_reaction(message_id, user_id, emoji, self.clock())

    async def _page(self, guild_id: int | None, message_id: int) -> PageRef | None:
        page = await self.repo.page_for_message(message_id)
        if page is None or guild_id is None or page.guild_id != guild_id:
            return None
        return page

    # -- settings (authors only) ------------------------------------------------------------

    async def set_reactions(
        self, actor: Actor, story: StoryRecord, text: str, guild_emoji_ids: Collection[int]
    ) -> tuple[str, ...]:
        """Replace the story's reaction set with the emojis in `text`."""
        await require_author(self.stories, story, actor)
        chosen = parse_reaction_set(text, guild_emoji_ids)
        await self.repo.update_settings(story.id, reaction_set=chosen)
        return chosen

    async def set_auto_react(
        self, actor: Actor, story: StoryRecord, enabled: bool
    ) -> FeedbackSettings:
        """Turn on or off adding the reaction set under each chapter's last page."""
        await require_author(self.stories, story, actor)
        return await self.repo.update_settings(story.id, auto_react=enabled)

    async def set_feedback_channel(
        self,
        actor: Actor,
        story: StoryRecord,
        channel_id: int | None,
        *,
        problem: str | None = None,
    ) -> FeedbackSettings:
        """Send the story's notes to a channel (None: to the authors' DMs only).

        `problem` is what the adapter found wrong with the channel (the member can't see it, the
        bot can't post there); it is refused after the authorship check.
        """
        await require_author(self.stories, story, actor)
        if channel_id is not None and problem is not None:
            raise InvalidInput(problem, hint="Grant it, or pick another channel.")
        return await self.repo.update_settings(story.id, feedback_channel_id=channel_id)

    async def set_digest(
        self, actor: Actor, story: StoryRecord, frequency: str
    ) -> FeedbackSettings:
        """Choose the digest frequency; the first digest covers from now to one period ahead."""
        await require_author(self.stories, story, actor)
        if frequency not in DIGEST_FREQUENCIES:
            raise InvalidInput(
                "“{frequency}” is not a digest frequency.",
                hint="Use daily, weekly or off.",
                params={"frequency": frequency},
            )
        if frequency == "off":
            return await self.repo.update_settings(
                story.id, digest_frequency="off", next_digest_at=None
            )
        now = self.clock()
        return await self.repo.update_settings(
            story.id,
            digest_frequency=frequency,
            last_digest_at=now,
            next_digest_at=now + self.digest_periods[frequency],
        )

    async def settings(self, story_id: int) -> FeedbackSettings:
        """A story's feedback settings."""
        return await self.repo.settings(story_id)

    # -- notes ------------------------------------------------------------------------------

    async def note_target(self, guild_id: int | None, story_id: int, chapter: int) -> NoteTarget:
        """Check a feedback button's story and chapter (untrusted custom_id) and say where
        notes on it go. Only released chapters of this guild's stories take notes.
        """
        story = await self.stories.get(story_id)
        if story is None or guild_id is None or story.guild_id != guild_id:
            raise NotFound("That story is not available here any more.")
        record = await self.stories.chapter(story_id, chapter)
        if record is None or not record.released:
            raise NotFound("That chapter is not released.", hint="Feedback opens once it is.")
        authors = tuple(a.user_id for a in await self.stories.authors(story_id))
        settings = await self.repo.settings(story_id)
        return NoteTarget(story, chapter, authors, settings.feedback_channel_id)

    async def submit_note(
        self, target: NoteTarget, user_id: int, text: str, *, anonymous: bool
    ) -> NoteRecord:
        """Store a reader's note (no user id in clear when anonymous); limits apply."""
        body = text.strip()
        if not body:
            raise InvalidInput("The note is empty.", hint="Write something for the author.")
        if len(body) > NOTE_MAX_CHARS:
            raise InvalidInput(
                "A note can be at most {limit} characters.", params={"limit": f"{NOTE_MAX_CHARS:,}"}
            )
        story = target.story
        if user_id in target.author_ids:
            raise NotAllowed("You are an author of this story; notes are for its readers.")
        sender = await self.sender_hash(story.guild_id, user_id)
        now = self.clock()
        if await self.repo.notes_sent_since(sender, now - NOTE_WINDOW_S) >= NOTE_LIMIT:
            raise NotAllowed(
                "You have sent {n} note in the last hour.",
                plural="You have sent {n} notes in the last hour.",
                hint="Try again later.",
                params={"n": NOTE_LIMIT},
            )
        chapter = await self.stories.chapter(story.id, target.chapter_number or 0)
        return await self.repo.add_note(
            story.guild_id,
            story.id,
            chapter.id if chapter else None,
            author_user_id=None if anonymous else user_id,
            sender_hash=sender,
            text=body,
            at=now,
        )

    async def sender_hash(self, guild_id: int, user_id: int) -> str:
        """A keyed hash standing for a sender: stable for limits, not reversible to a user id."""
        return sender_hash(self._note_key, guild_id, user_id)

    async def delivered(self, note: NoteRecord, via: NoteChannel) -> None:
        """Record that a note reached an author (dm) or the feedback channel."""
        await self.repo.mark_delivered(note.id, via, self.clock())

    async def pending_notes(self, story_id: int) -> list[NoteRecord]:
        """Notes that reached nobody yet."""
        return await self.repo.pending_notes(story_id)

    async def tell_pending(self, story_id: int) -> int:
        """How many waiting notes the authors have not been told about; marks them told."""
        untold = [n for n in await self.repo.pending_notes(story_id) if n.told_at is None]
        if untold:
            await self.repo.mark_told((n.id for n in untold), self.clock())
        return len(untold)

    async def chapter_number(self, note: NoteRecord) -> int | None:
        """The number of the chapter a note is about."""
        if note.chapter_id is None:
            return None
        chapter = await self.stories.chapter_by_id(note.chapter_id)
        return chapter.number if chapter else None

    # -- digests ----------------------------------------------------------------------------

    async def digest_schedule(self) -> list[FeedbackSettings]:
        """Every story with a digest on, with its next time (for arming jobs at start-up)."""
        return await self.repo.digest_settings()

    async def run_digest(self, story_id: int) -> Digest | None:
        """Build the digest for the period since the last one and move the schedule on.

        None when the story is gone or its digest is off.
        """
        settings = await self.repo.settings(story_id)
        story = await self.stories.get(story_id)
        if story is None or settings.digest_frequency == "off":
            return None
        period = self.digest_periods[settings.digest_frequency]
        now = self.clock()
        since = settings.last_digest_at if settings.last_digest_at is not None else now - period
        digest = await self.digest(story, since, now, settings.digest_frequency)
        await self.repo.update_settings(story_id, last_digest_at=now, next_digest_at=now + period)
        return digest

    async def digest(self, story: StoryRecord, since: int, until: int, frequency: str) -> Digest:
        """What happened to a story in [since, until)."""
        reactions = await self.repo.reactions_added_between(story.id, since, until)
        order = await self.reaction_set(story.id)
        rank = {emoji: index for index, emoji in enumerate(order)}
        reactions.sort(key=lambda pair: (rank.get(pair[0], len(rank)), -pair[1], pair[0]))
        return Digest(
            story=story,
            frequency=frequency,
            since=since,
            until=until,
            new_readers=await self.repo.new_readers_between(story.id, since, until),
            active_readers=await self.repo.active_readers_between(story.id, since, until),
            reactions=tuple(reactions),
            notes=len(await self.repo.notes_between(story.id, since, until)),
        )

    async def author_ids(self, story_id: int) -> tuple[int, ...]:
        """Who gets a story's digests and notes."""
        return tuple(a.user_id for a in await self.stories.authors(story_id))


def digest_text(digest: Digest, t: Translates = SOURCE) -> str:
    """The digest DM, in plain words, in `t`'s language (the server's: a DM has no locale)."""
    params = {"title": digest.story.title, "since": f"<t:{digest.since}:f>"}
    heading = (
        t.gettext("📰 Your daily digest for “{title}” (since {since}):", **params)
        if digest.frequency == "daily"
        else t.gettext("📰 Your weekly digest for “{title}” (since {since}):", **params)
    )
    reactions = " ".join(f"{emoji} {count}" for emoji, count in digest.reactions)
    lines = [
        heading,
        t.gettext("• New readers: {count}", count=digest.new_readers),
        t.gettext("• Readers active: {count}", count=digest.active_readers),
        t.gettext("• Reactions: {reactions}", reactions=reactions or t.gettext("no new reactions")),
        t.gettext("• Notes received: {count}", count=digest.notes),
    ]
    return "\n".join(lines)
