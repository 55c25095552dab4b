"""The upload reply names the front and back matter that was not posted, with its words."""

from __future__ import annotations

import pytest

from bot.client import ChapterBot
from bot.stories import authoring
from bot.stories.model import Story, plain_paragraph
from testkit.emulator import DiscordEmulator

try:
    from tests.e2e.test_story_commands import answer, field, repo, upload
except ImportError:  # collected without the repository root on sys.path
    from test_story_commands import answer, field, repo, upload

# A Gutenberg-style file: header, contents, two chapters, licence (text of the 1865 Alice).
GUTENBERG_STYLE = "\n".join(
    [
        "The Project Gutenberg eBook of Alice, by Lewis Carroll",
        "",
        "Title: Alice's Adventures in Wonderland",
        "Author: Lewis Carroll",
        "",
        "*** START OF THE PROJECT GUTENBERG EBOOK ALICE ***",
        "",
        "Contents",
        "",
        " CHAPTER I.     Down the Rabbit-Hole",
        " CHAPTER II.    The Pool of Tears",
        "",
        "",
        "",
        "CHAPTER I.",
        "Down the Rabbit-Hole",
        "",
        "Alice was beginning to get very tired of sitting by her sister on the bank.",
        "",
        "CHAPTER II.",
        "The Pool of Tears",
        "",
        "“Curiouser and curiouser!” cried Alice.",
        "",
        "*** END OF THE PROJECT GUTENBERG EBOOK ALICE ***",
        "",
        "Updated editions will replace the previous one.",
    ]
).encode()


async def test_upload_reply_lists_what_was_skipped(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    result = await upload(emulator, emulator.user("alice"), "alice.txt", GUTENBERG_STYLE)
    reply = answer(result)
    assert reply.ephemeral
    assert reply.embeds[0]["title"].endswith("Alice's Adventures in Wonderland")
    assert field(reply, "Chapters").startswith("2 ")
    skipped = field(reply, "Skipped (not posted)")
    assert "table of contents (12 words)" in skipped  # "Contents" + 5 + 6 words
    assert "Project Gutenberg header (26 words)" in skipped
    assert "Project Gutenberg licence (16 words)" in skipped
    story = (await repo(chapterbot).list_for_guild(emulator.guild.id))[0]
    texts = [c.body for c in await repo(chapterbot).chapters(story.id)]
    assert not any("Gutenberg" in body for body in texts)


async def test_upload_reply_warns_about_garbled_text(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    damaged = "Twice Saved\n\nShe said â€œhiâ€\x9d at the cafÃ©, then left.\n".encode()
    reply = answer(await upload(emulator, emulator.user("alice"), "twice.txt", damaged))
    warning = field(reply, "⚠️ Check the text")
    assert "garbled character sequences such as “â€œ”" in warning


async def test_clean_upload_has_no_text_warning(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    reply = answer(await upload(emulator, emulator.user("alice"), "alice.txt", GUTENBERG_STYLE))
    names = [item["name"] for embed in reply.embeds for item in embed.get("fields", [])]
    assert "⚠️ Check the text" not in names


async def test_upload_reply_accounts_for_every_word(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    reply = answer(await upload(emulator, emulator.user("alice"), "alice.txt", GUTENBERG_STYLE))
    line = field(reply, "Words in the file")
    assert line.startswith("81 words read: 20 posted as chapter text, 54 listed as skipped")
    names = [item["name"] for embed in reply.embeds for item in embed.get("fields", [])]
    assert "⚠️ Words unaccounted for" not in names


def lose_last_chapter_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate an importer bug: the last chapter's words vanish without a skipped entry (four
    words of GUTENBERG_STYLE's)."""
    real_import = authoring.import_story

    def losing_import(raw: bytes, filename: str) -> Story:
        story = real_import(raw, filename)
        story.chapters[-1].blocks = [plain_paragraph("Curiouser!")]
        return story

    monkeypatch.setattr(authoring, "import_story", losing_import)


async def test_upload_reply_warns_when_words_are_unaccounted_for(
    emulator: DiscordEmulator, chapterbot: ChapterBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    lose_last_chapter_words(monkeypatch)
    reply = answer(await upload(emulator, emulator.user("alice"), "alice.txt", GUTENBERG_STYLE))
    warning = field(reply, "⚠️ Words unaccounted for")
    assert warning.startswith("4 of the file's 81 words are neither posted nor listed as skipped")
