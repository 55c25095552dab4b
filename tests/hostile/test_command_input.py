"""Hostile command input through the real bot: clear refusals, and nothing stored wrongly.

Overlong titles and summaries, markdown and mention tricks, SQL-looking strings, unknown and
malformed story names, impossible times, unknown zones, crafted custom_ids and modal values.
A "clear refusal" is an ephemeral `⚠️` explanation - never the "something went wrong" apology
of an unexpected error, and never silence. The emulator validates every request the bot makes
(lengths, embed limits), so an overlong title that reached Discord unclipped fails the test too.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
import pytest

from bot.client import ChapterBot
from bot.publishing.schedules import ScheduleRepository
from bot.settings.repository import SettingsRepository
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.commands import CommandUsageError
from testkit.emulator.interactions import InteractionResult
from tests.e2e.publishing_helpers import finished, upload_story
from tests.e2e.release_helpers import release_chapter, store_story

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

SQL = "'; DROP TABLE stories; --"
TRICKS = f"**bold** _it_ ~~x~~ ||spoiler|| `code` @everyone @here <@&1> <@1> <#1> {SQL}"
LONG_TITLE = ("A very long title " * 30).strip()  # 539 characters
STORY = (
    f"# {LONG_TITLE} {TRICKS}\n\nNotes: {TRICKS}\n\n"
    f"## Chapter 1: {TRICKS}\n\nA/N: {TRICKS}\n\nThe first chapter.\n\n"
    "## Chapter 2\n\nThe second chapter.\n"
).encode()
BAD_STORY_NAMES = (
    "no such story",
    SQL,
    "%",
    "_",
    "99999999999999999999999999",  # past SQLite's 64-bit integers
    "9223372036854775808",
    "²",  # str.isdigit() is true, int() refuses it
    "０１",  # full-width digits
    "\u202eeltit",  # right-to-left override
    "x" * 100,
)
BAD_WHEN = ("31 feb", "25:00", "9999-01-01 18:00", "2026-02-30 10:00", "yesterday", "in -5 min")
BAD_REPEAT = ("every 1 seconds", "* * * * * *", "61 * * * *", "every -1 days", "0 0 31 2 *")
BAD_ZONES = ("Mars/Olympus_Mons", "UTC+25", "../../etc/passwd", "Europe/Paris\x00", SQL, " ")


async def answer(result: InteractionResult) -> str:
    """The text the user finally saw."""
    if result.deferred:
        await result.final(timeout=20.0)
    message = result.last
    assert message is not None, "no answer at all"
    return message.text


async def assert_refused(result: InteractionResult, what: str) -> str:
    """An ephemeral ⚠️ explanation, not an apology for a bug."""
    text = await answer(result)
    assert result.last is not None and result.last.ephemeral, what
    assert text.startswith("⚠️"), (what, text)
    assert "error id" not in text and "Traceback" not in text, (what, text)
    return text


async def rows(bot: ChapterBot, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table."""
    return [tuple(r) for r in await bot.database.fetch_all(f"SELECT * FROM {table}")]


@pytest.fixture
def no_bug_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Checked by the tests: hostile input is a user error, never a logged bug."""
    caplog.set_level(logging.ERROR)
    return caplog


def bugs(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Error log lines (the app error handler logs bugs at ERROR)."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_tricky_titles_and_notes_are_stored_verbatim_and_shown_safely(
    emulator: DiscordEmulator, chapterbot: ChapterBot, no_bug_logged: pytest.LogCaptureFixture
) -> None:
    alice = emulator.user("alice")
    story = await upload_story(emulator, chapterbot, alice, "tricky.md", STORY)
    assert story.title.startswith(LONG_TITLE) and SQL in story.title
    assert story.notes is not None and SQL in story.notes
    # Shown back in embeds, lists and thread/forum names: clipped to Discord's limits (the
    # emulator fails the test on any overlong field) and with markdown escaped.
    info = await emulator.slash(alice, "story info", story=str(story.id))
    assert "\\*\\*bold\\*\\*" in info.embeds[0]["title"] or len(info.embeds[0]["title"]) <= 256
    await emulator.slash(alice, "story list")
    for channel, mode in (("general", "thread"), ("stories", "forum")):
        await emulator.slash(
            alice, "settings channel", story=str(story.id), channel=channel, mode=mode
        )
        assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    threads = [c for c in emulator.world.channels.values() if c.is_thread]
    assert len(threads) == 2 and all(len(t.name) <= 100 for t in threads)
    # Edits with the same tricks, at the longest length Discord lets through.
    summary = (TRICKS + " ") * 40
    edited = await emulator.slash(
        alice, "story edit", story=str(story.id), title=TRICKS[:200], summary=summary[:4000]
    )
    assert "✅" in await answer(edited)
    stored = await StoryRepository(chapterbot.database).get(story.id)
    assert stored is not None and stored.title == TRICKS[:200].strip()
    assert stored.summary == summary[:4000].strip()
    assert await chapterbot.database.fetch_value("SELECT COUNT(*) FROM stories") == 1
    with pytest.raises(CommandUsageError):  # the command declares Discord's 200-char limit
        await emulator.slash(alice, "story edit", story=str(story.id), title="x" * 201)
    assert bugs(no_bug_logged) == []


async def test_unknown_and_malformed_story_names_are_refused(
    emulator: DiscordEmulator, chapterbot: ChapterBot, no_bug_logged: pytest.LogCaptureFixture
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    mine = await store_story(
        chapterbot, b"# Mine\n\n## Chapter 1\n\nText.\n", "m.md",
        guild_id=emulator.guild.id, owner_id=alice.id,
    )  # fmt: skip
    elsewhere = await store_story(
        chapterbot, b"# Elsewhere\n\n## Chapter 1\n\nText.\n", "e.md", guild_id=1, owner_id=alice.id
    )
    await release_chapter(chapterbot, mine.id, 1, emulator.channel("general").id)
    before = await rows(chapterbot, "stories")
    for typed in (*BAD_STORY_NAMES, str(elsewhere.id)):
        for user, command, extra in (
            (alice, "story info", {}),
            (alice, "story edit", {"summary": "hacked"}),
            (alice, "publish", {}),
            (bob, "next", {}),
            (bob, "read", {"chapter": 1}),
        ):
            result = await emulator.slash(user, command, story=typed, **extra)
            await assert_refused(result, f"/{command} story={typed!r}")
        choices = await emulator.autocomplete(alice, "story info", focused="story", story=typed)
        assert all(str(c["value"]) != str(elsewhere.id) for c in choices)
    assert await rows(chapterbot, "stories") == before
    assert bugs(no_bug_logged) == []


async def test_impossible_times_and_unknown_zones_are_refused_and_store_nothing(
    emulator: DiscordEmulator, chapterbot: ChapterBot, no_bug_logged: pytest.LogCaptureFixture
) -> None:
    alice, carol = emulator.user("alice"), emulator.user("carol")
    story = await upload_story(
        emulator, chapterbot, alice, "s.md", b"# S\n\n## Chapter 1\n\nText.\n",
        channel=emulator.channel("general"),
    )  # fmt: skip
    for when in BAD_WHEN:
        text = await assert_refused(
            await emulator.slash(alice, "schedule add", story=str(story.id), when=when), when
        )
        assert "`" in text or "past" in text or "5 years" in text, text
    for repeat in BAD_REPEAT:
        result = await emulator.slash(
            alice, "schedule add", story=str(story.id), when="in 2 hours", repeat=repeat
        )
        await assert_refused(result, repeat)
    assert await ScheduleRepository(chapterbot.database).for_story(story.id) == []
    for zone in BAD_ZONES:
        await assert_refused(await emulator.slash(alice, "settings timezone", zone=zone), zone)
        result = await emulator.slash(carol, "settings server-timezone", zone=zone)
        await assert_refused(result, zone)
    settings = SettingsRepository(chapterbot.database)
    assert (await settings.get_user(alice.id)).timezone is None
    assert (await settings.get_guild(emulator.guild.id)).timezone is None
    assert bugs(no_bug_logged) == []


async def forged(bot: ChapterBot, channel_id: int, custom_ids: list[str]) -> dict[str, int]:
    """Bot messages carrying buttons with arbitrary custom_ids: {custom_id: message id}."""
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    where: dict[str, int] = {}
    for start in range(0, len(custom_ids), 25):
        view = discord.ui.View(timeout=None)
        for cid in custom_ids[start : start + 25]:
            view.add_item(discord.ui.Button(label="forged", custom_id=cid))
        sent = await channel.send("buttons", view=view)
        where.update((cid, sent.id) for cid in custom_ids[start : start + 25])
    return where


def crafted_ids(story: StoryRecord, user_id: int) -> list[str]:
    """Custom ids that match the bot's button templates but carry hostile numbers."""
    huge, past_int64 = "9" * 19, "9223372036854775808"
    ids = []
    for number in (huge, past_int64, "0"):
        ids += [
            f"cb:read:{number}:1",
            f"cb:mark:{number}:1",
            f"cb:next:{number}:1:1",
            f"cb:back:{number}:1:1",
            f"cb:chapters:{number}:0",
            f"cb:fb:{number}:1",
            f"cb:forget:yes:{number}",
            f"cb:story:preview:{number}",
            f"cb:story:schedule:{number}",
        ]
    ids += [f"cb:story:preview:{'9' * 20}", f"cb:story:schedule:{'9' * 20}"]
    ids += [f"cb:read:{story.id}:999999", f"cb:next:{story.id}:1:999999", f"cb:fb:{story.id}:0"]
    ids += [f"cb:chapters:{story.id}:999999", f"cb:back:{story.id}:0:0"]
    return ids


async def test_crafted_custom_ids_and_modal_values_are_refused(
    emulator: DiscordEmulator, chapterbot: ChapterBot, no_bug_logged: pytest.LogCaptureFixture
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "s.md", b"# S\n\n## Chapter 1\n\nText.\n", channel=general
    )
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    before = {t: await rows(chapterbot, t) for t in ("stories", "chapter_reads", "notes")}
    buttons = await forged(chapterbot, general.id, crafted_ids(story, alice.id))
    for custom_id, message_id in buttons.items():
        result = await emulator.click(bob, emulator.message(message_id), custom_id)
        assert result.modal is None, custom_id  # no note on a chapter that is not there
        text = await answer(result)  # a refusal, or e.g. "caught up": private, never a bug
        assert result.last is not None and result.last.ephemeral, custom_id
        assert "error id" not in text, (custom_id, text)
    for table, rows_before in before.items():
        assert await rows(chapterbot, table) == rows_before, table

    # The note modal: blank text, and a "who" value the select never offered.
    page = (await StoryRepository(chapterbot.database).pages(
        (await StoryRepository(chapterbot.database).chapters(story.id))[0].id
    ))[-1]  # fmt: skip
    post = emulator.message(page.message_id or 0)
    feedback = next(c for c in post.custom_ids() if c.startswith("cb:fb:"))
    opened = await emulator.click(bob, post, feedback)
    assert opened.modal is not None
    blank = await emulator.submit_modal(bob, opened, {"note": "   \n\t "})
    await assert_refused(blank, "a blank note")
    opened = await emulator.click(bob, post, feedback)
    forged_who = await emulator.submit_modal(bob, opened, {"note": "Hi", "who": ["admin"]})
    text = await answer(forged_who)
    notes = await rows(chapterbot, "notes")
    if text.startswith("⚠️"):
        assert notes == []
    else:  # accepted: then it must have been treated as anonymous (the safe default)
        assert "anonymously" in text and len(notes) == 1
        assert await chapterbot.database.fetch_value("SELECT author_user_id FROM notes") is None
    assert bugs(no_bug_logged) == []
