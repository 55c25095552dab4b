"""Fill a benchmark database fast: released stories, readers' progress, releases, schedules.

Stories, chapters and pages go in through `StoryRepository.create_story` (the real import and
pagination); the bulk rows (1,000,000 progress rows, 10,000 releases) go in with plain SQL
`executemany` in large transactions through the migrated schema, because a repository call per
row would take minutes. Seeding happens while the bot is not running.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import random
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.import_speed import synthetic_text
from bot.publishing.schedules import ScheduleRepository
from bot.storage import Database, open_database
from bot.stories.importers import import_story
from bot.stories.model import Chapter, Paragraph, Span, Story
from bot.stories.paginate import paginate_story
from bot.stories.repository import StoryRepository

CHUNK = 100_000  # rows per transaction for bulk inserts
MESSAGE_ID_BASE = 1 << 52  # fake (but well-formed) message ids for "posted" pages
STORY_WORDS = 20_000  # about nine chapters of seven pages each

_PROGRESS_SQL = (
    "INSERT INTO progress (user_id, story_id, guild_id, chapter_number, page_number,"
    " furthest_chapter, furthest_page, adult_ok, started_at, last_read_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
)
_RELEASE_SQL = (
    "INSERT INTO releases (story_id, chapter_id, due_at, channel_id, channel_mode, status)"
    " VALUES (?, ?, ?, ?, 'messages', 'pending')"
)


@functools.cache
def reading_story() -> tuple[Story, tuple[tuple[str, ...], ...]]:
    """A synthetic multi-chapter story and its text-style pages (computed once per process)."""
    story = import_story(synthetic_text(STORY_WORDS, seed=7), "bench-story.txt")
    pages = tuple(tuple(chapter) for chapter in paginate_story(story, "text"))
    return story, pages


def one_page_story(title: str, chapters: int = 1) -> tuple[Story, list[list[str]]]:
    """A tiny story: `chapters` chapters of one short page each."""
    story = Story(
        title=title,
        chapters=[
            Chapter(number=n, title=f"Part {n}", blocks=[Paragraph((Span(f"{title}, part {n}."),))])
            for n in range(1, chapters + 1)
        ],
    )
    return story, paginate_story(story, "text")


def long_chapter_story(title: str, pages: int) -> tuple[Story, list[list[str]]]:
    """One chapter that paginates to exactly `pages` text pages of about 1,900 characters."""
    paragraph = ("The tide came in over the shingle, grey and patient. " * 34).strip()
    blocks = [Paragraph((Span(f"{i + 1}. {paragraph}"),)) for i in range(pages * 3)]
    story = Story(title=title, chapters=[Chapter(number=1, title="The Long Night", blocks=blocks)])
    rendered = paginate_story(story, "text")
    # Each paragraph is ~1,840 characters, so pages hold one; trim to exactly `pages`.
    if len(rendered[0]) < pages:
        raise ValueError(f"the long chapter paginated to only {len(rendered[0])} pages")
    return story, [rendered[0][:pages]]


async def open_fresh(path: Path | str) -> Database:
    """A new database file (or an empty PostgreSQL database's URL) with every migration
    applied."""
    if isinstance(path, str):
        return await open_database(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return await open_database(path)


async def finish(db: Database) -> None:
    """Close a seeded database, its planner statistics brought up to date first (as a live
    PostgreSQL server's autovacuum would do within a minute of the load), and its rows on disk.

    A seed writes hundreds of megabytes. Left to the kernel (and to PostgreSQL's next
    checkpoint), they would be written back about 30 s later, in the middle of whichever side
    a benchmark measures first.
    """
    try:
        await db.after_bulk_load()
        if db.backend == "postgres":
            # Not allowed for every user; then the server's own checkpoint comes later.
            with contextlib.suppress(*db.errors):
                await db.fetch_all("CHECKPOINT")
    finally:
        await db.close()
    os.sync()


async def release_everything(db: Database, channel_id: int, now: int) -> int:
    """Mark every page posted in `channel_id` (fake message ids) and every chapter released."""
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE pages SET message_id = ? + id, channel_id = ?, posted_at = ?",
            (MESSAGE_ID_BASE, channel_id, now),
        )
        await tx.execute("UPDATE chapters SET released_at = ?", (now,))
    return int(await db.fetch_value("SELECT COUNT(*) FROM pages"))


async def seed_reading(
    path: Path | str,
    *,
    guild_id: int,
    channel_id: int,
    owner_id: int,
    reader_ids: Sequence[int],
    progress_rows: int,
    seed: int = 20,
) -> dict[str, Any]:
    """Released stories in `channel_id` and `progress_rows` progress rows over `reader_ids`.

    Every reader gets a row in as many stories as it takes (10,000 readers and 1,000,000 rows
    make 100 stories), positioned in the first half of the story so `/next` has pages to show.
    """
    started = time.perf_counter()
    story, pages = reading_story()
    stories = max(1, -(-progress_rows // max(1, len(reader_ids))))
    db = await open_fresh(path)
    try:
        repo = StoryRepository(db)
        story_ids = []
        for k in range(stories):
            titled = dataclasses.replace(story, title=f"Bench Story {k + 1:03d}")
            record = await repo.create_story(
                guild_id, owner_id, titled, [list(p) for p in pages], channel_id=channel_id
            )
            story_ids.append(record.id)
        now = int(time.time())
        page_count = await release_everything(db, channel_id, now - 86_400)
        rows = _progress_rows(reader_ids, story_ids, guild_id, len(pages), progress_rows, now, seed)
        inserted = await _bulk(db, _PROGRESS_SQL, rows)
    finally:
        await finish(db)
    return {
        "stories": stories,
        "pages": page_count,
        "readers": len(reader_ids),
        "progress_rows": inserted,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _progress_rows(
    reader_ids: Sequence[int],
    story_ids: Sequence[int],
    guild_id: int,
    chapters: int,
    limit: int,
    now: int,
    seed: int,
) -> Iterator[tuple[int, ...]]:
    rng = random.Random(seed)
    half = max(1, chapters // 2)
    made = 0
    for user_id in sorted(reader_ids):  # (user_id, story_id) order fills the primary key fast
        for story_id in story_ids:
            if made >= limit:
                return
            chapter = rng.randint(1, half)
            last = now - rng.randint(60, 30 * 86_400)
            yield (user_id, story_id, guild_id, chapter, 1, chapter, 1, last - 86_400, last)
            made += 1


async def _bulk(db: Database, sql: str, rows: Iterator[tuple[Any, ...]]) -> int:
    """executemany in transactions of CHUNK rows; returns how many rows went in."""
    total = 0
    while True:
        chunk = [row for _, row in zip(range(CHUNK), rows, strict=False)]
        if not chunk:
            return total
        async with db.transaction() as tx:
            await tx.executemany(sql, chunk)
        total += len(chunk)


async def seed_long_chapter(
    path: Path | str, *, guild_id: int, channel_id: int, owner_id: int, pages: int
) -> dict[str, Any]:
    """One story whose single unreleased chapter has `pages` pages, aimed at `channel_id`."""
    story, rendered = long_chapter_story("Bench Long Chapter", pages)
    db = await open_fresh(path)
    try:
        record = await StoryRepository(db).create_story(
            guild_id, owner_id, story, rendered, channel_id=channel_id
        )
    finally:
        await finish(db)
    return {"story_id": record.id, "pages": len(rendered[0])}


async def seed_schedules(
    path: Path | str,
    *,
    guild_id: int,
    owner_id: int,
    channel_ids: Sequence[int],
    due_times: Sequence[int],
) -> dict[str, Any]:
    """One one-page story per channel, each with a one-off schedule due at `due_times[i]`."""
    started = time.perf_counter()
    db = await open_fresh(path)
    try:
        stories, schedules = StoryRepository(db), ScheduleRepository(db)
        ids = []
        for i, (channel_id, due) in enumerate(zip(channel_ids, due_times, strict=True)):
            story, pages = one_page_story(f"Bench Release {i + 1:04d}")
            record = await stories.create_story(
                guild_id, owner_id, story, pages, channel_id=channel_id
            )
            await schedules.create(record.id, owner_id, due, "UTC")
            ids.append(record.id)
    finally:
        await finish(db)
    return {"stories": len(ids), "seconds": round(time.perf_counter() - started, 2)}


async def seed_pending_releases(
    path: Path | str,
    *,
    guild_id: int,
    owner_id: int,
    channel_ids: Sequence[int],
    releases: int,
    due_at: int,
) -> dict[str, Any]:
    """`releases` pending releases, all due at `due_at`, spread over one story per channel.

    Each story has `releases / len(channel_ids)` one-page chapters, one release per chapter,
    as if the bot had been down while a backlog fell due.
    """
    started = time.perf_counter()
    per_story = max(1, -(-releases // len(channel_ids)))
    db = await open_fresh(path)
    try:
        stories = StoryRepository(db)
        rows: list[tuple[int, ...]] = []
        for i, channel_id in enumerate(channel_ids):
            story, pages = one_page_story(f"Bench Backlog {i + 1:04d}", per_story)
            record = await stories.create_story(
                guild_id, owner_id, story, pages, channel_id=channel_id
            )
            for chapter in await stories.chapters(record.id):
                rows.append((record.id, chapter.id, due_at, channel_id))
        inserted = await _bulk(db, _RELEASE_SQL, iter(rows[:releases]))
    finally:
        await finish(db)
    return {"releases": inserted, "seconds": round(time.perf_counter() - started, 2)}


async def seed_guild_schedules(
    path: Path | str,
    *,
    owner_id: int,
    releases: Sequence[tuple[int, int, int]],
) -> dict[str, Any]:
    """One one-page story per (guild_id, channel_id, due_at), each with a one-off schedule due
    then: releases spread over many guilds (and so over shard processes)."""
    started = time.perf_counter()
    db = await open_fresh(path)
    try:
        stories, schedules = StoryRepository(db), ScheduleRepository(db)
        for i, (guild_id, channel_id, due) in enumerate(releases):
            story, pages = one_page_story(f"Bench Release {i + 1:05d}")
            record = await stories.create_story(
                guild_id, owner_id, story, pages, channel_id=channel_id
            )
            await schedules.create(record.id, owner_id, due, "UTC")
    finally:
        await finish(db)
    return {"stories": len(releases), "seconds": round(time.perf_counter() - started, 2)}


async def seed_guild_long_chapters(
    path: Path | str, *, owner_id: int, targets: Sequence[tuple[int, int]], pages: int
) -> dict[str, Any]:
    """One story per (guild_id, channel_id) whose single unreleased chapter has `pages` pages."""
    story, rendered = long_chapter_story("Bench Long Chapter", pages)
    db = await open_fresh(path)
    try:
        repo = StoryRepository(db)
        ids = [
            (await repo.create_story(guild_id, owner_id, story, rendered, channel_id=channel)).id
            for guild_id, channel in targets
        ]
    finally:
        await finish(db)
    return {"story_ids": ids, "pages": len(rendered[0])}
