"""A handler slower than Discord's 3 seconds still answers: the bot acknowledges the interaction
in time (a private "thinking…" for a command, a silent acknowledgement for a click), then its
answer arrives as it would have, only later. Before, Discord showed "The application did not
respond" and refused the answer.

The slowness is real: another program holds a lock the handler's statement must wait for (a
backup tool's write lock on a SQLite file; a table lock on PostgreSQL), released after
`HELD_S`, longer than Discord waits. The emulator refuses an acknowledgement after 3 s.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from tests.e2e.feedback_helpers import THREE_CHAPTERS, publish_story
from tests.e2e.following_helpers import button_id
from tests.e2e.outage_helpers import file_write_locked
from tests.e2e.publishing_helpers import upload_story
from tests.e2e.release_helpers import release_chapter, store_story, tale_bytes
from tests.e2e.test_reader import footer

pytestmark = pytest.mark.e2e

HELD_S = 3.5  # past Discord's 3 s, within SQLite's 5 s busy timeout


@contextlib.asynccontextmanager
async def locked_for(database_url: str, table: str) -> AsyncIterator[None]:
    """Hold `table` (SQLite: the whole file) locked against the bot for `HELD_S` seconds, from a
    connection of another program, starting now."""
    if database_url.startswith("sqlite"):
        async with file_write_locked(database_url) as holder:
            release = asyncio.get_running_loop().call_later(HELD_S, holder.execute, "ROLLBACK")
            try:
                yield
            finally:
                release.cancel()
        return
    conn = await asyncpg.connect(database_url)
    locking = conn.transaction()
    await locking.start()
    await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    async def release_later() -> None:
        await asyncio.sleep(HELD_S)
        await locking.rollback()

    releasing = asyncio.ensure_future(release_later())
    try:
        yield
        await releasing
    finally:
        releasing.cancel()
        await conn.close()


async def test_a_command_slower_than_discord_waits_is_acknowledged_then_answered(
    emulator: DiscordEmulator, chapterbot: ChapterBot, database_url: str
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=emulator.channel("general")
    )
    async with locked_for(database_url, "follows"):
        followed = await emulator.slash(bob, "follow", story=str(story.id))  # fails if late
        assert followed.type == 5 and followed.ephemeral, followed  # private "thinking…"
        answer = (await followed.final(timeout=15.0)).last
    assert answer is not None and answer.ephemeral
    assert "You follow" in answer.content, answer.content


async def test_a_click_slower_than_discord_waits_is_acknowledged_then_answered(
    emulator: DiscordEmulator, chapterbot: ChapterBot, database_url: str
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    post = (await publish_story(emulator, chapterbot, alice, release=1)).last_pages[1]
    async with locked_for(database_url, "follows"):
        clicked = await emulator.click(bob, post, button_id(post, "Follow"))
        assert clicked.type == 6, clicked  # acknowledged silently; the page stays as it is
        answer = await clicked.next_followup(timeout=15.0)
    assert answer.ephemeral and "You follow" in answer.content, answer.content


READERS_NOT_BLOCKED = "a SQLite reader is never blocked by a lock (WAL): PostgreSQL's table lock"


async def test_a_page_slower_than_discord_waits_arrives_with_its_buttons(
    emulator: DiscordEmulator, chapterbot: ChapterBot, database_url: str, on_postgres: bool
) -> None:
    if not on_postgres:
        pytest.skip(READERS_NOT_BLOCKED)
    alice, bob = emulator.user("alice"), emulator.user("bob")
    story = await store_story(
        chapterbot, tale_bytes(1, 1600), "t.txt", guild_id=emulator.guild.id, owner_id=alice.id
    )
    await release_chapter(chapterbot, story.id, 1, emulator.channel("general").id)
    async with locked_for(database_url, "progress"):
        shown = await emulator.slash(bob, "next", story=str(story.id))
        assert shown.type == 5, shown
        page = (await shown.final(timeout=15.0)).last
    assert page is not None and footer(page).startswith("Chapter 1/1 · page 1/"), page
    assert page.components, "the page came without its buttons"


async def test_a_form_too_slow_to_open_says_why(
    emulator: DiscordEmulator, chapterbot: ChapterBot, database_url: str, on_postgres: bool
) -> None:
    if not on_postgres:
        pytest.skip(READERS_NOT_BLOCKED)
    alice, bob = emulator.user("alice"), emulator.user("bob")
    post = (await publish_story(emulator, chapterbot, alice, release=1)).last_pages[1]
    async with locked_for(database_url, "story_feedback"):
        opened = await emulator.click(bob, post, button_id(post, "Feedback"))
        assert opened.type == 6 and opened.modal is None, opened  # too late for a form
        said = await opened.next_followup(timeout=15.0)
    assert said.ephemeral and "My database is not answering" in said.content, said.content
    assert "error id" not in said.content
    again = await emulator.click(bob, post, button_id(post, "Feedback"))
    assert again.modal is not None
