"""Readers never see a page before it is posted, through any path, even mid-release.

The story is posted by the real publishing code; its release is frozen half-way through a
chapter (the emulator holds one page's create request). While it is frozen a reader tries every
path: commands, `Next ▶`, DMs, autocomplete, a chapter picker, and hand-made custom_ids for
every reader button. Each paragraph carries a unique token, so even a fragment of an unposted
page in anything the reader was shown is caught.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord
import pytest

from bot.client import ChapterBot
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from testkit.emulator.model import User
from tests.e2e.publishing_helpers import finished, upload_story

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

TOKEN = re.compile(r"TOKEN-\d+-\d+")
HOLD_S = 4.0  # how long the emulator holds the in-flight page while the reader probes


def tokened_story(chapters: int = 3, paragraphs: int = 36) -> bytes:
    """Chapters of paragraphs that each start with a unique TOKEN-chapter-paragraph."""
    filler = "The night was long and the candles burned low over the old house. " * 3
    body = "\n\n".join(
        f"## Chapter {c}: Part {c}\n\n"
        + "\n\n".join(f"TOKEN-{c}-{p} {filler}" for p in range(paragraphs))
        for c in range(1, chapters + 1)
    )
    return f"# Held Back\n\n{body}\n".encode()


async def forged(bot: ChapterBot, channel_id: int, custom_ids: list[str]) -> dict[str, int]:
    """Bot messages carrying buttons with arbitrary custom_ids: {custom_id: message id}."""
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    where: dict[str, int] = {}
    for start in range(0, len(custom_ids), 25):  # a message holds at most 25 buttons
        view = discord.ui.View(timeout=None)
        for cid in custom_ids[start : start + 25]:
            view.add_item(discord.ui.Button(label="forged", custom_id=cid))
        sent = await channel.send("buttons", view=view)
        where.update((cid, sent.id) for cid in custom_ids[start : start + 25])
    return where


def seen_by(emu: DiscordEmulator, user: User) -> list[str]:
    """Every private text the user was shown: ephemeral replies and DMs (content and embeds)."""
    texts = []
    for channel_id in list(emu.world.channel_messages):
        for message in emu.visible_messages(channel_id, as_user=user):
            if message.visible_to is not None or message.guild_id is None:
                texts.append(f"{message.text}\n{message.components}")
                # Files the bot attached (`/story download` md/html are plain text).
                texts += [a.data.decode("utf-8", "replace") for a in message.attachments]
    return texts


async def probe(emu: DiscordEmulator, bob: User, sid: str, chapters: int) -> list[str]:
    """Everything a reader can try; returns extra texts (choices, modal titles) shown."""
    extra: list[str] = []

    async def run(result: InteractionResult) -> InteractionResult:
        if result.deferred:
            await result.final(timeout=10.0)
        if result.modal is not None:
            extra.append(str(result.modal))
        return result

    first = await run(await emu.slash(bob, "next", story=sid))
    message = first.message
    for _ in range(60):  # Next ▶ until caught up
        ids = message.custom_ids() if message is not None else []
        nxt = next((i for i in ids if i.startswith("cb:next:")), None)
        if nxt is None or message is None:
            break
        message = (await run(await emu.click(bob, message, nxt))).message
    await run(await emu.slash(bob, "next", story=sid, dm=True))
    for chapter in range(1, chapters + 2):
        for page in (1, 2, 3, 99):
            await run(await emu.slash(bob, "read", story=sid, chapter=chapter, page=page))
    await run(await emu.slash(bob, "catchup", story=sid))
    await run(await emu.slash(bob, "progress"))
    await run(await emu.slash(bob, "story info", story=sid))
    for fmt in ("md", "html"):
        await run(await emu.slash(bob, "story download", story=sid, format=fmt))
    await run(await emu.slash(bob, "story preview", story=sid, chapter=2))
    await run(await emu.slash(bob, "stats", story=sid))
    for command in ("next", "read", "catchup", "story info"):
        for typed in ("", "Held", "Part 3", "TOKEN"):
            choices = await emu.autocomplete(bob, command, focused="story", story=typed)
            extra.extend(str(c) for c in choices)
    return extra


def crafted_ids(sid: str, chapters: int) -> list[str]:
    """Every reader button pointed past the release edge."""
    ids = [f"cb:story:preview:{sid}", f"cb:chapters:{sid}:0"]
    for chapter in range(1, chapters + 2):
        ids += [f"cb:read:{sid}:{chapter}", f"cb:mark:{sid}:{chapter}", f"cb:fb:{sid}:{chapter}"]
        ids += [f"cb:next:{sid}:{chapter}:{page}" for page in (0, 1, 2, 3)]
        ids += [f"cb:back:{sid}:{chapter}:{page}" for page in (1, 2, 3, 4)]
    return ids


async def test_unposted_pages_are_unreachable_while_a_release_is_in_flight(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "held.md", tokened_story(), channel=general
    )
    sid = str(story.id)
    stories = StoryRepository(chapterbot.database)
    chapters = await stories.chapters(story.id)
    assert len(chapters) == 3 and len(await stories.pages(chapters[1].id)) >= 3
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=sid))

    # Chapter 2 starts; its first two pages go out, then the emulator holds the third.
    page_posts = rf"/channels/{general.id}/messages"
    emulator.faults.delay(method="POST", path=page_posts, seconds=0, times=2)
    emulator.faults.delay(method="POST", path=page_posts, seconds=HOLD_S, times=1)
    result = await emulator.slash(alice, "publish", story=sid)
    ch2 = chapters[1]

    async def posted_in_ch2() -> int:
        return sum(1 for p in await stories.pages(ch2.id) if p.posted)

    for _ in range(400):
        if await posted_in_ch2() >= 2:
            break
        await asyncio.sleep(0.025)
    await asyncio.sleep(0.3)  # the third page's request is now held by the emulator
    readable_before = {p.id for c in chapters for p in await stories.pages(c.id) if p.posted}

    extra = await probe(emulator, bob, sid, len(chapters))
    forge = emulator.create_channel("forge")
    await emulator.wait_until(lambda: chapterbot.get_channel(forge.id) is not None)
    buttons = await forged(chapterbot, forge.id, crafted_ids(sid, len(chapters)))
    for custom_id, message_id in buttons.items():
        clicked = await emulator.click(bob, emulator.message(message_id), custom_id)
        if clicked.deferred:
            await clicked.final(timeout=10.0)
        if clicked.modal is not None:
            extra.append(str(clicked.modal))
    readable_after = {p.id for c in chapters for p in await stories.pages(c.id) if p.posted}
    assert readable_after == readable_before, "the held page went out during the probe"

    all_pages = [p for c in chapters for p in await stories.pages(c.id)]
    readable_tokens = {
        t for p in all_pages if p.id in readable_after for t in TOKEN.findall(p.content)
    }
    hidden = {
        t for p in all_pages if p.id not in readable_after for t in TOKEN.findall(p.content)
    } - readable_tokens
    assert len(hidden) > 40  # the rest of chapter 2 and all of chapter 3
    shown = "\n".join(seen_by(emulator, bob) + extra)
    assert TOKEN.search(shown), "the probe saw no story text at all"
    leaked = sorted(set(TOKEN.findall(shown)) & hidden)
    assert leaked == [], f"unposted text reached a reader: {leaked[:5]}"
    # Marking a chapter none of whose pages is posted stores nothing (chapter 3).
    marks: Any = await chapterbot.database.fetch_all(
        "SELECT chapter_id FROM chapter_reads WHERE user_id = ?", (bob.id,)
    )
    with_readable_pages = {p.chapter_id for p in all_pages if p.id in readable_after}
    assert chapters[2].id not in with_readable_pages
    assert {row[0] for row in marks} <= with_readable_pages
    assert "✅" in await finished(result, timeout=30)
