"""What the reading use cases return, and who is reading: plain, discord-free values."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.errors import NotFound, UserError
from bot.reading.records import PagePosition, ReleasedChapter
from bot.stories.records import StoryRecord
from bot.text import clip

ADULT_RATINGS = frozenset({"mature", "explicit"})
CHAPTERS_PER_PICKER = 25  # a select menu's option limit
CHOICES_LIMIT = 25
CHOICE_NAME_LIMIT = 100
STORY_PICK_LIMIT = 10
PROGRESS_LIMIT = 10
CATCHUP_LIMIT = 20

ChannelCheck = Callable[[int], Awaitable[bool]]
RoleCheck = Callable[[int, int], Awaitable[bool]]
"""`holds(guild_id, role_id)`: whether the reader holds a role in a server (the cog asks
Discord: the interaction's member in a server, the server's member in DMs)."""


class DirectMessagesClosed(UserError):
    """The bot may not DM this reader."""


@dataclass(frozen=True)
class Reader:
    """Who is reading and from where.

    `guild_id` is None in DMs. `can_view(channel_id)` says whether the reader can see a server
    channel (or a thread's parent); `age_ok` whether they asked from an age-restricted channel;
    `holds_role(guild_id, role_id)` whether they hold a role there (early access; None: no role
    is known, e.g. in tests).
    """

    user_id: int
    guild_id: int | None
    can_view: ChannelCheck
    age_ok: bool = False
    holds_role: RoleCheck | None = None

    @property
    def in_dm(self) -> bool:
        """True when reading in direct messages."""
        return self.guild_id is None


@dataclass(frozen=True)
class PageView:
    """A page to show a reader, with its place in the story."""

    story_id: int
    story_title: str
    style: str
    page: PagePosition
    guild_id: int

    @property
    def footer(self) -> str:
        """The "Chapter x/y · page a/b" line."""
        p = self.page
        return f"Chapter {p.chapter_number}/{p.chapter_count} · page {p.page_number}/{p.page_count}"

    @property
    def at_start(self) -> bool:
        """True on the story's very first page (nothing to go back to)."""
        return self.page.chapter_number <= 1 and self.page.page_number <= 1


@dataclass(frozen=True)
class CaughtUp:
    """The reader has read everything released; `next_release_at` when a release is scheduled.

    `posting_now`: a release of the story is going out right now where the reader can see it,
    so more pages are seconds away (a long chapter takes minutes at Discord's pace).
    """

    story_id: int
    story_title: str
    chapter_number: int
    page_number: int
    next_release_at: int | None
    posting_now: bool = False


@dataclass(frozen=True)
class StoryChoice:
    """A readable story a new reader can start."""

    story_id: int
    title: str
    first_chapter: int


@dataclass(frozen=True)
class ChapterListing:
    """One page (of up to 25) of a story's readable chapters."""

    story_id: int
    story_title: str
    chapters: list[ReleasedChapter]
    offset: int
    total: int

    @property
    def has_more(self) -> bool:
        """True when chapters follow this batch."""
        return self.offset + len(self.chapters) < self.total


@dataclass(frozen=True)
class ProgressLine:
    """One story in `/progress`."""

    story_id: int
    title: str
    chapter_number: int
    released_chapters: int
    pages_done: int
    pages_total: int
    new_chapters: int
    last_read_at: int
    next_release_at: int | None


@dataclass(frozen=True)
class CatchUp:
    """Chapters released since the reader's last read (at most `CATCHUP_LIMIT` listed)."""

    story_id: int
    story_title: str
    chapters: list[ReleasedChapter]
    total: int
    since: int | None
    next_release_at: int | None


NextResult = PageView | CaughtUp | list[StoryChoice]


def is_adult(story: StoryRecord) -> bool:
    """True for Mature and Explicit stories."""
    return (story.rating or "").strip().casefold() in ADULT_RATINGS


def no_story(typed: str) -> NotFound:
    """The refusal for a story that is missing or that this reader may not read."""
    return NotFound(
        "There is no story called “{title}” that you can read here.",
        hint="Pick one from the list as you type, or see `/progress`.",
        params={"title": clip(typed, 80)},
    )


def no_chapter(chapter: int, page: int | None = None) -> NotFound:
    """The refusal for a chapter (or page) that is missing or not released yet."""
    where = f"Chapter {chapter}" + (f", page {page}," if page is not None else "")
    return NotFound(
        f"{where} is not available: it is not released yet, or it does not exist.",
        hint="Use the Chapters button or `/read` to pick a released one.",
    )


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """A text bar like `▓▓▓░░░░░░░ 30%`."""
    if total <= 0:
        return "░" * width + " 0%"
    filled = min(width, round(width * done / total))
    return "▓" * filled + "░" * (width - filled) + f" {100 * done // total}%"
