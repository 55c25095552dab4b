"""A reader following a chapter while it is still being posted (a long chapter takes minutes
at Discord's pace): at the edge they are told more is on its way, not "no release scheduled",
and the next press of `Next ▶` goes on once the page is out."""

from __future__ import annotations

import asyncio

import pytest

from bot.client import ChapterBot
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from tests.e2e.publishing_helpers import finished, upload_story, wait_releases_done
from tests.e2e.release_helpers import tale_bytes
from tests.e2e.test_reader import custom_id, footer

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

HOLD_S = 4.0  # how long the emulator holds the chapter's third page while the reader reads


async def test_the_edge_of_a_release_still_posting_says_more_is_coming(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "long.txt", tale_bytes(1, 1600), channel=general
    )
    stories = StoryRepository(chapterbot.database)
    (chapter,) = await stories.chapters(story.id)
    assert len(await stories.pages(chapter.id)) >= 3

    # The chapter's first two pages go out, then the emulator holds the third.
    page_posts = rf"/channels/{general.id}/messages"
    emulator.faults.delay(method="POST", path=page_posts, seconds=0, times=2)
    emulator.faults.delay(method="POST", path=page_posts, seconds=HOLD_S, times=1)
    publishing = await emulator.slash(alice, "publish", story=str(story.id))

    async def posted() -> int:
        return sum(1 for p in await stories.pages(chapter.id) if p.posted)

    for _ in range(400):
        if await posted() >= 2:
            break
        await asyncio.sleep(0.025)
    await asyncio.sleep(0.3)  # the third page's request is now held
    assert await posted() == 2

    first = await emulator.slash(bob, "next", story=str(story.id))
    assert first.message is not None and footer(first.message).startswith("Chapter 1/1 · page 1/")
    second = await emulator.click(bob, first.message, custom_id(first.components, "Next"))
    assert second.message is not None and footer(second.message).startswith("Chapter 1/1 · page 2/")
    edge = await emulator.click(bob, second.message, custom_id(second.components, "Next"))
    assert "caught up" in (edge.content or "")
    assert "being posted right now" in (edge.content or "")
    assert "No release is scheduled" not in (edge.content or "")

    # Once the page is out, the same button reads on.
    assert "✅" in await finished(publishing, timeout=30)
    await wait_releases_done(chapterbot, story.id)
    assert edge.message is not None
    third = await emulator.click(bob, edge.message, custom_id(edge.components, "Next"))
    assert third.message is not None and footer(third.message).startswith("Chapter 1/1 · page 3/")

    # At the true end, with nothing posting, the usual caught-up line.
    pages = len(await stories.pages(chapter.id))
    last = third
    for _ in range(pages - 3):
        assert last.message is not None
        last = await emulator.click(bob, last.message, custom_id(last.components, "Next"))
    assert last.message is not None
    end = await emulator.click(bob, last.message, custom_id(last.components, "Next"))
    assert "No release is scheduled yet." in (end.content or "")
    assert "being posted" not in (end.content or "")
