"""`/story download` end to end: readers get released chapters, authors all, as a file."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.client import ChapterBot
from bot.stories.importers import import_story
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message, User

try:
    from tests.e2e.test_story_commands import THREE_CHAPTERS, answer, only_story_id, repo, upload
except ImportError:  # collected without the repository root on sys.path
    from test_story_commands import THREE_CHAPTERS, answer, only_story_id, repo, upload

pytestmark = pytest.mark.e2e


async def _download(emu: DiscordEmulator, user: User, **options: str) -> Message:
    result = await emu.slash(user, "story download", story="Three Small Chapters", **options)
    return answer(await result.final() if result.deferred else result)


async def _release_first(bot: ChapterBot, emu: DiscordEmulator) -> None:
    story_id = await only_story_id(bot, emu)
    first = await repo(bot).chapter(story_id, 1)
    assert first is not None
    await repo(bot).mark_chapter_released(first.id, 1_700_000_000)


async def test_readers_get_released_chapters_and_authors_all(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    await upload(emulator, alice, "three.md", THREE_CHAPTERS)
    refused = await _download(emulator, bob)
    assert refused.ephemeral and "has been posted yet" in refused.content
    assert not refused.attachments
    await _release_first(chapterbot, emulator)

    reader = await _download(emulator, bob, format="md")
    assert reader.ephemeral and "1 of 3 chapters" in reader.content
    [file] = reader.attachments
    assert file.filename == "Three_Small_Chapters.md"
    story = import_story(file.data, file.filename)
    assert story.title == "Three Small Chapters"
    assert [c.text for c in story.chapters] == ["The first chapter begins here."]

    author = await _download(emulator, alice)  # EPUB by default
    assert "3 of 3 chapters" in author.content
    [epub] = author.attachments
    assert epub.filename.endswith(".epub")
    assert zipfile.ZipFile(io.BytesIO(epub.data)).read("mimetype") == b"application/epub+zip"
    texts = [c.text for c in import_story(epub.data, epub.filename).chapters]
    assert texts[-1] == "The third chapter ends it." and len(texts) == 3
