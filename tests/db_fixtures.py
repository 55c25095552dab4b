"""Fixtures for the storage tests: a real, migrated database, SQLite or PostgreSQL.

By default the database is a SQLite file in a temporary directory. With `TEST_DATABASE_URL`
(or `pytest --database-url`) naming a PostgreSQL server, the run creates its own fresh database
there (dropped at the end; `testkit.pgtest`), and every test starts with its tables emptied.
Tests that only make sense on a SQLite file are marked `sqlite_only` and skipped on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.storage import Database, apply_migrations, open_database
from bot.stories.model import (
    BlockQuote,
    Chapter,
    Paragraph,
    SceneBreak,
    Span,
    Story,
    plain_paragraph,
)
from testkit import pgtest

StoryFactory = Callable[..., Story]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives (its directory does not exist yet)."""
    return tmp_path / "data" / "chapterbot.db"


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--database-url`: run the database tests on that PostgreSQL server."""
    parser.addoption(
        "--database-url",
        default=None,
        help="PostgreSQL server URL for the database tests (default: TEST_DATABASE_URL, "
        "else SQLite files); each run creates and drops its own database there",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the `sqlite_only` marker."""
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test needs a SQLite file; skipped on PostgreSQL"
    )


def server_url_for(config: pytest.Config) -> str | None:
    """The PostgreSQL server the run tests against, or None for SQLite."""
    url = config.getoption("--database-url") or os.environ.get("TEST_DATABASE_URL") or None
    return url if pgtest.is_postgres_url(url) else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `sqlite_only` tests when the run is on PostgreSQL."""
    if server_url_for(config) is None:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(scope="session")
def postgres_run_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """This run's own fresh, migrated PostgreSQL database (None when testing on SQLite)."""
    server = server_url_for(request.config)
    if server is None:
        yield None
        return
    url = asyncio.run(pgtest.create_database(server))

    async def migrate() -> None:
        await (await open_database(url)).close()

    try:
        asyncio.run(migrate())
        yield url
    finally:
        asyncio.run(pgtest.drop_database(server, url))


@pytest.fixture
def database_url(postgres_run_url: str | None, db_path: Path) -> str:
    """The `DATABASE_URL` of this test's (empty, migrated on PostgreSQL) database."""
    if postgres_run_url is None:
        return f"sqlite:///{db_path}"
    asyncio.run(pgtest.empty_tables(postgres_run_url))
    return postgres_run_url


@pytest.fixture
def fresh_postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty (unmigrated) PostgreSQL database for one test; skips on a SQLite run."""
    server = server_url_for(request.config)
    if server is None:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (CI's PostgreSQL run does)")
    url = asyncio.run(pgtest.create_database(server, prefix="chapterbot_fresh"))
    try:
        yield url
    finally:
        asyncio.run(pgtest.drop_database(server, url))


@pytest.fixture
def on_postgres(postgres_run_url: str | None) -> bool:
    """Whether this run's database tests are on PostgreSQL."""
    return postgres_run_url is not None


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """An open database with every migration applied."""
    database = await Database.open(database_url)
    await apply_migrations(database)
    yield database
    await database.close()


def _chapter(number: int) -> Chapter:
    return Chapter(
        number=number,
        title=f"Chapter {number}",
        notes=f"notes {number}",
        blocks=[
            Paragraph((Span("It was a "), Span("dark", italic=True), Span(" night."))),
            SceneBreak(),
            BlockQuote((plain_paragraph("A quoted line"),)),
            plain_paragraph(f"Words of chapter {number}."),
        ],
    )


@pytest.fixture
def make_story() -> StoryFactory:
    """Build a small `Story` with `chapters` chapters and the given title."""

    def build(title: str = "The Long Night", chapters: int = 2) -> Story:
        return Story(
            title=title,
            authors=["Ann Writer"],
            summary="A summary.",
            rating="Teen",
            warnings=["No Archive Warnings Apply"],
            tags=["Angst", "Fluff"],
            language="en",
            source_format="ao3-html",
            chapters=[_chapter(n) for n in range(1, chapters + 1)],
        )

    return build


def pages_for(story: Story, per_chapter: int = 2) -> list[list[str]]:
    """Rendered-page stand-ins for every chapter of `story`."""
    return [
        [f"ch{chapter.number} page {page}" for page in range(1, per_chapter + 1)]
        for chapter in story.chapters
    ]


@pytest.fixture
def make_pages() -> Callable[..., list[list[str]]]:
    """`pages_for` as a fixture, so test modules need not import conftest."""
    return pages_for
