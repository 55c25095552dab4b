"""Skipped parts remember where they sat in the source (issue 14): a part between two chapters
goes back there when the author turns it into a chapter, and a re-import (`/story update`)
replaces the stored parts with the new file's. A real migrated database (SQLite, or PostgreSQL
in CI's run), no Discord."""

from __future__ import annotations

import pytest

from bot.actor import Actor
from bot.storage import Database
from bot.stories.authoring import Authoring, prepare_story
from bot.stories.importers import import_story
from bot.stories.records import StoryRecord
from bot.stories.upload_choices import UploadChoices

try:
    from tests.stories.ao3_epub_builders import guided_epub
except ImportError:  # collected without the repository root on sys.path
    from ao3_epub_builders import guided_epub

OWNER = Actor(user_id=1, guild_id=10)

# A list of illustrations between chapters 2 and 3: matter by its title, mid-story.
SOURCE = b"""# The Tale

## Chapter 1

Alice was beginning to get very tired.

## Chapter 2

Curiouser and curiouser, cried Alice.

## Illustrations

The Rabbit, the Pool, the Caucus-Race.

## Chapter 3

They were indeed a queer-looking party.
"""


@pytest.fixture
async def story(db: Database) -> StoryRecord:
    """The uploaded tale: three chapters, the illustrations skipped between 2 and 3."""
    summary = await Authoring(db).upload(OWNER, prepare_story(SOURCE, "tale.md", "text"))
    return summary.story


def openings(texts: list[str]) -> list[str]:
    """The first word of each chapter's text."""
    return [text.split()[0] for text in texts]


async def chapter_openings(choices: UploadChoices, story: StoryRecord) -> list[str]:
    """The first word of each stored chapter, in order."""
    chapters = await choices.stories.chapters(story.id)
    assert [c.number for c in chapters] == list(range(1, len(chapters) + 1))
    return openings([c.to_chapter().text for c in chapters])


def test_the_importer_records_a_mid_story_part_between_its_chapters() -> None:
    story = import_story(SOURCE, "tale.md")
    part = next(p for p in story.skipped if p.reason == "list of illustrations")
    assert (part.front, part.after_chapter) == (False, 2)


def test_an_epub_page_left_out_between_chapters_keeps_its_place() -> None:
    bodies = {
        "c1": "<h2>One</h2><p>start</p>",
        "legal": "<p>All rights reserved. Printed somewhere nice.</p>",
        "c2": "<h2>Two</h2><p>next</p>",
    }
    story = import_story(guided_epub(bodies, [("One", "c1"), ("Two", "c2")], "legal"), "t.epub")
    part = next(p for p in story.skipped if "All rights reserved" in p.text)
    assert part.after_chapter == 1


async def test_a_mid_story_part_is_restored_at_its_place(db: Database, story: StoryRecord) -> None:
    choices = UploadChoices(db)
    parts = (await choices.options(OWNER, story)).parts
    illustrations = next(p for p in parts if p.reason == "list of illustrations")
    assert illustrations.after_chapter == 2
    done = await choices.restore(OWNER, story, illustrations.id)
    assert (done.number, done.chapters) == (3, 4)
    # The part's own heading is the chapter's title now, not its first paragraph too.
    assert await chapter_openings(choices, story) == ["Alice", "Curiouser", "The", "They"]
    third = (await choices.stories.chapters(story.id))[2]
    pages = await choices.stories.pages(third.id)
    assert pages[0].content.startswith("**Chapter 3: Illustrations**\n\nThe Rabbit, the Pool")


async def test_a_dropped_chapter_comes_back_at_its_place_and_later_parts_follow(
    db: Database, story: StoryRecord
) -> None:
    choices = UploadChoices(db)
    await choices.drop(OWNER, story, 2)
    assert await chapter_openings(choices, story) == ["Alice", "They"]
    parts = {p.reason: p for p in await choices.parts.parts(story.id)}
    # The illustrations came after the dropped chapter 2: one chapter fewer before them now.
    assert parts["list of illustrations"].after_chapter == 1
    assert parts["dropped by an author"].after_chapter == 1
    back = await choices.restore(OWNER, story, parts["dropped by an author"].id)
    assert back.number == 2
    assert await chapter_openings(choices, story) == ["Alice", "Curiouser", "They"]
    after = {p.reason: p for p in await choices.parts.parts(story.id)}
    assert after["list of illustrations"].after_chapter == 2
    await choices.restore(OWNER, story, after["list of illustrations"].id)
    assert await chapter_openings(choices, story) == ["Alice", "Curiouser", "The", "They"]


async def test_an_update_replaces_the_stored_skipped_parts(
    db: Database, story: StoryRecord
) -> None:
    choices = UploadChoices(db)
    await choices.drop(OWNER, story, 1)  # an author's choice on the old file
    second = SOURCE.replace(b"## Illustrations", b"## Colophon").replace(
        b"the Caucus-Race.", b"the Caucus-Race, the Trial."
    )
    await Authoring(db).update(OWNER, story, prepare_story(second, "tale.md", "text"))
    parts = await choices.parts.parts(story.id)
    assert [(p.title, p.reason, p.after_chapter) for p in parts] == [("Colophon", "colophon", 2)]
    assert parts[0].body.endswith("the Trial.")
    assert await chapter_openings(choices, story) == ["Alice", "Curiouser", "They"]
