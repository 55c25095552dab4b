"""`chapterbot export`: a story file converted, and a stored story exported from the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.actor import Actor
from bot.storage import open_database
from bot.stories.authoring import Authoring, prepare_story
from bot.stories.importers import import_story
from bot.stories.repository import StoryRepository

GUILD = 10
OWNER = Actor(user_id=1, guild_id=GUILD)
STORY = (
    b"# A Stored Story\n\n## Chapter 1: Dawn\n\nOne.\n\n## Chapter 2: Noon\n\nTwo.\n\n"
    b"## Chapter 3: Dusk\n\nThree.\n"
)


async def _stored(url: str) -> tuple[str, int]:
    """A stored story (chapter 1 released) in the run's database, and that database's URL."""
    db = await open_database(url)
    try:
        summary = await Authoring(db).upload(OWNER, prepare_story(STORY, "s.md", "text"))
        repo = StoryRepository(db)
        first = await repo.chapter(summary.story.id, 1)
        assert first is not None
        await repo.mark_chapter_released(first.id, 1_700_000_000)
    finally:
        await db.close()
    return url, summary.story.id


def test_a_file_is_converted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "story.md"
    source.write_bytes(STORY)
    out = tmp_path / "story.epub"
    assert main(["export", str(source), "--format", "epub", "-o", str(out)]) == 0
    story = import_story(out.read_bytes(), out.name)
    assert [c.title for c in story.chapters] == ["Dawn", "Noon", "Dusk"]
    assert "story.epub" in capsys.readouterr().out


async def test_a_stored_story_is_exported_by_id_and_title(
    tmp_path: Path, database_url: str
) -> None:
    url, story_id = await _stored(database_url)
    # main() runs its own event loop, so it is called from a worker thread.
    out = tmp_path / "all.md"

    args = ["export", "--db", url, "--story", str(story_id), "--format", "md", "-o", str(out)]
    assert await asyncio.to_thread(main, args) == 0
    assert len(import_story(out.read_bytes(), "all.md").chapters) == 3
    reader = tmp_path / "reader.html"
    args = ["export", "--db", url, "--story", "a stored story", "--guild", str(GUILD)]
    args += ["--released-only", "--format", "html", "-o", str(reader)]
    assert await asyncio.to_thread(main, args) == 0
    assert [c.text for c in import_story(reader.read_bytes(), "r.html").chapters] == ["One."]


async def test_bad_story_references_are_one_line_errors(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = await _stored(database_url)
    no_guild = ["export", "--db", url, "--story", "Dawn", "--format", "md"]
    assert await asyncio.to_thread(main, no_guild) == 2
    assert "needs --guild" in capsys.readouterr().err
    both = ["export", "x.md", "--db", url, "--story", "1", "--format", "md"]
    assert await asyncio.to_thread(main, both) == 2
    assert "either FILE" in capsys.readouterr().err
