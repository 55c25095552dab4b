"""`/story` end to end: upload, list, info, preview, update, edit, delete, and bad uploads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.client import ChapterBot
from bot.stories.importers import import_story
from bot.stories.paginate import paginate_story
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from testkit.emulator.model import Message, User

pytestmark = pytest.mark.e2e

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

THREE_CHAPTERS = (
    b"# Three Small Chapters\n\n"
    b"## Chapter 1\n\nThe first chapter begins here.\n\n"
    b"## Chapter 2\n\nThe second chapter goes on.\n\n"
    b"## Chapter 3\n\nThe third chapter ends it.\n"
)


def corpus_file(name: str) -> bytes:
    """A file of the shared corpus, or skip the test when the corpus is absent."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file ../shared/corpus/{path.name} is absent")
    return path.read_bytes()


async def upload(
    emu: DiscordEmulator, user: User, name: str, data: bytes, **options: Any
) -> InteractionResult:
    """`/story upload` as `user`, waiting for the deferred answer."""
    result = await emu.slash(user, "story upload", file=emu.upload(name, data), **options)
    return await result.final() if result.deferred else result


def answer(result: InteractionResult) -> Message:
    """The message the user finally saw (an edited deferral, or the error followup)."""
    message = result.last
    assert message is not None, "the bot gave no answer"
    return message


def text_of(message: Message) -> str:
    """Everything a message shows as one string: content, then embeds as JSON."""
    return message.content + "\n" + json.dumps(message.embeds, ensure_ascii=False)


def field(message: Message, name: str) -> str:
    """The value of the embed field called `name`."""
    for embed in message.embeds:
        for item in embed.get("fields", []):
            if item["name"] == name:
                return str(item["value"])
    raise AssertionError(f"no field {name!r} in {message.embeds}")


def repo(bot: ChapterBot) -> StoryRepository:
    """A story repository on the running bot's database."""
    return StoryRepository(bot.database)


async def only_story_id(bot: ChapterBot, emu: DiscordEmulator) -> int:
    """The id of the one story stored in the test guild."""
    stories = await repo(bot).list_for_guild(emu.guild.id)
    assert len(stories) == 1, stories
    return stories[0].id


async def test_seed_upload_reports_the_importer_numbers(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    raw = corpus_file("kiss-of-blood.txt")
    expected = import_story(raw, "kiss-of-blood.txt")
    pages = paginate_story(expected, "text")
    result = await upload(emulator, emulator.user("alice"), "kiss-of-blood.txt", raw)

    reply = answer(result)
    assert reply.ephemeral
    assert expected.title in reply.embeds[0]["title"]
    assert field(reply, "Chapters").startswith(f"{len(expected.chapters):,} ")
    assert field(reply, "Words") == f"{expected.word_count:,}"
    assert field(reply, "Pages") == f"{sum(map(len, pages)):,}"
    assert field(reply, "Rating") == (expected.rating or "Not set")
    assert field(reply, "Warnings") == (", ".join(expected.warnings) or "None")
    assert all(a in field(reply, "Authors") for a in expected.authors)
    assert f"<@{emulator.user('alice').id}>" in field(reply, "Authors")
    assert reply.custom_ids() == ["cb:story:preview:1", "cb:story:schedule:1", "cb:story:choices:1"]

    story = (await repo(chapterbot).list_for_guild(emulator.guild.id))[0]
    assert story.owner_id == emulator.user("alice").id
    stored = [
        [p.content for p in await repo(chapterbot).pages(c.id)]
        for c in await repo(chapterbot).chapters(story.id)
    ]
    assert stored == pages

    listing = await emulator.slash(emulator.user("bob"), "story list")
    assert listing.ephemeral and expected.title in text_of(listing.message)
    info = await emulator.slash(emulator.user("bob"), "story info", story="kiss of BLOOD")
    assert info.ephemeral and field(info.message, "Words") == f"{expected.word_count:,}"
    choices = await emulator.autocomplete(
        emulator.user("bob"), "story info", focused="story", story="kis"
    )
    assert choices == [{"name": expected.title, "value": str(story.id)}]


async def test_moby_dick_preview_pages_and_picker_past_25(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    raw = corpus_file("moby-dick.epub")
    expected = import_story(raw, "moby-dick.epub")
    pages = paginate_story(expected, "text")
    alice = emulator.user("alice")
    reply = answer(await upload(emulator, alice, "moby-dick.epub", raw))
    assert field(reply, "Chapters").startswith(f"{len(expected.chapters):,} ")
    assert field(reply, "Pages") == f"{sum(map(len, pages)):,}"
    story_id = await only_story_id(chapterbot, emulator)
    numbers = [c.number for c in expected.chapters]

    preview = await emulator.slash(alice, "story preview", story=str(story_id), chapter=1)
    assert preview.ephemeral
    message = preview.message
    assert message is not None and message.content == pages[0][0]
    if len(pages[0]) > 1:
        turned = await emulator.click(alice, message, "preview:next")
        assert turned.message.content == pages[0][1]
    options = picker_values(message)
    assert len(options) == 24  # 23 chapters and the way to the next ones
    assert options[-1].startswith("nav:")
    assert options[:23] == [f"ch:{n}" for n in numbers[:23]]

    later = await emulator.click(alice, message, "preview:chapter", values=[options[-1]])
    window = picker_values(later.message)
    assert window[0].startswith("nav:") and window[-1].startswith("nav:")
    assert window[1:-1] == [f"ch:{n}" for n in numbers[23:46]]
    picked = await emulator.click(alice, message, "preview:chapter", values=[f"ch:{numbers[30]}"])
    assert picked.message.content == pages[30][0]
    assert f"Ch. {numbers[30]} · page 1/{len(pages[30])}" in json.dumps(
        picked.message.components, ensure_ascii=False
    )

    refused = await emulator.slash(
        emulator.user("bob"), "story preview", story="Moby-Dick", chapter=1
    )
    assert refused.ephemeral and "authors" in refused.content


def picker_values(message: Message) -> list[str]:
    """The option values of the preview's chapter picker."""
    for row in message.components:
        for item in row.get("components", []):
            if item.get("custom_id") == "preview:chapter":
                return [option["value"] for option in item["options"]]
    raise AssertionError("no chapter picker")


BAD_UPLOADS = [
    ("empty.txt", b"", "empty"),
    ("noise.txt", bytes(range(256)) * 40, "binary"),
    ("story.pdf", b"%PDF-1.7 not a story", "unsupported type"),
    ("broken.epub", b"PK\x03\x04 this is no zip at all" * 10, "EPUB is damaged"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_UPLOADS)
async def test_bad_uploads_are_refused_and_nothing_is_stored(
    emulator: DiscordEmulator, chapterbot: ChapterBot, name: str, data: bytes, reason: str
) -> None:
    result = await upload(emulator, emulator.user("alice"), name, data)
    reply = answer(result)
    assert reply.ephemeral
    assert reason in reply.content
    assert "Traceback" not in reply.content and "error id" not in reply.content
    assert await repo(chapterbot).list_for_guild(emulator.guild.id) == []


async def test_a_too_big_file_is_refused_before_it_is_downloaded(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    big = b"word " * (11 * 1024 * 1024 // 5)
    result = await upload(emulator, emulator.user("alice"), "huge.txt", big)
    assert result.type == 4 and result.ephemeral
    assert "limit is 10 MB" in result.content
    assert emulator.stats.get("cdn_downloads", 0) == 0
    assert await repo(chapterbot).list_for_guild(emulator.guild.id) == []
    # A normal upload does download, so the counter above really watches the CDN.
    await upload(emulator, emulator.user("alice"), "small.md", THREE_CHAPTERS)
    assert emulator.stats["cdn_downloads"] == 1


async def test_update_replaces_unreleased_chapters_and_appends_new_ones(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    await upload(emulator, alice, "three.md", THREE_CHAPTERS)
    stories = repo(chapterbot)
    story_id = await only_story_id(chapterbot, emulator)
    first = (await stories.chapters(story_id))[0]
    released_pages = await stories.pages(first.id)
    # Simulate a release of chapter 1: its pages got message ids and the chapter a date.
    for n, page in enumerate(released_pages):
        await stories.mark_page_posted(page.id, 42, 9000 + n, 1_000)
    await stories.mark_chapter_released(first.id, 1_000)
    chapter_two_ids = [p.id for p in await stories.pages((await stories.chapters(story_id))[1].id)]

    new_text = (
        b"# Three Small Chapters\n\n"
        b"## Chapter 1\n\nA rewritten first chapter that must be ignored.\n\n"
        b"## Chapter 2\n\nThe second chapter, revised.\n\n"
        b"## Chapter 3\n\nThe third chapter, revised.\n\n"
        b"## Chapter 4\n\nA brand new fourth chapter.\n"
    )
    result = await emulator.slash(
        alice, "story update", story=str(story_id), file=emulator.upload("v2.md", new_text)
    )
    reply = answer(await result.final())
    assert "Replaced (not yet released): 2, 3" in reply.content
    assert "Added: 4" in reply.content and "Kept as released: 1" in reply.content

    expected = paginate_story(import_story(new_text, "v2.md"), "text")
    chapters = await stories.chapters(story_id)
    assert [c.number for c in chapters] == [1, 2, 3, 4]
    kept = await stories.pages(chapters[0].id)
    assert [(p.id, p.content) for p in kept] == [(p.id, p.content) for p in released_pages]
    assert [p.message_id for p in kept] == [9000 + n for n in range(len(kept))]
    for chapter, pages in zip(chapters[1:], expected[1:], strict=True):
        assert [p.content for p in await stories.pages(chapter.id)] == pages
    # Unreleased pages are rewritten in place, so their ids (which a release may hold) survive.
    new_ids = [p.id for p in await stories.pages(chapters[1].id)]
    shared = min(len(new_ids), len(chapter_two_ids))
    assert new_ids[:shared] == chapter_two_ids[:shared]


async def test_edit_changes_metadata_and_rerenders_unreleased_warnings(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    await upload(emulator, alice, "three.md", THREE_CHAPTERS)
    story_id = await only_story_id(chapterbot, emulator)
    result = await emulator.slash(
        alice,
        "story edit",
        story=str(story_id),
        title="A **Bold** Title @everyone",
        rating="Mature",
        warnings="Graphic Depictions Of Violence, Major Character Death",
        tags="Angst, Hurt/Comfort",
    )
    assert result.ephemeral and "warnings" in result.content
    assert not emulator.pings(result.message)
    assert "A \\*\\*Bold\\*\\* Title" in result.embeds[0]["title"]
    assert field(result.message, "Rating") == "Mature"
    assert field(result.message, "Tags") == "Angst, Hurt/Comfort"

    stories = repo(chapterbot)
    chapter_one = (await stories.chapters(story_id))[0]
    first_page = (await stories.pages(chapter_one.id))[0].content
    assert "||Graphic Depictions Of Violence, Major Character Death||" in first_page
    story = await stories.get(story_id)
    assert story is not None and story.title == "A **Bold** Title @everyone"

    cleared = await emulator.slash(alice, "story edit", story=str(story_id), warnings="none")
    assert field(cleared.message, "Warnings") == "None"
    assert "Warnings" not in (await stories.pages(chapter_one.id))[0].content


async def test_delete_asks_first_and_cancel_keeps_the_story(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    await upload(emulator, alice, "three.md", THREE_CHAPTERS)
    story_id = await only_story_id(chapterbot, emulator)

    asked = await emulator.slash(alice, "story delete", story=str(story_id))
    assert asked.ephemeral and "cannot be undone" in asked.content
    kept = await emulator.click(alice, asked.message, "story:delete:cancel")
    assert kept.message.content == "Nothing was deleted."
    assert await repo(chapterbot).get(story_id) is not None

    asked = await emulator.slash(alice, "story delete", story=str(story_id))
    gone = await emulator.click(alice, asked.message, "story:delete:confirm")
    assert "Deleted" in gone.message.content and gone.message.components == []
    assert await repo(chapterbot).get(story_id) is None
    missing = await emulator.slash(alice, "story info", story=str(story_id))
    assert missing.ephemeral and "no story" in missing.content.lower()


async def test_upload_reply_buttons_work_after_a_restart(
    emulator: DiscordEmulator, bot_runner: Any
) -> None:
    alice = emulator.user("alice")
    reply = answer(await upload(emulator, alice, "three.md", THREE_CHAPTERS))
    bot = await bot_runner.restart()
    story_id = await only_story_id(bot, emulator)
    expected = paginate_story(import_story(THREE_CHAPTERS, "three.md"), "text")

    preview = await emulator.click(alice, reply, f"cb:story:preview:{story_id}")
    assert preview.ephemeral and preview.content == expected[0][0]
    usage = await emulator.click(alice, reply, f"cb:story:schedule:{story_id}")
    assert usage.ephemeral and f"/schedule add story:{story_id}" in usage.content
    assert f"/settings channel story:{story_id}" in usage.content


async def test_embed_style_preview_shows_the_page_as_the_embed_description(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    await upload(emulator, alice, "three.md", THREE_CHAPTERS, style="embed")
    story_id = await only_story_id(chapterbot, emulator)
    expected = paginate_story(import_story(THREE_CHAPTERS, "three.md"), "embed")
    preview = await emulator.slash(alice, "story preview", story=str(story_id), chapter=2)
    assert preview.embeds[0]["description"] == expected[1][0]
    missing = await emulator.slash(alice, "story preview", story=str(story_id), chapter=9)
    assert missing.ephemeral and "no chapter 9" in missing.content
