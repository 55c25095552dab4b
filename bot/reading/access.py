"""Who may read what: finding the stories a reader may open and refusing pages they may not see.

Discord-free; `ReadingService` builds on it. The rules (every command and button goes through
them):

* only pages whose Discord message id is stored are shown (so a release can be followed while
  it is still posting), and only chapters whose first page is posted are listed;
* in a server, a page is served only if the reader can see the channel it was posted in
  (`Reader.can_view`, which the cog answers from Discord's cache; threads count as their parent);
* Mature/Explicit stories are served only to readers asking from an age-restricted channel;
* in DMs, a reader may go on reading a story they have already read in the server (their
  progress row proves it), and a Mature/Explicit one only if they read it from an
  age-restricted channel;
* early access (`early_range`): a reader holding a story's early-access role may also read the
  unreleased chapters whose scheduled release is within the story's early-access hours; to
  everyone else those chapters do not exist. The range goes into every readable-page query
  (`bot.reading.queries.READABLE`), so each path (pages, chapter lists, counts) answers alike.

Unreadable stories and chapters are refused alike with missing ones: nothing unreleased leaks.
"""

from __future__ import annotations

from bot.early_access.records import NO_RANGE, ChapterRange, EarlyAccessSetting
from bot.early_access.windows import EarlyWindows
from bot.errors import NotAllowed, NotFound
from bot.reading.model import (
    ADULT_RATINGS,
    CHOICE_NAME_LIMIT,
    CHOICES_LIMIT,
    Reader,
    clip,
    is_adult,
    no_chapter,
    no_story,
)
from bot.reading.records import PagePosition, ReadableStory
from bot.reading.repository import ProgressRepository
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository


class ReadingAccess:
    """The access rules over the story and progress repositories (`ReadingService`'s base)."""

    stories: StoryRepository
    progress: ProgressRepository
    early: EarlyWindows

    # -- early access -------------------------------------------------------------------------

    async def early_range(self, reader: Reader, story: StoryRecord) -> ChapterRange:
        """The unreleased chapters this reader may read early in `story` (`NO_RANGE`: none).

        Only a reader holding the story's early-access role in the story's server gets any;
        the chapters are those whose scheduled release is at most the story's hours away.
        """
        if reader.holds_role is None:
            return NO_RANGE
        return await self.early_range_of(reader, story, await self.early.setting(story.id))

    async def early_range_of(
        self, reader: Reader, story: StoryRecord, setting: EarlyAccessSetting | None
    ) -> ChapterRange:
        """`early_range` with the story's setting already known (None: it has none)."""
        if setting is None or reader.holds_role is None:
            return NO_RANGE
        if not await reader.holds_role(story.guild_id, setting.role_id):
            return NO_RANGE
        return await self.early.open_range(story, setting)

    async def _early_stories(self, reader: Reader, seen: dict[int, ReadableStory]) -> None:
        """Add the stories of the reader's server readable only early (nothing released yet)."""
        if reader.guild_id is None or reader.holds_role is None:
            return
        for setting in await self.early.settings.for_guild(reader.guild_id):
            if setting.story_id in seen:
                continue
            story = await self.stories.get(setting.story_id)
            if story is None or story.channel_id is None or (is_adult(story) and not reader.age_ok):
                continue
            if not await reader.holds_role(story.guild_id, setting.role_id):
                continue
            early = await self.early.open_range(story, setting)
            if not early.empty and await reader.can_view(story.channel_id):
                seen[story.id] = ReadableStory(
                    story.id, story.title, story.rating, early.first, story.channel_id
                )

    # -- finding stories ----------------------------------------------------------------------

    async def readable_stories(self, reader: Reader) -> list[ReadableStory]:
        """Stories of the reader's guild with a released chapter in a channel they can see."""
        if reader.guild_id is None:
            return []
        seen: dict[int, ReadableStory] = {}
        for row in await self.progress.readable_stories(reader.guild_id):
            if row.story_id in seen or row.channel_id is None:
                continue
            adult = (row.rating or "").strip().casefold() in ADULT_RATINGS
            if adult and not reader.age_ok:
                continue
            if await reader.can_view(row.channel_id):
                seen[row.story_id] = row
        released = len(seen)
        await self._early_stories(reader, seen)
        found = list(seen.values())
        if len(found) > released:  # early-only stories join the list in title order
            found.sort(key=lambda s: (s.title.casefold(), s.story_id))
        return found

    async def choices(self, reader: Reader, typed: str) -> list[tuple[str, str]]:
        """Autocomplete `(title, id)` pairs: only stories this reader can read here."""
        needle = typed.strip().casefold()
        stories = await self.readable_stories(reader)
        ranked = sorted(
            (s for s in stories if needle in s.title.casefold()),
            key=lambda s: (
                not s.title.casefold().startswith(needle),
                s.title.casefold(),
                s.story_id,
            ),
        )
        return [(clip(s.title, CHOICE_NAME_LIMIT), str(s.story_id)) for s in ranked][:CHOICES_LIMIT]

    async def resolve(self, reader: Reader, typed: str) -> StoryRecord:
        """The story `typed` names (autocomplete id or title) if this reader may read it."""
        text = typed.strip()
        if not text:
            raise NotFound("No story given.", hint="Start typing a title and pick one.")
        if text.isascii() and text.isdigit():  # "²" passes isdigit() but not int()
            story = await self.stories.get(int(text))
            if story is not None and await self._may_open(reader, story):
                return story
            raise no_story(text)
        matches = [
            s for s in await self.readable_stories(reader) if s.title.casefold() == text.casefold()
        ]
        if len(matches) != 1:
            raise (
                no_story(text)
                if not matches
                else NotFound(
                    f"Several stories are called “{clip(text, 80)}”.",
                    hint="Pick the one you mean from the list as you type.",
                )
            )
        story = await self.stories.get(matches[0].story_id)
        if story is None:
            raise no_story(text)
        return story

    async def _may_open(self, reader: Reader, story: StoryRecord) -> bool:
        """Whether the reader may open this story at all (before looking at a page)."""
        if reader.in_dm:
            progress = await self.progress.position(reader.user_id, story.id)
            return progress is not None and (progress.adult_ok or not is_adult(story))
        return story.guild_id == reader.guild_id

    async def _story(self, reader: Reader, story_id: int) -> StoryRecord:
        story = await self.stories.get(story_id)
        if story is None or not await self._may_open(reader, story):
            raise no_story(f"#{story_id}")
        return story

    async def _check_page(
        self,
        reader: Reader,
        story: StoryRecord,
        page: PagePosition,
        early: ChapterRange = NO_RANGE,
    ) -> None:
        """Refuse a page the reader may not see (unposted and not open early to them, hidden
        channel, age restriction). An early page is checked against the story's channels."""
        if page.posted and page.channel_id is not None:
            await self._check_story_access(reader, story, [page.channel_id])
            return
        if page.posted or page.chapter_number not in early:
            raise no_chapter(page.chapter_number, page.page_number)
        await self._check_story(reader, story, early)

    async def _check_story_access(
        self, reader: Reader, story: StoryRecord, channel_ids: list[int]
    ) -> None:
        if reader.in_dm:
            if not await self._may_open(reader, story):
                raise no_story(story.title)
            return
        if story.guild_id != reader.guild_id:
            raise no_story(story.title)
        visible = False
        for channel_id in channel_ids:
            if await reader.can_view(channel_id):
                visible = True
                break
        if not visible:
            raise no_story(story.title)
        if is_adult(story) and not reader.age_ok:
            raise NotAllowed(
                f"“{story.title}” is rated {story.rating}: read it from an age-restricted channel.",
                hint="Run the command in a channel marked age-restricted (NSFW).",
            )

    async def _check_story(
        self, reader: Reader, story: StoryRecord, early: ChapterRange = NO_RANGE
    ) -> None:
        channels = await self.progress.story_channels(story.id)
        if not early.empty and story.channel_id is not None:
            channels.append(story.channel_id)  # where the early chapters will be posted
        await self._check_story_access(reader, story, channels)
