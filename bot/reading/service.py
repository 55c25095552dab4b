"""Reading stories: next page, jump, chapter lists, marks, progress, catch-up, forget-me.

Discord-free. Who may read what is decided in `bot.reading.access` (`ReadingAccess`, this
service's base), so every command and button goes through the same rules.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.early_access.records import NO_RANGE, ChapterRange
from bot.early_access.windows import EarlyWindows
from bot.errors import InvalidInput, NotFound, UserError
from bot.events import EventBus, ReaderProgressed
from bot.publishing.releases import ReleaseRepository
from bot.publishing.schedules import ScheduleRepository
from bot.reading.access import ReadingAccess
from bot.reading.model import (
    CATCHUP_LIMIT,
    CHAPTERS_PER_PICKER,
    PROGRESS_LIMIT,
    STORY_PICK_LIMIT,
    CatchUp,
    CaughtUp,
    ChapterListing,
    DirectMessagesClosed,
    NextResult,
    PageView,
    ProgressLine,
    Reader,
    StoryChoice,
    is_adult,
    no_chapter,
    no_story,
    progress_bar,
)
from bot.reading.records import PagePosition, ProgressRecord
from bot.reading.repository import ProgressRepository
from bot.storage import Database
from bot.storage.repository import unix_now
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

__all__ = [
    "CatchUp",
    "CaughtUp",
    "ChapterListing",
    "DirectMessagesClosed",
    "NextResult",
    "PageView",
    "ProgressLine",
    "Reader",
    "ReadingService",
    "StoryChoice",
    "is_adult",
    "progress_bar",
]


class ReadingService(ReadingAccess):
    """The reader use cases over one database.

    `write_behind=True` (the bot's setting): a page recorded is kept in memory at once and
    written to the database about a second later; otherwise before the call returns. The cogs
    record a page after its answer was delivered (`record=False`, then `record_read`).
    """

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], int] = unix_now,
        write_behind: bool = False,
        bus: EventBus | None = None,
    ) -> None:
        self.stories = StoryRepository(db, clock=clock)
        self.progress = ProgressRepository(db, clock=clock)
        self.schedules = ScheduleRepository(db, clock=clock)
        self.releases = ReleaseRepository(db, clock=clock)
        self.early = EarlyWindows(db, clock=clock)
        self.write_behind = write_behind
        self._bus = bus
        self._clock = clock

    # -- reading ------------------------------------------------------------------------------

    async def next_page(
        self, reader: Reader, typed: str | None = None, *, record: bool = True
    ) -> NextResult:
        """The reader's next page; without a story, the one they read last here.

        A reader who never read anything here gets the stories they could start instead.
        """
        if not typed:
            return await self._next_in_latest(reader, record=record)
        story = await self.resolve(reader, typed)
        progress = await self.progress.position(reader.user_id, story.id)
        chapter, page = (progress.chapter_number, progress.page_number) if progress else (1, 0)
        return await self.step(
            reader, story.id, chapter, page, forward=True, story=story, record=record
        )

    async def _next_in_latest(self, reader: Reader, *, record: bool) -> NextResult:
        """`/next` with no story: progress, story and next page come from one query."""
        if reader.guild_id is None:
            raise InvalidInput("Name the story you want to read.")
        latest = await self.progress.latest_with_next(reader.guild_id, reader.user_id)
        if latest is None:
            return await self.starters(reader)
        story, at = latest.story, latest.progress
        if story is None or not await self._may_open(reader, story):
            raise no_story(f"#{at.story_id}")
        # The one query brought the story's early-access setting: nothing more to ask for most.
        found, early = latest.page, await self.early_range_of(reader, story, latest.early)
        if not early.empty:  # the one query knew only released pages
            found = await self.progress.page_after(
                story.id, at.chapter_number, at.page_number, early
            )
        return await self._after(
            reader, story, at.chapter_number, at.page_number, found, True, record, early
        )

    async def starters(self, reader: Reader) -> list[StoryChoice]:
        """A few stories a new reader could start here."""
        stories = await self.readable_stories(reader)
        return [StoryChoice(s.story_id, s.title, s.first_chapter) for s in stories][
            :STORY_PICK_LIMIT
        ]

    async def step(
        self,
        reader: Reader,
        story_id: int,
        chapter: int,
        page: int,
        *,
        forward: bool,
        story: StoryRecord | None = None,
        record: bool = True,
    ) -> PageView | CaughtUp:
        """The readable page after (or before) (chapter, page), recorded as read.

        With `record=False` the caller records it with `record_read` once it was delivered.
        """
        story = story or await self._story(reader, story_id)
        early = await self.early_range(reader, story)
        found = (
            await self.progress.page_after(story.id, chapter, page, early)
            if forward
            else await self.progress.page_before(story.id, chapter, page, early)
        )
        return await self._after(reader, story, chapter, page, found, forward, record, early)

    async def _after(
        self,
        reader: Reader,
        story: StoryRecord,
        chapter: int,
        page: int,
        found: PagePosition | None,
        forward: bool,
        record: bool,
        early: ChapterRange = NO_RANGE,
    ) -> PageView | CaughtUp:
        """Show `found` (the page next to (chapter, page)), or "caught up" when there is none."""
        if found is None:
            await self._check_story(reader, story, early)
            if not forward:
                raise NotFound("This is the first page.", hint="Use Next ▶ to read on.")
            if chapter <= 1 and page <= 0:
                raise no_story(story.title)  # nothing released at all
            return await self._caught_up(reader, story, chapter, page)
        return await self._show(reader, story, found, record=record, early=early)

    async def _caught_up(
        self, reader: Reader, story: StoryRecord, chapter: int, page: int
    ) -> CaughtUp:
        """Past the last posted page: more on its way now, or when the next release is."""
        if await self.posting_now(reader, story):
            return CaughtUp(story.id, story.title, chapter, page, None, posting_now=True)
        return CaughtUp(story.id, story.title, chapter, page, await self.next_release(story))

    async def read_at(
        self, reader: Reader, story_id: int, chapter: int, page: int = 1, *, record: bool = True
    ) -> PageView:
        """Jump to (chapter, page) if it is released."""
        story = await self._story(reader, story_id)
        if chapter < 1 or page < 1:
            raise InvalidInput("Chapter and page numbers start at 1.")
        early = await self.early_range(reader, story)
        found = await self.progress.page_at(story.id, chapter, page)
        if found is None or not (found.posted or chapter in early):
            if page == 1 or await self.progress.released_chapter(story.id, chapter) is None:
                raise no_chapter(chapter)
            raise no_chapter(chapter, page)
        return await self._show(reader, story, found, record=record, early=early)

    async def _show(
        self,
        reader: Reader,
        story: StoryRecord,
        page: PagePosition,
        *,
        record: bool = True,
        early: ChapterRange = NO_RANGE,
    ) -> PageView:
        await self._check_page(reader, story, page, early)
        view = PageView(story.id, story.title, story.style, page, story.guild_id)
        if record:
            await self.record_read(reader, view)
        return view

    async def record_read(self, reader: Reader, view: PageView) -> None:
        """Move the reader to the page shown and log it (buffered with `write_behind`)."""
        read = (view.guild_id, reader.user_id, view.page)
        adult_ok = reader.age_ok and not reader.in_dm
        if self.write_behind:
            self.progress.record_read_later(*read, adult_ok=adult_ok)
        else:
            await self.progress.record_read(*read, adult_ok=adult_ok)
        # Checked first so the hot path builds no event while nothing listens.
        if self._bus is not None and self._bus.has_subscribers(ReaderProgressed):
            page = view.page
            await self._bus.publish(
                ReaderProgressed(
                    view.guild_id,
                    reader.user_id,
                    view.story_id,
                    page.chapter_number,
                    page.page_number,
                    self._clock(),
                )
            )

    async def flush(self) -> None:
        """Write every buffered read now (before anything reads the tables raw)."""
        await self.progress.buffer.flush()

    async def close(self) -> None:
        """Write every buffered read; later reads are written at once (shutdown)."""
        await self.progress.buffer.close()

    async def posting_now(self, reader: Reader, story: StoryRecord) -> bool:
        """Whether a release of the story is posting right now where the reader can read it.

        In a server that is a channel they see; in DMs, where they already may read the story,
        any channel. Only a live claim counts: a release whose lease ran out (its process died)
        is not going out until it is taken up again.
        """
        now = self._clock()
        for release in await self.releases.open_for_story(story.id):
            live = release.status == "posting" and (release.lease_until or 0) >= now
            if live and (reader.in_dm or await reader.can_view(release.channel_id)):
                return True
        return False

    async def next_release(self, story: StoryRecord) -> int | None:
        """When the story's next scheduled release runs (unix seconds), if one is planned."""
        if story.paused:
            return None
        runs = [
            s.next_run_at
            for s in await self.schedules.for_story(story.id)
            if s.active and s.next_run_at is not None
        ]
        return min(runs) if runs else None

    async def chapters(self, reader: Reader, story_id: int, offset: int = 0) -> ChapterListing:
        """Up to 25 readable chapters from `offset`, for the chapter picker."""
        story = await self._story(reader, story_id)
        early = await self.early_range(reader, story)
        await self._check_story(reader, story, early)
        total = await self.progress.released_chapter_count(story.id, early)
        offset = max(0, min(offset, max(0, total - 1)))
        chapters = await self.progress.released_chapters(
            story.id, offset=offset, limit=CHAPTERS_PER_PICKER, early=early
        )
        return ChapterListing(story.id, story.title, chapters, offset, total)

    async def mark_read(self, reader: Reader, story_id: int, chapter: int) -> tuple[str, bool]:
        """Mark a released chapter read; returns (story title, newly marked)."""
        story = await self._story(reader, story_id)
        early = await self.early_range(reader, story)
        last = await self.progress.last_page_of(story.id, chapter, early)
        if last is None or await self.progress.released_chapter(story.id, chapter, early) is None:
            raise no_chapter(chapter)
        await self._check_page(reader, story, last, early)
        added = await self.progress.mark_chapter_read(
            story.guild_id, reader.user_id, last, adult_ok=reader.age_ok and not reader.in_dm
        )
        return story.title, added

    # -- summaries ----------------------------------------------------------------------------

    async def progress_summary(self, reader: Reader) -> list[ProgressLine]:
        """Every story this reader started in this guild (that they can still read here)."""
        if reader.guild_id is None:
            raise InvalidInput("Run `/progress` in a server.")
        lines: list[ProgressLine] = []
        for progress in await self.progress.latest(reader.guild_id, reader.user_id, 100):
            line = await self._progress_line(reader, progress)
            if line is not None:
                lines.append(line)
            if len(lines) >= PROGRESS_LIMIT:
                break
        return lines

    async def _progress_line(self, reader: Reader, progress: ProgressRecord) -> ProgressLine | None:
        story = await self.stories.get(progress.story_id)
        if story is None:
            return None
        early = await self.early_range(reader, story)
        try:
            await self._check_story(reader, story, early)
        except UserError:
            return None
        done, total = await self.progress.pages_read(
            story.id, progress.furthest_chapter, progress.furthest_page, early
        )
        _, new = await self.progress.new_chapters(
            story.id, progress.furthest_chapter, progress.last_read_at, limit=0
        )
        return ProgressLine(
            story_id=story.id,
            title=story.title,
            chapter_number=progress.chapter_number,
            released_chapters=await self.progress.released_chapter_count(story.id, early),
            pages_done=done,
            pages_total=total,
            new_chapters=new,
            last_read_at=progress.last_read_at,
            next_release_at=await self.next_release(story),
        )

    async def catch_up(self, reader: Reader, typed: str) -> CatchUp:
        """Chapters released since the reader's last read that they have not reached yet."""
        story = await self.resolve(reader, typed)
        await self._check_story(reader, story, await self.early_range(reader, story))
        progress = await self.progress.get(reader.user_id, story.id)
        after, since = (progress.furthest_chapter, progress.last_read_at) if progress else (0, 0)
        chapters, total = await self.progress.new_chapters(
            story.id, after, since, limit=CATCHUP_LIMIT
        )
        return CatchUp(
            story.id,
            story.title,
            chapters,
            total,
            progress.last_read_at if progress else None,
            await self.next_release(story),
        )

    async def forget_me(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Delete this member's progress, read log, marks and reactions in this guild."""
        return await self.progress.forget(guild_id, user_id)
