"""The storage seam holds: nothing outside `bot/storage/` is tied to SQLite.

Repositories talk to `bot.storage.Database`/`Transaction` in portable SQL (see
`bot/storage/database.py`), so a PostgreSQL backend can plug in behind the same seam. These
checks read the source (with `ast`, so comments and docstrings do not count as code).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.storage import Database, SQLiteDatabase, Transaction, known_version
from bot.storage.batch import returns_rows, statement_runs
from bot.storage.repository import upsert_sql

ROOT = Path(__file__).resolve().parents[2]
STORAGE = ROOT / "bot" / "storage"
SCANNED = [ROOT / "bot", ROOT / "cogs"]

# Files that still break a rule, each for the listed checks only. Keep this list shrinking.
KNOWN_EXCEPTIONS: dict[str, set[str]] = {}

# SQL that only SQLite understands, and what to write instead.
SQLITE_ONLY = {
    "COLLATE NOCASE": re.compile(r"\bCOLLATE\s+NOCASE\b", re.IGNORECASE),  # lower(x) = lower(:y)
    "INSERT OR": re.compile(r"\bINSERT\s+OR\s+(IGNORE|REPLACE)\b", re.IGNORECASE),  # ON CONFLICT
    "BEGIN IMMEDIATE": re.compile(r"\bBEGIN\s+IMMEDIATE\b", re.IGNORECASE),  # db.transaction()
    "PRAGMA": re.compile(r"\bPRAGMA\b|\bpragma_\w+", re.IGNORECASE),  # backend methods
    "last_insert_rowid": re.compile(r"\blast_insert_rowid\s*\(", re.IGNORECASE),  # RETURNING
}
_SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|VALUES|WHERE|SET)\b")
DRIVERS = {"sqlite3", "aiosqlite"}
BACKENDS = {"bot.storage.sqlite"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    """Every module under bot/ and cogs/ except bot/storage/, with its repo-relative path."""
    for base in SCANNED:
        for path in sorted(base.rglob("*.py")):
            if STORAGE in path.parents:
                continue
            relative = path.relative_to(ROOT).as_posix()
            yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def _strings(tree: ast.Module) -> Iterator[str]:
    """The string literals of a module (f-strings as their literal parts), docstrings excluded."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield "".join(
                part.value
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.value


def _imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def _placeholders(tree: ast.Module) -> Iterator[str]:
    """SQL text with a `?` placeholder, and `"?" for ...` lists of them built for SQL."""
    for text in _strings(tree):
        if "?" in text and _SQL_WORDS.search(text):
            yield text.strip()[:80]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.GeneratorExp | ast.ListComp)
            and isinstance(node.elt, ast.Constant)
            and node.elt.value == "?"
        ):
            yield f"'?' repeated at line {node.lineno}"


def _findings(check: str) -> dict[str, list[str]]:
    """What each module does that `check` forbids (empty lists for clean modules)."""
    found: dict[str, list[str]] = {}
    for path, tree in _modules():
        if check == "driver import":
            found[path] = [name for name in _imports(tree) if name.split(".")[0] in DRIVERS]
        elif check == "backend import":
            found[path] = [name for name in _imports(tree) if name in BACKENDS]
        elif check == "? placeholder":
            found[path] = list(_placeholders(tree))
        else:
            pattern = SQLITE_ONLY[check]
            found[path] = [text.strip()[:80] for text in _strings(tree) if pattern.search(text)]
    return found


def _violations(check: str) -> list[str]:
    return [
        f"{path}: {detail}"
        for path, details in _findings(check).items()
        for detail in details
        if check not in KNOWN_EXCEPTIONS.get(path, set())
    ]


def test_no_database_driver_is_imported_outside_storage() -> None:
    assert _violations("driver import") == []


def test_repositories_depend_on_the_seam_not_on_a_backend() -> None:
    assert _violations("backend import") == []


@pytest.mark.parametrize("check", sorted(SQLITE_ONLY))
def test_no_sqlite_only_sql_outside_storage(check: str) -> None:
    assert _violations(check) == []


def test_sql_uses_named_parameters() -> None:
    assert _violations("? placeholder") == []


def test_known_exceptions_are_still_needed() -> None:
    """A file that now follows a rule must leave KNOWN_EXCEPTIONS, so the list only shrinks."""
    stale = [
        f"{path}: {check}"
        for path, checks in KNOWN_EXCEPTIONS.items()
        for check in sorted(checks)
        if not _findings(check).get(path)
    ]
    assert stale == [], "these now pass; remove them from KNOWN_EXCEPTIONS"


def test_the_sqlite_backend_implements_the_whole_seam() -> None:
    assert issubclass(SQLiteDatabase, Database)
    assert SQLiteDatabase.backend == "sqlite"
    assert not getattr(SQLiteDatabase, "__abstractmethods__", None)
    for name in ("fetch_all", "fetch_one", "fetch_value", "execute", "executemany"):
        assert callable(getattr(Transaction, name))


async def test_rows_read_by_name_and_by_position(db: Database) -> None:
    row = await db.fetch_one("SELECT 7 AS seven, 'x' AS letter")
    assert row is not None
    assert (row["seven"], row[0], row["letter"], row[1], len(row)) == (7, 7, "x", "x", 2)
    assert dict(row) == {"seven": 7, "letter": "x"}
    assert list(row) == [7, "x"]


async def test_named_parameters_bind_from_a_dict_and_extra_keys_are_ignored(db: Database) -> None:
    # Typed, because PostgreSQL cannot add two parameters of unknown type.
    value = await db.fetch_value(
        "SELECT CAST(:a AS INTEGER) + CAST(:b AS INTEGER)", {"a": 2, "b": 3, "unused": 9}
    )
    assert value == 5
    async with db.transaction() as tx:
        assert await tx.fetch_value("SELECT lower(:t) = lower('ABC')", {"t": "aBc"}) == 1


async def test_upsert_sql_inserts_then_updates(db: Database) -> None:
    sql = upsert_sql("user_settings", ("user_id",), ("timezone",))
    assert "ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone" in sql
    async with db.transaction() as tx:
        assert await tx.execute(sql, {"user_id": 1, "timezone": "UTC"}) == 1
        await tx.execute(sql, {"user_id": 1, "timezone": "Europe/Paris"})
    zone = await db.fetch_value("SELECT timezone FROM user_settings WHERE user_id = :id", {"id": 1})
    assert zone == "Europe/Paris"
    assert upsert_sql("t", ("k",), ()).endswith("ON CONFLICT (k) DO NOTHING")


async def test_write_batch_binds_named_parameters_and_returns_rows(db: Database) -> None:
    results = await db.write_batch(
        [
            (
                upsert_sql("user_settings", ("user_id",), ("timezone",)),
                {"user_id": 5, "timezone": "UTC"},
            ),
            ("SELECT timezone FROM user_settings WHERE user_id = :id", {"id": 5}),
        ]
    )
    assert [[tuple(row) for row in rows] for rows in results] == [[], [("UTC",)]]


@pytest.mark.sqlite_only(reason="checks the SQLite file's location")
async def test_the_backend_keeps_the_schema_version(db: Database, db_path: Path) -> None:
    assert db.backend == "sqlite"
    assert db.location == str(db_path)
    assert await db.schema_version() == known_version(backend=db.backend)
    assert db.split_script("CREATE TABLE a (x); -- note\nCREATE TABLE b (y);") == [
        "CREATE TABLE a (x);",
        "-- note\nCREATE TABLE b (y);",
    ]


@pytest.mark.sqlite_only(reason="checks the SQLite file's location")
async def test_database_open_chooses_the_backend_from_the_url(db_path: Path) -> None:
    async with await Database.open(f"sqlite:///{db_path}") as db:
        assert isinstance(db, SQLiteDatabase)
        assert db.location == str(db_path)
    with pytest.raises(ConfigError, match="neither SQLite nor PostgreSQL"):
        await Database.open("mysql://bot:secret@db.example/chapterbot")


async def test_write_batch_sends_runs_at_once_and_keeps_rows_and_order(db: Database) -> None:
    insert = upsert_sql("user_settings", ("user_id",), ("timezone",))
    returning = (
        "INSERT INTO user_settings (user_id, timezone) VALUES (:user_id, :timezone)"
        " RETURNING user_id"
    )
    results = await db.write_batch(
        [
            (insert, {"user_id": 1, "timezone": "UTC"}),
            (insert, {"user_id": 2, "timezone": "UTC"}),
            (insert, {"user_id": 1, "timezone": "Europe/Paris"}),  # a later one in a run wins
            (returning, {"user_id": 3, "timezone": "Asia/Tokyo"}),
            (returning, {"user_id": 4, "timezone": "Asia/Tokyo"}),
            ("SELECT count(*) FROM user_settings WHERE timezone = :z", {"z": "UTC"}),
        ]
    )
    shapes = [[tuple(row) for row in rows] for rows in results]
    assert shapes == [[], [], [], [(3,)], [(4,)], [(1,)]]
    stored = await db.fetch_all("SELECT user_id, timezone FROM user_settings ORDER BY user_id")
    assert [tuple(r) for r in stored] == [
        (1, "Europe/Paris"),
        (2, "UTC"),
        (3, "Asia/Tokyo"),
        (4, "Asia/Tokyo"),
    ]


async def test_a_failing_statement_in_a_run_rolls_the_whole_batch_back(db: Database) -> None:
    plain = "INSERT INTO user_settings (user_id, timezone) VALUES (:user_id, :timezone)"
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await db.write_batch(
            [
                (plain, {"user_id": 7, "timezone": "UTC"}),
                (plain, {"user_id": 8, "timezone": "UTC"}),
                (plain, {"user_id": 7, "timezone": "UTC"}),  # the primary key again
            ]
        )
    assert await db.fetch_value("SELECT count(*) FROM user_settings") == 0


def test_statement_runs_group_neighbours_only() -> None:
    statements = [("A", {"n": 1}), ("A", {"n": 2}), ("B", {}), ("A", {"n": 3})]
    assert statement_runs(statements) == [
        ("A", [{"n": 1}, {"n": 2}]),
        ("B", [{}]),
        ("A", [{"n": 3}]),
    ]
    assert returns_rows("  select 1") and returns_rows("INSERT INTO t VALUES (1)\nRETURNING id")
    assert not returns_rows("INSERT INTO t (returning_soon) VALUES (1)")
