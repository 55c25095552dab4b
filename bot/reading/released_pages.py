"""The posted pages of the stories being read, kept in memory: `/next`'s page without a page query.

`/next` reads the reader's progress, the story and its `stories.pages_version` in one small
query, then takes the page after the reader's position from here. Every write to a story's
chapters or pages bumps `pages_version` in the same transaction (`bot.stories.chapters`), so a
copy is current exactly while its version equals the row's: a release, an edit or a deletion,
by this process or another, is seen on the next `/next`, which reloads the story's pages.

Only posted pages are kept (what every reader of the story may read); an early reader's pages
come from the database as before. A story is loaded whole, in one query, the first time it is
asked for and after each change; the least recently read stories are dropped once the pages
kept hold more than `max_chars` characters of text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass

from bot.reading.queries import PAGES_VERSION_SQL, POSTED_PAGES_SQL
from bot.reading.records import PagePosition
from bot.storage import Database

# About 16 MB of story text (stories are mostly ASCII: one byte a character), which keeps
# ~130 novels of 100,000 words: the stories a server is reading at once.
MAX_CHARS = 16_000_000


@dataclass(frozen=True)
class StoryPages:
    """One story's posted pages in reading order, as of `version`."""

    version: int
    positions: tuple[tuple[int, int], ...]  # (chapter number, page number) of each page
    pages: tuple[PagePosition, ...]
    chars: int

    @classmethod
    def of(cls, version: int, pages: list[PagePosition]) -> StoryPages:
        """The pages as loaded (already in reading order)."""
        return cls(
            version,
            tuple((p.chapter_number, p.page_number) for p in pages),
            tuple(pages),
            sum(len(p.content) for p in pages),
        )

    def after(self, chapter: int, page: int) -> PagePosition | None:
        """The first posted page after (chapter, page), or None when there is none yet."""
        at = bisect_right(self.positions, (chapter, page))
        return self.pages[at] if at < len(self.pages) else None


class ReleasedPages:
    """Per process: the stories' posted pages, each checked against the version a query read."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self._stories: OrderedDict[int, StoryPages] = OrderedDict()
        self._chars = 0
        self.loads = 0  # stories (re)loaded from the database, for tests and curiosity

    async def after(
        self, db: Database, story_id: int, version: int, chapter: int, page: int
    ) -> PagePosition | None:
        """The first posted page of the story after (chapter, page), as of `version` or later."""
        kept = self._stories.get(story_id)
        if kept is None or kept.version != version:
            kept = await self._load(db, story_id)
        else:
            self._stories.move_to_end(story_id)
        return kept.after(chapter, page)

    async def _load(self, db: Database, story_id: int) -> StoryPages:
        # The version first, then the pages: the pages are at least as new as the version they
        # are kept under, so a change in between only costs one more load later.
        version = await db.fetch_value(PAGES_VERSION_SQL, {"story": story_id})
        rows = await db.fetch_all(POSTED_PAGES_SQL, {"story": story_id})
        loaded = StoryPages.of(int(version or 0), [PagePosition.from_row(row) for row in rows])
        self.loads += 1
        self._keep(story_id, loaded)
        return loaded

    def _keep(self, story_id: int, pages: StoryPages) -> None:
        old = self._stories.pop(story_id, None)
        if old is not None:
            self._chars -= old.chars
        if pages.chars > self.max_chars:
            return  # larger than the whole budget: served, not kept
        while self._stories and self._chars + pages.chars > self.max_chars:
            _, dropped = self._stories.popitem(last=False)
            self._chars -= dropped.chars
        self._stories[story_id] = pages
        self._chars += pages.chars

    def __len__(self) -> int:
        return len(self._stories)
