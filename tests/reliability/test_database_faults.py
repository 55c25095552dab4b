"""The database under stress and failure: contention, crashed and failed migrations, a write
failing half-way, an online backup taken while the bot posts (restored and started on), and a
file locked past the busy timeout while readers' reads wait to be written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.client import ChapterBot
from bot.storage import Database, MigrationError, apply_migrations, known_version
from bot.storage.migrate import load_migrations
from bot.stories.repository import StoryRepository
from testkit.botproc import REPO
from testkit.emulator import DiscordEmulator
from tests.e2e.conftest import BotRunner
from tests.e2e.outage_helpers import file_write_locked
from tests.e2e.publishing_helpers import bot_posts, finished, long_chapter, upload_story

# SQLite's locking, file inspection, file backups and killed migrations of a SQLite file.
pytestmark = [
    pytest.mark.emulator(time_scale=10.0),
    pytest.mark.sqlite_only(reason="SQLite file locking, inspection and backups"),
]


def two_chapters(pages_each: int = 12) -> bytes:
    """Two long chapters (about `pages_each` text pages each)."""
    paragraph = " ".join(f"Sentence {i} of a long and winding paragraph." for i in range(30))
    body = "\n\n".join(f"{n}. {paragraph}" for n in range(pages_each * 2))
    chapters = f"## Chapter 1: Evening\n\n{body}\n\n## Chapter 2: Morning\n\n{body}\n"
    return f"# Two Nights\n\n{chapters}".encode()


TWO_CHAPTERS = two_chapters()

# Another process hammering the same file with write transactions while the bot works.
WRITER = """
import asyncio, sys
from bot.storage import Database
from bot.settings.repository import SettingsRepository
async def main():
    db = await Database.open(sys.argv[1])
    repo = SettingsRepository(db)
    print("writing", flush=True)
    for i in range(int(sys.argv[2])):
        await repo.set_user_timezone(10**17 + i, "Europe/Paris")
    await db.close()
    print("done", flush=True)
asyncio.run(main())
"""

# Applies the migrations in a directory; the last one takes far longer than any real one.
MIGRATOR = """
import asyncio, sys
from pathlib import Path
from bot.storage import Database
from bot.storage.migrate import apply_migrations
async def main():
    db = await Database.open(Path(sys.argv[1]))
    print("migrating", flush=True)
    await apply_migrations(db, Path(sys.argv[2]))
asyncio.run(main())
"""
SLOW_MIGRATION = """
CREATE TABLE half_done (id INTEGER PRIMARY KEY);
INSERT INTO half_done (id) VALUES (1);
ALTER TABLE stories ADD COLUMN half_done_flag INTEGER;
-- Counts to a billion: seconds of work inside the migration's transaction.
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000)
SELECT count(*) FROM n;
"""


def python(*args: str) -> list[str]:
    """argv for a Python child process."""
    return [sys.executable, *args]


async def spawn(*argv: str) -> asyncio.subprocess.Process:
    """A child process with the repository importable, stdout piped."""
    return await asyncio.create_subprocess_exec(
        *argv,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def inspect(path: Path) -> tuple[str, int, set[str]]:
    """(integrity_check, user_version, table names) of a database file."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return integrity, version, tables


def db_file(runner: BotRunner) -> Path:
    """The bot's SQLite file."""
    return Path(runner.settings.database_url.removeprefix("sqlite:///"))


@pytest.mark.e2e
@pytest.mark.slow
async def test_readers_a_release_and_another_process_never_hit_a_locked_database(
    emulator: DiscordEmulator, bot_runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    bot = bot_runner.bot
    assert bot is not None
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "two.md", TWO_CHAPTERS, channel=general)
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    readers = [emulator.create_user(f"reader{i}") for i in range(12)]
    writer = await spawn(*python("-c", WRITER, str(db_file(bot_runner)), "300"))

    release = await emulator.slash(alice, "publish", story=str(story.id))

    async def read(user: object, rounds: int) -> list[str]:
        answers = []
        for _ in range(rounds):
            result = await emulator.slash(user, "next", story=str(story.id))  # type: ignore[arg-type]
            answers.append(result.content or "")
            result = await emulator.slash(user, "progress")  # type: ignore[arg-type]
            answers.append(result.content or str(result.embeds))
        return answers

    answers = await asyncio.gather(*(read(user, 4) for user in readers))
    out, err = await asyncio.wait_for(writer.communicate(), 60)
    assert writer.returncode == 0 and b"done" in out, err.decode()
    assert "✅" in await finished(release, timeout=60)

    flat = [a for per_user in answers for a in per_user]
    assert len(flat) == 12 * 8
    assert not [a for a in flat if "⚠️" in a or "error id" in a]
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in problems if "locked" in r.getMessage() or "busy" in r.getMessage()]
    assert not [r for r in problems if r.levelno >= logging.ERROR], problems
    pages = [p for c in await StoryRepository(bot.database).chapters(story.id)
             for p in await StoryRepository(bot.database).pages(c.id)]  # fmt: skip
    assert [m.id for m in bot_posts(emulator, general)] == [p.message_id for p in pages]
    count = await bot.database.fetch_value(
        "SELECT COUNT(*) FROM user_settings WHERE timezone = 'Europe/Paris'"
    )
    assert count == 300


def migrations_with(tmp_path: Path, extra_sql: str) -> Path:
    """The shipped migrations plus one more (numbered next) in a temporary directory."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in load_migrations():
        (folder / migration.name).write_text(migration.sql, encoding="utf-8")
    (folder / f"{known_version() + 1:04d}_extra.sql").write_text(extra_sql, encoding="utf-8")
    return folder


async def seeded_database(path: Path) -> int:
    """A database at the shipped version with one story in it; returns the story's id."""
    from bot.stories.authoring import prepare_story
    from tests.hostile.corpus import mixed_scripts

    prepared = prepare_story(mixed_scripts(), "s.md", "text")
    async with await Database.open(path) as db:
        await apply_migrations(db)
        record = await StoryRepository(db).create_story(
            1, 2, prepared.story, prepared.pages, "text"
        )
    return record.id


@pytest.mark.slow
async def test_a_migration_killed_half_way_leaves_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    story_id = await seeded_database(path)
    folder = migrations_with(tmp_path, SLOW_MIGRATION)
    child = await spawn(*python("-c", MIGRATOR, str(path), str(folder)))
    try:
        assert child.stdout is not None
        assert b"migrating" in await asyncio.wait_for(child.stdout.readline(), 30)
        await asyncio.sleep(1.5)  # well inside the billion-row count
        assert child.returncode is None, "the slow migration finished early"
        child.kill()  # kill -9
        await asyncio.wait_for(child.wait(), 10)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    integrity, version, tables = inspect(path)
    assert (integrity, version) == ("ok", known_version())
    assert "half_done" not in tables
    # The bot's own start-up opens it normally and finds everything.
    async with await Database.open(path) as db:
        assert await apply_migrations(db) == []
        story = await StoryRepository(db).get(story_id)
        assert story is not None
        columns = [r[1] for r in await db.fetch_all("PRAGMA table_info(stories)")]
        assert "half_done_flag" not in columns


async def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    story_id = await seeded_database(path)
    folder = migrations_with(
        tmp_path,
        "CREATE TABLE half_done (id INTEGER);\n"
        "ALTER TABLE stories ADD COLUMN half_done_flag INTEGER;\n"
        "INSERT INTO no_such_table VALUES (1);\n",
    )
    async with await Database.open(path) as db:
        with pytest.raises(MigrationError, match=f"left at version {known_version()}"):
            await apply_migrations(db, folder)
    integrity, version, tables = inspect(path)
    assert (integrity, version) == ("ok", known_version())
    assert "half_done" not in tables
    async with await Database.open(path) as db:
        assert await StoryRepository(db).get(story_id) is not None


@pytest.mark.e2e
async def test_a_write_failing_half_way_saves_nothing(
    emulator: DiscordEmulator, bot_runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """The disk fills up (a trigger fails the 5th page's insert): no half-saved story."""
    caplog.set_level(logging.ERROR)
    path = db_file(bot_runner)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "CREATE TRIGGER disk_full BEFORE INSERT ON pages "
            "WHEN (SELECT COUNT(*) FROM pages) >= 4 "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        conn.commit()
    alice = emulator.user("alice")
    result = await emulator.slash(
        alice, "story upload", file=emulator.upload("long.md", long_chapter(8))
    )
    await result.final(timeout=20)
    reply = result.last
    assert reply is not None and reply.ephemeral and "error id" in reply.content
    assert bot_runner.bot is not None
    db = bot_runner.bot.database
    for table in ("stories", "chapters", "pages", "story_authors"):
        assert await db.fetch_value(f"SELECT COUNT(*) FROM {table}") == 0, table
    assert any("disk is full" in (r.exc_text or "") for r in caplog.records)


@pytest.mark.e2e
@pytest.mark.slow
async def test_backup_while_posting_then_the_bot_starts_on_the_restored_copy(
    emulator: DiscordEmulator, bot_runner: BotRunner, tmp_path: Path
) -> None:
    bot = bot_runner.bot
    assert bot is not None
    alice, bob, general = emulator.user("alice"), emulator.user("bob"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "two.md", TWO_CHAPTERS, channel=general)
    release = await emulator.slash(alice, "publish", story=str(story.id))
    await emulator.wait_until(lambda: len(bot_posts(emulator, general)) >= 4, timeout=20)
    backup = tmp_path / "backups" / "copy.db"
    child_env_db = f"sqlite:///{db_file(bot_runner)}"
    proc = await asyncio.create_subprocess_exec(
        *python("-m", "bot", "backup", str(backup), "--parents"),
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "DATABASE_URL": child_env_db},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert "backed up" in out.decode()
    assert "✅" in await finished(release, timeout=60)

    integrity, version, _ = inspect(backup)
    assert (integrity, version) == ("ok", known_version())
    # Restore: stop the bot, put the copy in place of a fresh data directory, start on it.
    await bot_runner.stop()
    restored = tmp_path / "restored" / "chapterbot.db"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    bot_runner.settings = replace(bot_runner.settings, database_url=f"sqlite:///{restored}")
    again: ChapterBot = await bot_runner.start()
    stories = await StoryRepository(again.database).list_for_guild(emulator.guild.id)
    assert [s.title for s in stories] == [story.title]
    listed = await emulator.slash(alice, "story list")
    assert story.title in str(listed.embeds)
    first = await emulator.slash(bob, "next", story=str(story.id))
    (chapter1, *_) = await StoryRepository(again.database).chapters(story.id)
    pages = await StoryRepository(again.database).pages(chapter1.id)
    assert pages[0].posted and first.content == pages[0].content


@pytest.mark.e2e
@pytest.mark.slow
async def test_reads_survive_a_file_locked_past_the_busy_timeout(
    emulator: DiscordEmulator, bot_runner: BotRunner
) -> None:
    """Another program holds the write lock longer than the bot waits: the buffered read is
    kept, not dropped, and written once the lock is gone."""
    bot = bot_runner.bot
    assert bot is not None
    alice, bob, general = emulator.user("alice"), emulator.user("bob"), emulator.channel("general")
    story = await upload_story(emulator, bot, alice, "two.md", TWO_CHAPTERS, channel=general)
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    reading = bot.services.reading
    assert "Chapter 1" in ((await emulator.slash(bob, "next", story=str(story.id))).content or "")
    await reading.flush()

    async with file_write_locked(db_file(bot_runner)):  # held past the busy timeout
        second = await emulator.slash(bob, "next")  # reads still work (WAL)
        assert second.message is not None and "error id" not in (second.content or "")
        await reading.flush()  # one attempt: it waits out the busy timeout, then keeps the read
        assert len(reading.progress.buffer) == 1
    stored = "SELECT chapter_number, page_number FROM progress WHERE user_id = :u AND story_id = :s"
    for _ in range(200):  # the retry, a couple of seconds later
        row = await bot.database.fetch_one(stored, {"u": bob.id, "s": story.id})
        if row is not None and tuple(row) == (1, 2):
            break
        await asyncio.sleep(0.05)
    assert row is not None and tuple(row) == (1, 2)  # in the file, not only in memory
    assert len(reading.progress.buffer) == 0
