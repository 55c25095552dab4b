"""Online backups: consistent while another connection writes, and careful with targets."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import NotFound, UserError
from bot.storage import Database, backup_database, known_version
from bot.stories.model import Story
from bot.stories.repository import StoryRepository

pytestmark = pytest.mark.sqlite_only(reason="backups copy a SQLite file")


def _inspect(path: Path) -> tuple[str, str, int, list[tuple[int, int, int, int]]]:
    """(integrity, journal mode, user_version, per story: id, chapters, pages, authors)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        stories = conn.execute(
            "SELECT s.id,"
            " (SELECT count(*) FROM chapters c WHERE c.story_id = s.id),"
            " (SELECT count(*) FROM pages p JOIN chapters c ON p.chapter_id = c.id"
            "  WHERE c.story_id = s.id),"
            " (SELECT count(*) FROM story_authors a WHERE a.story_id = s.id)"
            " FROM stories s ORDER BY s.id"
        ).fetchall()
    return integrity, mode, version, stories


async def test_backup_while_another_connection_writes_is_a_consistent_prefix(
    db: Database,
    db_path: Path,
    tmp_path: Path,
    make_story: Callable[..., Story],
    make_pages: Callable[..., list[list[str]]],
) -> None:
    story = make_story(chapters=3)
    padding = " " + "x" * 4000  # bigger pages make the copy slow enough to overlap writes
    pages = [[content + padding for content in chapter] for chapter in make_pages(story, 3)]
    committed = 0
    stop = asyncio.Event()

    async def keep_writing(writer: Database) -> None:
        nonlocal committed
        repo = StoryRepository(writer)
        while not stop.is_set():
            await repo.create_story(1, 2, story, pages, "text")
            committed += 1

    async with await Database.open(db_path) as writer:  # its own connections, like another process
        task = asyncio.create_task(keep_writing(writer))
        while committed < 30:
            await asyncio.sleep(0.005)
        before = committed
        target = tmp_path / "backups" / "copy.db"
        await backup_database(db_path, target, parents=True)
        after = committed
        stop.set()
        await task

    integrity, mode, version, stories = _inspect(target)
    assert (integrity, mode, version) == ("ok", "delete", known_version())
    assert [row[0] for row in stories] == list(range(1, len(stories) + 1))  # no gaps
    assert before <= len(stories) <= after + 1  # at most one commit not yet counted
    assert all(row[1:] == (3, 9, 1) for row in stories)  # no half-written story
    async with await Database.open(target) as copy:
        assert len(await StoryRepository(copy).list_for_guild(1)) == len(stories)


async def test_backup_refuses_to_overwrite_unless_asked(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    target.write_text("precious")
    with pytest.raises(UserError, match="already exists"):
        await backup_database(db_path, target)
    assert target.read_text() == "precious"
    Path(f"{target}-wal").write_text("stale")  # must not be replayed onto the new copy
    await backup_database(db_path, target, overwrite=True)
    assert not Path(f"{target}-wal").exists()
    assert _inspect(target)[:3] == ("ok", "delete", known_version())
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


async def test_backup_rejects_missing_sources_and_self_targets(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(NotFound):
        await backup_database(tmp_path / "missing.db", tmp_path / "copy.db")
    with pytest.raises(UserError, match="onto itself"):
        await backup_database(db_path, db_path, overwrite=True)
    with pytest.raises(UserError, match="directory"):
        await backup_database(db_path, tmp_path)
