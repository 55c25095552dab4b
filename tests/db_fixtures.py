"""Fixtures for the storage tests: a real, migrated SQLite file in a temporary directory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.storage import Database, apply_migrations
from bot.stories.model import (
    BlockQuote,
    Chapter,
    Paragraph,
    SceneBreak,
    Span,
    Story,
    plain_paragraph,
)

StoryFactory = Callable[..., Story]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives (its directory does not exist yet)."""
    return tmp_path / "data" / "chapterbot.db"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    """An open database with every migration applied."""
    database = await Database.open(db_path)
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
