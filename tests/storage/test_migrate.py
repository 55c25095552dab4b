"""Migrations: applied once, versioned in user_version, atomic, and never run backwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.storage import Database, apply_migrations, current_version, known_version
from bot.storage.migrate import MigrationError, load_migrations, split_statements

# SQLite's migration mechanics (user_version, sqlite_master, trigger bodies); PostgreSQL's are
# tested in test_postgres.py.
pytestmark = pytest.mark.sqlite_only(reason="SQLite migration mechanics")

TABLES = {
    "guild_settings",
    "user_settings",
    "stories",
    "story_authors",
    "chapters",
    "pages",
    "schedules",
    "releases",
    "release_events",
}


async def _tables(db: Database) -> set[str]:
    rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


async def test_a_new_database_is_brought_to_the_known_version(db_path: Path) -> None:
    async with await Database.open(db_path) as db:
        assert await current_version(db) == 0
        applied = await apply_migrations(db)
        assert applied == list(range(1, known_version() + 1))
        assert await current_version(db) == known_version() >= 1
        assert await _tables(db) >= TABLES


async def test_migrating_again_applies_nothing(db: Database, db_path: Path) -> None:
    assert await apply_migrations(db) == []
    async with await Database.open(db_path) as again:
        assert await apply_migrations(again) == []
        assert await current_version(again) == known_version()


def _write(directory: Path, name: str, sql: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(sql, encoding="utf-8")


async def test_a_failing_migration_rolls_back_entirely(db_path: Path, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    _write(migrations, "0001_first.sql", "CREATE TABLE one (id INTEGER PRIMARY KEY);")
    _write(
        migrations,
        "0002_broken.sql",
        "CREATE TABLE two (id INTEGER PRIMARY KEY);\n"
        "INSERT INTO one (id) VALUES (1);\n"
        "INSERT INTO no_such_table VALUES (1);\n",
    )
    async with await Database.open(db_path) as db:
        with pytest.raises(MigrationError, match=r"0002_broken\.sql") as info:
            await apply_migrations(db, migrations_dir=migrations)
        assert "left at version 1" in str(info.value)
        assert await current_version(db) == 1
        tables = await _tables(db)
        assert "one" in tables and "two" not in tables
        assert await db.fetch_value("SELECT count(*) FROM one") == 0
        # Fixing the file lets the next start-up finish the job.
        _write(migrations, "0002_broken.sql", "CREATE TABLE two (id INTEGER PRIMARY KEY);")
        assert await apply_migrations(db, migrations_dir=migrations) == [2]
        assert await current_version(db) == 2


async def test_a_database_newer_than_the_code_is_refused(db: Database) -> None:
    newer = known_version() + 1
    async with db.transaction() as tx:
        await tx.execute(f"PRAGMA user_version = {newer}")
    with pytest.raises(ConfigError, match=f"schema version {newer}"):
        await apply_migrations(db)
    assert await current_version(db) == newer


def test_migration_files_must_be_numbered_without_gaps(tmp_path: Path) -> None:
    _write(tmp_path / "gap", "0001_a.sql", "SELECT 1;")
    _write(tmp_path / "gap", "0003_c.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match="without gaps"):
        load_migrations(tmp_path / "gap")
    _write(tmp_path / "dup", "0001_a.sql", "SELECT 1;")
    _write(tmp_path / "dup", "001_b.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match="share version 1"):
        load_migrations(tmp_path / "dup")
    _write(tmp_path / "bad", "initial.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match="not named like"):
        load_migrations(tmp_path / "bad")


def test_the_shipped_migrations_load_from_package_data() -> None:
    migrations = load_migrations()
    assert migrations[0].name == "0001_initial.sql"
    assert "CREATE TABLE stories" in migrations[0].sql


async def test_statements_split_on_real_ends_only(db: Database) -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE t (x TEXT DEFAULT 'a;b'); /* block; comment */
    CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN
        UPDATE t SET x = 'y;' WHERE rowid = new.rowid;
    END;
    INSERT INTO t VALUES ('1'); INSERT INTO t VALUES ('2');
    -- trailing comment
    """
    statements = split_statements(script)
    assert len(statements) == 4
    assert "CREATE TRIGGER" in statements[1] and statements[1].endswith("END;")
    async with db.transaction() as tx:
        for statement in statements:
            await tx.execute(statement)
    assert await db.fetch_value("SELECT group_concat(x, ',') FROM t") == "y;,y;"
    with pytest.raises(MigrationError, match="no closing"):
        split_statements("CREATE TABLE t (x);\nCREATE TABLE u (y)")
