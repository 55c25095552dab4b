"""Authoring use cases (discord-free): storing stories, changing them, and their settings.

The cogs read facts off Discord (who is asking, what a channel is, whether a role may be
mentioned) and hand them in as plain values; every rule about them lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.actor import Actor
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.events import EventBus, StoryDeleted
from bot.i18n import N_
from bot.scheduling import parse_zone
from bot.settings.records import MISSED_RELEASE_POLICIES
from bot.settings.repository import SettingsRepository
from bot.storage import Database
from bot.stories.accounting import WordAccount, account
from bot.stories.chapters import ChapterSync, NewChapter, StoryCounts
from bot.stories.importers import check_upload as check_upload  # the cogs' entry point
from bot.stories.importers import import_story
from bot.stories.model import Chapter, Story
from bot.stories.paginate import paginate, paginate_story, style_limit
from bot.stories.policy import require_author, require_manager, require_upload_role
from bot.stories.records import CHANNEL_MODES, ChapterRecord, PageRecord, StoryRecord
from bot.stories.render import render_chapter
from bot.stories.repository import StoryRepository
from bot.stories.serialize import blocks_to_json

RATINGS: tuple[str, ...] = (
    "General Audiences",
    "Teen And Up Audiences",
    "Mature",
    "Explicit",
    "Not Rated",
)
AGE_RESTRICTED_RATINGS = frozenset({"mature", "explicit"})
CLEAR_WORDS = frozenset({"none", "-", ""})  # Discord cannot send an empty option to clear one
ChannelKind = Literal["text", "announcement", "forum", "other"]


@dataclass(frozen=True)
class PreparedStory:
    """An imported story and its rendered pages (one list per chapter), ready to store."""

    story: Story
    pages: list[list[str]]
    style: str
    words: WordAccount | None = None  # the source's words and how many the import accounts for

    @property
    def page_count(self) -> int:
        """Pages in all chapters."""
        return sum(len(chapter_pages) for chapter_pages in self.pages)

    def new_chapters(self) -> list[NewChapter]:
        """The chapters as the repository stores them."""
        return [
            NewChapter(chapter, blocks_to_json(chapter.blocks), tuple(pages))
            for chapter, pages in zip(self.story.chapters, self.pages, strict=True)
        ]


@dataclass(frozen=True)
class StorySummary:
    """A stored story with its size and its authors (owner first)."""

    story: StoryRecord
    counts: StoryCounts
    author_ids: tuple[int, ...]


@dataclass(frozen=True)
class ChannelFacts:
    """What the cog read off Discord about a channel an author wants to post into."""

    id: int
    kind: ChannelKind
    nsfw: bool
    member_can_post: bool


@dataclass(frozen=True)
class ChapterPreview:
    """One chapter's stored pages, exactly as they will be posted."""

    chapter: ChapterRecord
    pages: list[PageRecord]
    chapter_numbers: list[int]
    chapter_titles: list[str | None]


def prepare_story(
    raw: bytes,
    filename: str,
    style: str,
    *,
    warnings: Sequence[str] | None = None,
    chapter_word: str = "Chapter",
) -> PreparedStory:
    """Import and paginate an upload (CPU-heavy: run it in a thread).

    `warnings` overrides the file's own warnings (an update keeps the stored story's).
    """
    style_limit(style)  # refuse an unknown style before the expensive part
    story = import_story(raw, filename)
    words = account(story)  # before `warnings` replaces what the file said
    if warnings is not None:
        story.warnings = list(warnings)
    return PreparedStory(story, paginate_story(story, style, chapter_word), style, words)


def render_pages(chapter: Chapter, style: str, warnings: Sequence[str]) -> list[str]:
    """A chapter's pages for `style`, with `warnings` on its first page (chapter 1 only)."""
    return paginate(render_chapter(chapter, warnings=warnings), style_limit(style))


def needs_age_restriction(rating: str | None) -> bool:
    """True for ratings that may only be posted into age-restricted channels."""
    return (rating or "").strip().casefold() in AGE_RESTRICTED_RATINGS


def split_list(text: str | None) -> list[str]:
    """A comma-separated option as a clean list; "none" (or "-") means an empty list."""
    if (text or "").strip().casefold() in CLEAR_WORDS:
        return []
    return [item.strip() for item in (text or "").split(",") if item.strip()]


class Authoring:
    """Story and settings use cases over one database."""

    def __init__(self, db: Database, *, bus: EventBus | None = None) -> None:
        self.stories = StoryRepository(db)
        self.settings = SettingsRepository(db)
        self.bus = bus  # told when a story is deleted

    # -- stories ----------------------------------------------------------------------------

    async def check_author(self, actor: Actor, story: StoryRecord) -> None:
        """Refuse unless the actor is an author of `story` or has Manage Server."""
        await require_author(self.stories, story, actor)

    async def check_owner(self, actor: Actor, story: StoryRecord) -> None:
        """Refuse unless the actor owns `story` or has Manage Server."""
        await require_author(self.stories, story, actor, owner_only=True)

    async def may_upload(self, actor: Actor) -> None:
        """Refuse members without the server's author role (Manage Server members may always)."""
        require_upload_role(actor, (await self.settings.get_guild(actor.guild_id)).author_role_id)

    async def upload(self, actor: Actor, prepared: PreparedStory) -> StorySummary:
        """Store an imported story (all or nothing) with the actor as its owner."""
        await self.may_upload(actor)
        record = await self.stories.create_story(
            actor.guild_id,
            actor.user_id,
            prepared.story,
            prepared.pages,
            prepared.style,  # type: ignore[arg-type]
        )
        return await self.summary(record)

    async def summary(self, story: StoryRecord) -> StorySummary:
        """A story's size and authors."""
        counts = await self.stories.story_counts(story.id)
        authors = tuple(a.user_id for a in await self.stories.authors(story.id))
        return StorySummary(story, counts, authors)

    async def list_stories(self, guild_id: int) -> list[StorySummary]:
        """Every story of a server, by title."""
        return [await self.summary(s) for s in await self.stories.list_for_guild(guild_id)]

    async def update(
        self, actor: Actor, story: StoryRecord, prepared: PreparedStory
    ) -> ChapterSync:
        """Sync unreleased chapters to the new file (released stay) and store its skipped parts."""
        await require_author(self.stories, story, actor)
        chapters, skipped = prepared.new_chapters(), prepared.story.skipped
        return await self.stories.sync_chapters(story.id, chapters, skipped=skipped)

    async def edit(
        self,
        actor: Actor,
        story: StoryRecord,
        *,
        title: str | None = None,
        summary: str | None = None,
        rating: str | None = None,
        warnings: str | None = None,
        tags: str | None = None,
    ) -> tuple[StoryRecord, bool]:
        """Change metadata; returns the story and whether chapter 1's pages were re-rendered.

        Only the warnings appear in the pages (on chapter 1's first page), so only a warnings
        change re-renders, and only while chapter 1 is unreleased.
        """
        await require_author(self.stories, story, actor)
        fields: dict[str, object] = {}
        if title is not None:
            if not title.strip():
                raise InvalidInput(N_("A title cannot be empty."))
            fields["title"] = title.strip()
        if summary is not None:
            fields["summary"] = summary.strip() or None
        if rating is not None:
            if rating not in RATINGS:
                raise InvalidInput(
                    N_("Unknown rating “{rating}”."),
                    hint=N_("Pick one from the list."),
                    params={"rating": rating},
                )
            fields["rating"] = rating
        if warnings is not None:
            fields["warnings"] = split_list(warnings)
        if tags is not None:
            fields["tags"] = split_list(tags)
        if not fields:
            raise InvalidInput(
                N_("Nothing to change."), hint=N_("Give at least one option to edit.")
            )
        updated = await self.stories.update_metadata(story.id, **fields)
        if updated is None:
            raise NotFound(N_("That story was deleted meanwhile."))
        rerendered = False
        if "warnings" in fields and tuple(fields["warnings"]) != story.warnings:  # type: ignore[arg-type]
            rerendered = await self._rerender_first_chapter(updated)
        return updated, rerendered

    async def _rerender_first_chapter(self, story: StoryRecord) -> bool:
        chapters = await self.stories.chapters(story.id)
        if not chapters:
            return False
        first = chapters[0]
        model = first.to_chapter()
        return await self.stories.replace_pages(
            first.id, render_pages(model, story.style, story.warnings)
        )

    async def delete(self, actor: Actor, story: StoryRecord) -> None:
        """Delete a story and everything hanging off it (owner or Manage Server only)."""
        await require_author(self.stories, story, actor, owner_only=True)
        if await self.stories.delete(story.id) and self.bus is not None:
            await self.bus.publish(StoryDeleted(story.id, story.guild_id))

    async def add_author(
        self, actor: Actor, story: StoryRecord, user_id: int, *, is_bot: bool = False
    ) -> None:
        """Make a member a co-author (owner or Manage Server only)."""
        await require_author(self.stories, story, actor, owner_only=True)
        if is_bot:
            raise InvalidInput(N_("Bots cannot be co-authors."))
        if not await self.stories.add_author(story.id, user_id):
            raise InvalidInput(
                N_("{user} is already an author of “{title}”."),
                params={"user": f"<@{user_id}>", "title": story.title},
            )

    async def remove_author(self, actor: Actor, story: StoryRecord, user_id: int) -> None:
        """Remove a co-author (owner or Manage Server only); the owner cannot be removed."""
        await require_author(self.stories, story, actor, owner_only=True)
        if user_id == story.owner_id:
            raise InvalidInput(N_("The owner cannot be removed from their story."))
        if not await self.stories.remove_author(story.id, user_id):
            raise NotFound(
                N_("{user} is not a co-author of “{title}”."),
                params={"user": f"<@{user_id}>", "title": story.title},
            )

    async def preview(self, actor: Actor, story: StoryRecord, number: int) -> ChapterPreview:
        """A chapter's stored pages for its authors, released or not."""
        await require_author(self.stories, story, actor)
        chapters = await self.stories.chapters(story.id)
        numbers = [c.number for c in chapters]
        chapter = next((c for c in chapters if c.number == number), None)
        if chapter is None:
            raise NotFound(
                N_("“{title}” has no chapter {number}."),
                hint=N_("It has chapters {first}–{last}.") if numbers else None,
                params={
                    "title": story.title,
                    "number": number,
                    "first": numbers[0] if numbers else 0,
                    "last": numbers[-1] if numbers else 0,
                },
            )
        titles = [c.title for c in chapters]
        return ChapterPreview(chapter, await self.stories.pages(chapter.id), numbers, titles)

    # -- story settings ---------------------------------------------------------------------

    async def set_channel(
        self, actor: Actor, story: StoryRecord, channel: ChannelFacts, mode: str
    ) -> StoryRecord:
        """Set where a story is posted, after checking the channel suits the mode and rating."""
        await require_author(self.stories, story, actor)
        if mode not in CHANNEL_MODES:
            raise InvalidInput(
                N_("Unknown mode “{mode}”."),
                hint=N_("Use messages, thread or forum."),
                params={"mode": mode},
            )
        if mode == "forum" and channel.kind != "forum":
            raise InvalidInput(
                N_("{channel} is not a forum channel, so forum mode cannot post there."),
                hint=N_("Pick a forum channel, or use mode messages or thread."),
                params={"channel": f"<#{channel.id}>"},
            )
        if mode != "forum" and channel.kind not in ("text", "announcement"):
            raise InvalidInput(
                N_("Mode {mode} needs a text or announcement channel; {channel} is not one."),
                hint=N_("Use mode forum for forum channels."),
                params={"mode": mode, "channel": f"<#{channel.id}>"},
                terms=("mode",),
            )
        if not channel.member_can_post:
            raise NotAllowed(
                N_("You cannot post in {channel}, so the story cannot go there."),
                params={"channel": f"<#{channel.id}>"},
            )
        if needs_age_restriction(story.rating) and not channel.nsfw:
            raise NotAllowed(
                N_(
                    "“{title}” is rated {rating}; it can only be posted in an age-restricted "
                    "channel and {channel} is not one."
                ),
                hint=N_("Pick an age-restricted channel, or mark this one age-restricted."),
                params={
                    "title": story.title,
                    "rating": story.rating,
                    "channel": f"<#{channel.id}>",
                },
                terms=("rating",),
            )
        return await self._update(story, channel_id=channel.id, channel_mode=mode)

    async def set_notify_role(
        self, actor: Actor, story: StoryRecord, role_id: int | None, *, may_mention: bool = True
    ) -> StoryRecord:
        """Set (or with None, clear) the role pinged when a chapter is released."""
        await require_author(self.stories, story, actor)
        if role_id is not None and role_id == actor.guild_id:
            raise InvalidInput(N_("@everyone cannot be a notify role."), hint=N_("Pick a role."))
        if role_id is not None and not may_mention:
            raise NotAllowed(
                N_(
                    "You cannot mention {role}: it is not mentionable and you lack the "
                    "Mention Everyone permission."
                ),
                hint=N_("Ask an admin to make the role mentionable."),
                params={"role": f"<@&{role_id}>"},
            )
        return await self._update(story, notify_role_id=role_id)

    async def set_silent(self, actor: Actor, story: StoryRecord, enabled: bool) -> StoryRecord:
        """Post the story's chapters without notification sounds (or with them again)."""
        await require_author(self.stories, story, actor)
        return await self._update(story, silent=enabled)

    async def _update(self, story: StoryRecord, **fields: object) -> StoryRecord:
        updated = await self.stories.update_metadata(story.id, **fields)
        if updated is None:
            raise NotFound(N_("That story was deleted meanwhile."))
        return updated

    # -- user and server settings -----------------------------------------------------------

    async def set_user_timezone(self, actor: Actor, text: str) -> str:
        """Set the actor's own zone; returns its IANA name."""
        zone = parse_zone(text).key
        await self.settings.set_user_timezone(actor.user_id, zone)
        return zone

    async def set_server_timezone(self, actor: Actor, text: str) -> str:
        """Set the server's zone (Manage Server only); returns its IANA name."""
        require_manager(actor)
        zone = parse_zone(text).key
        await self.settings.set_guild(actor.guild_id, timezone=zone)
        return zone

    async def set_missed_releases(self, actor: Actor, policy: str) -> None:
        """Whether releases missed while the bot was down all go out, or only the latest."""
        require_manager(actor)
        if policy not in MISSED_RELEASE_POLICIES:
            raise InvalidInput(
                N_("Unknown policy “{policy}”."),
                hint=N_("Use all or latest."),
                params={"policy": policy},
            )
        await self.settings.set_guild(actor.guild_id, missed_release_policy=policy)

    async def set_author_role(self, actor: Actor, role_id: int | None) -> None:
        """Restrict uploads to a role (None: everyone may upload). Manage Server only."""
        require_manager(actor)
        if role_id == actor.guild_id:
            role_id = None  # @everyone means no restriction
        await self.settings.set_guild(actor.guild_id, author_role_id=role_id)
