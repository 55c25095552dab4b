"""The note key lives outside the database: carried out by migration, 0600 file, rotation."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from bot.feedback import note_key
from bot.feedback.service import FeedbackService
from bot.storage import Database, apply_migrations
from bot.storage.migrate import migration_stem, migrations_dir_for
from testkit import pgtest
from tests.db_fixtures import server_url_for

OLD_KEY = "0123456789abcdef" * 4
GUILD, STORY = 1, 7
TOKEN = "A" * 24 + ".BBBBBB." + "C" * 27


@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database on this run's backend."""
    server = server_url_for(request.config)
    if server is None:
        yield f"sqlite:///{tmp_path / 'db' / 'bot.db'}"
        return
    url = asyncio.run(pgtest.create_database(server, prefix="chapterbot_notekey"))
    try:
        yield url
    finally:
        asyncio.run(pgtest.drop_database(server, url))


def _before_key_out(backend: str, folder: Path) -> Path:
    """A migrations folder holding only the migrations before `note_key_out`."""
    folder.mkdir()
    for entry in sorted(migrations_dir_for(backend).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        if migration_stem(entry.name) == note_key.NOTE_KEY_MIGRATION:
            break
        (folder / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


async def _old_install(url: str, tmp_path: Path) -> Database:
    """A database as the previous version left it: key in feedback_secret, three notes."""
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db = await Database.open(url)
    try:
        await apply_migrations(db, _before_key_out(db.backend, tmp_path / "old"))
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO feedback_secret (id, key) VALUES (1, :key)", {"key": OLD_KEY}
            )
            await tx.execute(
                "INSERT INTO stories (id, guild_id, title, owner_id, source_format, created_at,"
                " updated_at) VALUES (:id, :guild, 'S', 5, 'markdown', 0, 0)",
                {"id": STORY, "guild": GUILD},
            )
            for user in (20, 20, 30):
                await tx.execute(
                    "INSERT INTO notes (guild_id, story_id, author_user_id, sender_hash,"
                    " anonymous, text, created_at)"
                    " VALUES (:guild, :story, NULL, :sender, 1, 'hi', 0)",
                    {
                        "guild": GUILD,
                        "story": STORY,
                        "sender": note_key.sender_hash(OLD_KEY, GUILD, user),
                    },
                )
    except BaseException:
        await db.close()
        raise
    return db


async def _every_value(db: Database) -> list[str]:
    """Every value of every table, as text."""
    if db.backend == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    values = []
    for (table,) in await db.fetch_all(sql):
        for row in await db.fetch_all(f'SELECT * FROM "{table}"'):
            values.extend(str(value) for value in row)
    return values


async def _senders(db: Database) -> list[str]:
    rows = await db.fetch_all("SELECT sender_hash FROM notes ORDER BY id")
    return [str(row[0]) for row in rows]


async def test_migration_carries_the_key_out_into_a_0600_file(
    fresh_url: str, tmp_path: Path
) -> None:
    db = await _old_install(fresh_url, tmp_path)
    key_file = tmp_path / "keys" / "note.key"
    try:
        before = await _senders(db)
        hook = note_key.carry_key_out(None, key_file)
        await apply_migrations(db, before={note_key.NOTE_KEY_MIGRATION: hook})
        values = await _every_value(db)
        assert values, "the scan read the tables"
        assert not any(OLD_KEY in value for value in values)
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert note_key.resolve_note_key(None, key_file) == OLD_KEY
        # A note from the same sender after the migration still matches the stored hashes.
        service = FeedbackService(db, note_key=note_key.resolve_note_key(None, key_file))
        assert await service.sender_hash(GUILD, 20) == before[0]
        assert await _senders(db) == before
    finally:
        await db.close()


async def test_rotation_rekeys_stored_hashes_and_keeps_groups(
    fresh_url: str, tmp_path: Path
) -> None:
    db = await _old_install(fresh_url, tmp_path)
    key_file = tmp_path / "note.key"
    try:
        hook = note_key.carry_key_out(None, key_file)
        await apply_migrations(db, before={note_key.NOTE_KEY_MIGRATION: hook})
        before = await _senders(db)
        done = await note_key.rotate_note_key(db, None, key_file)
        after = await _senders(db)
        assert (done.senders, done.notes) == (2, 3)
        assert set(after).isdisjoint(before)
        # Still grouped per sender: the two notes of user 20 share a hash, user 30's differs.
        assert after[0] == after[1] != after[2]
        new = note_key.read_key_file(key_file)
        assert new is not None and new != OLD_KEY
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert not (tmp_path / "note.key.new").exists()
        with pytest.raises(ConfigError, match="NOTE_KEY is set"):
            await note_key.rotate_note_key(db, "e" * 64, key_file)
    finally:
        await db.close()


def test_note_key_env_wins_over_the_file(tmp_path: Path) -> None:
    key_file = tmp_path / "note.key"
    note_key.write_key_file(key_file, OLD_KEY)
    env_key = "f" * 64
    settings = Settings.from_env({"DISCORD_TOKEN": TOKEN, "NOTE_KEY": env_key}, env_file=None)
    assert settings.note_key == env_key and env_key not in repr(settings)
    assert note_key.resolve_note_key(settings.note_key, key_file) == env_key
    assert note_key.resolve_note_key(None, key_file) == OLD_KEY


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "note.key"
    first = note_key.resolve_note_key(None, key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert note_key.resolve_note_key(None, key_file) == first and len(first) == 64


def test_key_file_sits_beside_sqlite_or_in_data(tmp_path: Path) -> None:
    assert note_key.key_file_for(f"sqlite:///{tmp_path}/x/bot.db") == tmp_path / "x" / "note.key"
    assert note_key.key_file_for("postgresql://u@h/db") == Path("data") / "note.key"
    assert note_key.key_file_for("postgresql://u@h/db", tmp_path / "k") == tmp_path / "k"


def test_an_uncreatable_key_file_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match=r"cannot (create|read) the note key file"):
        note_key.resolve_note_key(None, blocker / "note.key")


def test_a_short_note_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"DISCORD_TOKEN": TOKEN, "NOTE_KEY": "secretish"}, env_file=None)
    assert "secretish" not in str(caught.value)
