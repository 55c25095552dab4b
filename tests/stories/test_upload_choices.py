"""Upload choices (issue 14): a skipped part becomes a chapter, a chapter is dropped — only by
authors, only before the story starts going out. A real migrated database (SQLite, or
PostgreSQL in CI's run), no Discord."""

from __future__ import annotations

import pytest

from bot.actor import Actor
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.storage import Database
from bot.stories.authoring import Authoring, prepare_story
from bot.stories.records import StoryRecord
from bot.stories.upload_choices import DROPPED_REASON, UploadChoices

GUILD = 10
OWNER = Actor(user_id=1, guild_id=GUILD)
STRANGER = Actor(user_id=3, guild_id=GUILD)

# A Gutenberg-style file: header, two chapters, licence.
SOURCE = "\n".join(
    [
        "*** START OF THE PROJECT GUTENBERG EBOOK TALE ***",
        "",
        "The Tale",
        "",
        "Chapter 1",
        "",
        "Alice was beginning to get very tired.",
        "",
        "Chapter 2",
        "",
        "Curiouser and curiouser, cried Alice.",
        "",
        "*** END OF THE PROJECT GUTENBERG EBOOK TALE ***",
        "",
        "Licence words here.",
    ]
).encode()


@pytest.fixture
async def story(db: Database) -> StoryRecord:
    """The uploaded tale (two chapters, a header and a licence skipped)."""
    summary = await Authoring(db).upload(OWNER, prepare_story(SOURCE, "tale.txt", "text"))
    return summary.story


async def test_skipped_parts_are_stored_with_their_text(db: Database, story: StoryRecord) -> None:
    options = await UploadChoices(db).options(OWNER, story)
    assert [(p.title, p.front) for p in options.parts] == [
        ("Project Gutenberg header", True),
        ("Project Gutenberg licence", False),
    ]
    assert "Licence words here." in options.parts[1].body
    assert [c.number for c in options.chapters] == [1, 2]
    assert not options.started


async def test_a_back_part_becomes_the_last_chapter_with_its_pages(
    db: Database, story: StoryRecord
) -> None:
    choices = UploadChoices(db)
    licence = (await choices.options(OWNER, story)).parts[1]
    done = await choices.restore(OWNER, story, licence.id)
    assert (done.number, done.chapters) == (3, 3)
    chapters = await choices.stories.chapters(story.id)
    assert [c.title for c in chapters][-1] == "Project Gutenberg licence"
    pages = await choices.stories.pages(chapters[-1].id)
    assert "Licence words here." in pages[0].content
    assert [p.title for p in await choices.parts.parts(story.id)] == ["Project Gutenberg header"]


async def test_a_dropped_chapter_becomes_a_skipped_part_and_the_rest_renumber(
    db: Database, story: StoryRecord
) -> None:
    choices = UploadChoices(db)
    done = await choices.drop(OWNER, story, 1)
    assert done.chapters == 1
    chapters = await choices.stories.chapters(story.id)
    assert [(c.number, c.to_chapter().text[:9]) for c in chapters] == [(1, "Curiouser")]
    pages = await choices.stories.pages(chapters[0].id)
    assert "Curiouser" in pages[0].content
    dropped = (await choices.parts.parts(story.id))[-1]
    assert (dropped.reason, dropped.front) == (DROPPED_REASON, True)
    assert "Alice was beginning" in dropped.body
    back = await choices.restore(OWNER, story, dropped.id)
    assert back.number == 1
    first = (await choices.stories.chapters(story.id))[0]
    assert first.to_chapter().text.startswith("Alice")
    assert (first.label, first.title) == ("Chapter 1", None)  # back under its own label


async def test_only_authors_choose_and_never_the_last_chapter(
    db: Database, story: StoryRecord
) -> None:
    choices = UploadChoices(db)
    with pytest.raises(NotAllowed):
        await choices.drop(STRANGER, story, 1)
    with pytest.raises(NotFound):
        await choices.restore(OWNER, story, 99_999)
    await choices.drop(OWNER, story, 2)
    with pytest.raises(InvalidInput):
        await choices.drop(OWNER, story, 1)


async def test_no_choice_once_a_chapter_is_released(db: Database, story: StoryRecord) -> None:
    choices = UploadChoices(db)
    first = (await choices.stories.chapters(story.id))[0]
    await choices.stories.mark_chapter_released(first.id, 1_700_000_000)
    assert (await choices.options(OWNER, story)).started
    with pytest.raises(NotAllowed, match="started going out"):
        await choices.drop(OWNER, story, 2)
    assert len(await choices.stories.chapters(story.id)) == 2
