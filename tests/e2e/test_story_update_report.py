"""`/story update` through Discord (issue 14): the re-import's reply accounts for the new file
as the upload reply does, and the upload choices offer the new file's skipped parts."""

from __future__ import annotations

import pytest

from bot.client import ChapterBot
from bot.stories.skipped_parts import SkippedPartRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from testkit.emulator.model import User

try:
    from tests.e2e.test_story_commands import answer, field, only_story_id, repo, upload
    from tests.e2e.test_upload_choices import component
    from tests.e2e.test_upload_skipped import GUTENBERG_STYLE, lose_last_chapter_words
except ImportError:  # collected without the repository root on sys.path
    from test_story_commands import answer, field, only_story_id, repo, upload
    from test_upload_choices import component
    from test_upload_skipped import GUTENBERG_STYLE, lose_last_chapter_words

pytestmark = pytest.mark.e2e

# The same book with a third chapter (listed in its contents) and a longer licence.
SECOND_EDITION = (
    GUTENBERG_STYLE.replace(
        b" CHAPTER II.    The Pool of Tears\n",
        b" CHAPTER II.    The Pool of Tears\n CHAPTER III.   A Caucus-Race\n",
    )
    .replace(
        b"*** END OF",
        b"CHAPTER III.\nA Caucus-Race\n\nThey were indeed a queer-looking party.\n\n*** END OF",
    )
    .replace(b"previous one.", b"previous one, and so on.")
)


async def update(emu: DiscordEmulator, user: User, story_id: int, data: bytes) -> InteractionResult:
    """`/story update` of `story_id` with `data` as `alice.txt`, waiting for the answer."""
    result = await emu.slash(
        user, "story update", story=str(story_id), file=emu.upload("alice.txt", data)
    )
    return await result.final() if result.deferred else result


async def test_update_reply_accounts_for_the_new_file_and_refreshes_skipped_parts(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    await upload(emulator, alice, "alice.txt", GUTENBERG_STYLE)
    story_id = await only_story_id(chapterbot, emulator)
    stories = repo(chapterbot)
    first = (await stories.chapters(story_id))[0]
    posted = [p.content for p in await stories.pages(first.id)]
    await stories.mark_chapter_released(first.id, 1_700_000_000)

    reply = answer(await update(emulator, alice, story_id, SECOND_EDITION))
    assert "Added: 3" in reply.content and "Kept as released: 1" in reply.content
    # The upload reply's word account and skipped summary, for the new file.
    line = field(reply, "Words in the file")
    assert line.startswith("98 words read: 26 posted as chapter text, 61 listed as skipped")
    skipped = field(reply, "Skipped (not posted)")
    assert "table of contents (16 words)" in skipped
    assert "Project Gutenberg licence (19 words)" in skipped
    names = [item["name"] for embed in reply.embeds for item in embed.get("fields", [])]
    assert "⚠️ Words unaccounted for" not in names
    component(reply, "cb:story:choices:")  # the choices are offered again

    # Stored skipped parts are the new file's; the released chapter stays as posted.
    parts = await SkippedPartRepository(chapterbot.database).parts(story_id)
    licence = next(part for part in parts if part.title == "Project Gutenberg licence")
    assert licence.body.endswith("Updated editions will replace the previous one, and so on.")
    assert len(parts) == 3
    assert [p.content for p in await stories.pages(first.id)] == posted


async def test_update_reply_warns_when_words_are_unaccounted_for(
    emulator: DiscordEmulator, chapterbot: ChapterBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = emulator.user("alice")
    await upload(emulator, alice, "alice.txt", GUTENBERG_STYLE)
    story_id = await only_story_id(chapterbot, emulator)
    lose_last_chapter_words(monkeypatch)
    reply = answer(await update(emulator, alice, story_id, SECOND_EDITION))
    assert "Replaced (not yet released): 1, 2" in reply.content
    warning = field(reply, "⚠️ Words unaccounted for")
    assert warning.startswith("6 of the file's 98 words are neither posted nor listed as skipped")
