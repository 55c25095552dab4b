"""Upload choices through Discord (issue 14): under the upload reply, an author turns a skipped
part into a chapter and drops a chapter, before anything is released."""

from __future__ import annotations

from typing import Any

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from testkit.emulator.world import Message

try:
    from tests.e2e.test_story_commands import answer, only_story_id, repo, upload
    from tests.e2e.test_upload_skipped import GUTENBERG_STYLE
except ImportError:  # collected without the repository root on sys.path
    from test_story_commands import answer, only_story_id, repo, upload
    from test_upload_skipped import GUTENBERG_STYLE


def component(message: Message, prefix: str) -> dict[str, Any]:
    """The component whose custom_id starts with `prefix`."""
    for row in message.components:
        for item in row.get("components", []):
            if str(item.get("custom_id", "")).startswith(prefix):
                return dict(item)
    raise AssertionError(f"no {prefix!r} component: {message.components}")


def option_value(select: dict[str, Any], label_part: str) -> str:
    """The value of the select option whose label contains `label_part`."""
    for option in select["options"]:
        if label_part in option["label"]:
            return str(option["value"])
    raise AssertionError(f"no option {label_part!r} in {select['options']}")


async def test_an_author_restores_a_skipped_part_and_drops_a_chapter(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    reply = answer(await upload(emulator, alice, "alice.txt", GUTENBERG_STYLE))
    story_id = await only_story_id(chapterbot, emulator)
    button = component(reply, "cb:story:choices:")
    assert button["label"] == "Skipped parts & chapters"

    opened = answer(await emulator.click(alice, reply, button["custom_id"]))
    assert opened.ephemeral
    assert "turn a skipped part into a chapter" in opened.content
    restore = component(opened, "cb:story:restore:")
    licence = option_value(restore, "Project Gutenberg licence")
    done = answer(await emulator.click(alice, opened, restore["custom_id"], values=[licence]))
    assert "“Project Gutenberg licence” is now chapter 3 of 3." in done.content
    chapters = await repo(chapterbot).chapters(story_id)
    assert [(c.number, c.label, c.title) for c in chapters] == [
        (1, "CHAPTER I", "Down the Rabbit-Hole"),
        (2, "CHAPTER II", "The Pool of Tears"),
        (3, None, "Project Gutenberg licence"),
    ]
    pages = await repo(chapterbot).pages(chapters[2].id)
    assert "Updated editions will replace the previous one." in pages[0].content
    assert "Project Gutenberg licence" not in str(component(done, "cb:story:restore:")["options"])

    drop = component(done, "cb:story:drop:")
    dropped = answer(await emulator.click(alice, done, drop["custom_id"], values=["1"]))
    assert "Chapter 1 (“" in dropped.content and "2 chapters are left" in dropped.content
    chapters = await repo(chapterbot).chapters(story_id)
    assert [(c.number, c.label, c.title) for c in chapters] == [
        (1, "CHAPTER II", "The Pool of Tears"),  # the source's own label stays
        (2, None, "Project Gutenberg licence"),
    ]
    first = await repo(chapterbot).pages(chapters[0].id)
    assert first[0].content.startswith("**CHAPTER II: The Pool of Tears**")
    pages = await repo(chapterbot).pages(chapters[1].id)
    assert pages[0].content.startswith("**Chapter 2: Project Gutenberg licence**")


async def test_choices_are_closed_once_a_chapter_is_released(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    reply = answer(await upload(emulator, alice, "alice.txt", GUTENBERG_STYLE))
    story_id = await only_story_id(chapterbot, emulator)
    opened = answer(
        await emulator.click(alice, reply, component(reply, "cb:story:choices:")["custom_id"])
    )
    first = (await repo(chapterbot).chapters(story_id))[0]
    await repo(chapterbot).mark_chapter_released(first.id, 1_700_000_000)
    drop = component(opened, "cb:story:drop:")
    refused = answer(await emulator.click(alice, opened, drop["custom_id"], values=["2"]))
    assert "has started going out" in refused.content
    assert len(await repo(chapterbot).chapters(story_id)) == 2
    again = answer(
        await emulator.click(alice, reply, component(reply, "cb:story:choices:")["custom_id"])
    )
    assert "has started going out" in again.content
    assert not again.components
