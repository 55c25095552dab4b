"""Early access end to end: members holding the role read a scheduled chapter hours before its
release through /read, /next, the reader's buttons and the DM's Read ▶; to everyone else it does
not exist (/read, /next, buttons, autocomplete, /catchup, /progress, /stats); followers with the
role get one DM when it opens (marked early access), the others one at the release; and when the
role is taken away the early chapter is gone again. The bot runs on a `WarpClock`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.client import ChapterBot
from bot.config import Settings
from bot.following.repository import FollowRepository
from bot.publishing.schedules import ScheduleRepository
from testkit.clock import WarpClock
from testkit.emulator import DiscordEmulator
from testkit.emulator.client import FAST_CLIENT_OPTIONS, pointed_at, start_client, stop_client
from testkit.emulator.interactions import InteractionResult
from tests.e2e.feedback_helpers import eventually, readers_in_text, stats_reply
from tests.e2e.following_helpers import button_id, dms_to
from tests.e2e.publishing_helpers import THREE_CHAPTERS, finished, repo, upload_story

pytestmark = pytest.mark.e2e

HOUR, DAY = 3600, 86_400
START = int(datetime(2027, 3, 4, 12, 0, tzinfo=UTC).timestamp())
RUN_1 = START + 5 * HOUR  # chapter 2's public release; chapter 3's a day later
SECRET = THREE_CHAPTERS.replace(b"Three Small Chapters", b"Secret Draft")


@pytest.fixture
async def warped(
    emulator: DiscordEmulator, bot_settings: Settings
) -> AsyncIterator[tuple[ChapterBot, WarpClock]]:
    """A ChapterBot whose use cases run on a clock the test moves."""
    clock = WarpClock()
    with pointed_at(emulator):
        bot = ChapterBot(bot_settings, clock=clock, **FAST_CLIENT_OPTIONS)
        task = await start_client(bot, emulator)
        try:
            yield bot, clock
        finally:
            await stop_client(bot, task)


def footer(result: InteractionResult) -> str:
    """The reader's "Chapter x/y · page a/b" line of a reply."""
    assert result.message is not None and result.message.embeds, result.content
    return str(result.message.embeds[0]["footer"]["text"])


def options(result: InteractionResult) -> list[str]:
    """The chapter picker's option values."""
    select: dict[str, Any] = result.components[0]["components"][0]
    return [str(o["value"]) for o in select["options"]]


async def test_early_access_end_to_end(
    emulator: DiscordEmulator, warped: tuple[ChapterBot, WarpClock]
) -> None:
    bot, clock = warped
    alice, bob, carol = (emulator.user(n) for n in ("alice", "bob", "carol"))
    general = emulator.channel("general")
    insiders = emulator.create_role("insiders")
    emulator.give_role(bob, insiders)
    story = await upload_story(emulator, bot, alice, "three.md", THREE_CHAPTERS, channel=general)
    secret = await upload_story(emulator, bot, alice, "secret.md", SECRET, channel=general)
    for reader in (bob, carol):
        followed = await emulator.slash(reader, "follow", story=str(story.id))
        assert "You follow" in (followed.content or "")
    published = await emulator.slash(alice, "publish", story=str(story.id), chapters=1)
    assert "✅" in await finished(published)
    for reader in (bob, carol):
        await emulator.wait_until(lambda r=reader: len(dms_to(emulator, r)) == 1, what="DM 1")

    clock.jump_to(START)
    schedules = ScheduleRepository(bot.database)
    await schedules.create(story.id, alice.id, RUN_1, "UTC", rule="daily")
    await schedules.create(secret.id, alice.id, RUN_1 - HOUR, "UTC")  # never armed
    await bot.services.publishing.rearm_story(story.id)
    refused = await emulator.slash(alice, "settings early-access", story=str(story.id), hours=3)
    assert "no early access" in (refused.content or "")  # no role: off
    for record in (story, secret):
        reply = await emulator.slash(
            alice, "settings early-access", story=str(record.id), role=insiders, hours=3
        )
        assert "read each chapter 3 hours before its release" in (reply.content or "")
    not_author = await emulator.slash(
        emulator.user("dave"), "settings early-access", story=str(story.id), role=insiders, hours=3
    )
    assert not_author.ephemeral and "Only the authors" in (not_author.content or "")
    too_long = await emulator.slash(
        alice, "settings early-access", story=str(story.id), role=insiders, hours=500
    )
    assert "1 to 168 hours" in (too_long.content or "")
    in_french = await emulator.slash(
        alice,
        "settings early-access",
        story=str(story.id),
        role=insiders,
        hours=3,
        user_locale="fr",
    )
    assert "lisent chaque chapitre 3 heures avant sa publication" in (in_french.content or "")

    # Five hours before the release, three hours of early access have not begun.
    early_miss = await emulator.slash(bob, "read", story=str(story.id), chapter=2)
    assert "not available" in (early_miss.content or "")

    # Early access opens at the release time minus 3 hours: bob (role) gets his DM then.
    clock.jump_to(RUN_1 - 3 * HOUR - 1)
    await bot.services.early_access.refresh(story.id)  # re-armed on the jumped clock
    await emulator.wait_until(lambda: len(dms_to(emulator, bob)) == 2, timeout=10, what="early")
    early_dm = dms_to(emulator, bob)[1]
    assert "Early access" in early_dm.content and "Noon" in early_dm.content
    assert "Dusk" not in early_dm.content and f"<t:{RUN_1}:R>" in early_dm.content
    assert len(dms_to(emulator, carol)) == 1
    assert not [m for m in emulator.messages(general) if "second chapter" in (m.content or "")]

    # bob reads chapter 2 through /read, /next, the buttons and the DM's Read ▶.
    jumped = await emulator.slash(bob, "read", story=str(story.id), chapter=2)
    assert jumped.ephemeral and footer(jumped) == "Chapter 2/3 · page 1/1"
    assert "second chapter" in (jumped.content or "")
    first = await emulator.slash(bob, "read", story=str(story.id), chapter=1)
    nxt = await emulator.click(bob, first.message, button_id(first.message, "Next"))
    assert footer(nxt) == "Chapter 2/3 · page 1/1"
    back = await emulator.click(bob, nxt.message, button_id(nxt.message, "Back"))
    assert footer(back) == "Chapter 1/3 · page 1/1"
    picker = await emulator.click(bob, back.message, button_id(back.message, "Chapters"))
    assert options(picker) == ["1", "2"]
    by_next = await emulator.slash(bob, "next", story=str(story.id))
    assert footer(by_next) == "Chapter 2/3 · page 1/1"
    assert "caught up" in ((await emulator.slash(bob, "next")).content or "")
    in_dm = await emulator.click(bob, early_dm, button_id(early_dm, "Read"))
    assert in_dm.message is not None and "Chapter 2/3" in str(in_dm.message.embeds[0])
    dm_back = await emulator.click(bob, in_dm.message, button_id(in_dm.message, "Back"))
    assert footer(dm_back) == "Chapter 1/3 · page 1/1"
    dm_next = await emulator.click(bob, dm_back.message, button_id(dm_back.message, "Next"))
    assert footer(dm_next) == "Chapter 2/3 · page 1/1"  # the role, asked of the server, in DMs
    choices = await emulator.autocomplete(bob, "read", focused="story", story="Secret")
    assert [c["name"] for c in choices] == ["Secret Draft"]

    # carol (no role) finds nothing of chapter 2 anywhere.
    missing = await emulator.slash(carol, "read", story=str(story.id), chapter=2)
    assert "not available" in (missing.content or "")
    start = await emulator.slash(carol, "next", story=str(story.id))
    assert footer(start) == "Chapter 1/3 · page 1/1"
    assert "caught up" in ((await emulator.slash(carol, "next")).content or "")
    button = await emulator.click(carol, start.message, button_id(start.message, "Next"))
    assert "caught up" in (button.message.content if button.message else "")
    picker = await emulator.click(carol, start.message, button_id(start.message, "Chapters"))
    assert options(picker) == ["1"]
    assert await emulator.autocomplete(carol, "read", focused="story", story="Secret") == []
    first_dm = dms_to(emulator, carol)[0]
    carol_dm = await emulator.click(carol, first_dm, button_id(first_dm, "Read"))
    assert carol_dm.message is not None and "Chapter 1/3" in str(carol_dm.message.embeds[0])
    carol_next = await emulator.click(carol, carol_dm.message, button_id(carol_dm.message, "Next"))
    assert "caught up" in (carol_next.message.content if carol_next.message else "")
    secret_miss = await emulator.slash(carol, "next", story=str(secret.id))
    assert footer_free(secret_miss)
    catch = await emulator.slash(carol, "catchup", story=str(story.id))
    assert "Noon" not in (catch.content or "") and "Chapter 2" not in (catch.content or "")
    progress = (await emulator.slash(carol, "progress")).embeds[0]["description"]
    assert "chapter 1 of 1" in progress and "(1/1 page)" in progress
    mine = (await emulator.slash(bob, "progress")).embeds[0]["description"]
    assert "chapter 2 of 2" in mine and "(2/2 pages)" in mine  # the role holder's own view
    stats = (await stats_reply(emulator, alice, story.id)).embeds[0]["description"]
    assert 2 not in readers_in_text(stats)  # /stats totals count released chapters only
    assert "early readers: Ch. 2: 1" in stats

    # The public release still happens at its time; carol's DM comes then, bob gets no other.
    clock.jump_to(RUN_1 - 1)
    await bot.services.publishing.rearm_story(story.id)
    await emulator.wait_until(lambda: len(dms_to(emulator, carol)) == 2, timeout=10, what="DM")
    public_dm = dms_to(emulator, carol)[1]
    assert "New in" in public_dm.content and "Noon" in public_dm.content
    assert "Early access" not in public_dm.content
    assert [m for m in emulator.messages(general) if "second chapter" in (m.content or "")]
    expected = sorted([(bob.id, "early", "sent"), (carol.id, "release", "sent")])

    async def both_sent() -> bool:  # marked sent once Discord answered the DM
        rows = await FollowRepository(bot.database).deliveries_of(story.id, RUN_1)
        return sorted((r.user_id, r.kind, r.status) for r in rows) == expected

    await eventually(both_sent, timeout=10.0)
    assert len(dms_to(emulator, bob)) == 2
    assert "Chapter 2/3" in footer(
        await emulator.slash(carol, "read", story=str(story.id), chapter=2)
    )

    # Chapter 3 opens early the next day; once bob loses the role it is gone again.
    clock.jump_to(RUN_1 + DAY - 2 * HOUR)
    await bot.services.early_access.refresh(story.id)
    await emulator.wait_until(lambda: len(dms_to(emulator, bob)) == 3, timeout=10, what="DM 3")
    third_dm = dms_to(emulator, bob)[2]
    assert "Early access" in third_dm.content and "Dusk" in third_dm.content
    assert footer(await emulator.slash(bob, "read", story=str(story.id), chapter=3)) == (
        "Chapter 3/3 · page 1/1"
    )
    emulator.take_role(bob, insiders)
    gone = await emulator.slash(bob, "read", story=str(story.id), chapter=3)
    assert "not available" in (gone.content or "")
    assert "caught up" in ((await emulator.slash(bob, "next")).content or "")
    dm_gone = await emulator.click(bob, third_dm, button_id(third_dm, "Read"))
    assert "not available" in (dm_gone.content or "")
    dm_next = await emulator.click(bob, dm_next.message, button_id(dm_next.message, "Next"))
    assert "caught up" in (dm_next.message.content if dm_next.message else "")
    assert await emulator.autocomplete(bob, "read", focused="story", story="Secret") == []
    released = [c.number for c in await repo(bot).chapters(story.id) if c.released_at]
    assert released == [1, 2]


def footer_free(result: InteractionResult) -> bool:
    """True when a reply shows no page (a refusal): no reader embed."""
    return result.message is None or not result.message.embeds


async def test_a_publish_inside_the_early_window_dms_each_chapter_once(
    emulator: DiscordEmulator, warped: tuple[ChapterBot, WarpClock]
) -> None:
    """Issue #16: the early DM covers chapter 2 whichever run releases it. A /publish inside
    the window gives bob (role) no second DM for it, and the scheduled run at its time, which
    then releases chapter 3, still DMs bob about chapter 3."""
    bot, clock = warped
    alice, bob, carol = (emulator.user(n) for n in ("alice", "bob", "carol"))
    general = emulator.channel("general")
    insiders = emulator.create_role("insiders")
    emulator.give_role(bob, insiders)
    story = await upload_story(emulator, bot, alice, "three.md", THREE_CHAPTERS, channel=general)
    for reader in (bob, carol):
        await emulator.slash(reader, "follow", story=str(story.id))
    assert "✅" in await finished(
        await emulator.slash(alice, "publish", story=str(story.id), chapters=1)
    )
    for reader in (bob, carol):
        await emulator.wait_until(lambda r=reader: len(dms_to(emulator, r)) == 1, what="DM 1")

    clock.jump_to(START)
    await ScheduleRepository(bot.database).create(story.id, alice.id, RUN_1, "UTC", rule="daily")
    await bot.services.publishing.rearm_story(story.id)
    await emulator.slash(
        alice, "settings early-access", story=str(story.id), role=insiders, hours=3
    )
    clock.jump_to(RUN_1 - 3 * HOUR + 60)
    await bot.services.early_access.refresh(story.id)
    await emulator.wait_until(lambda: len(dms_to(emulator, bob)) == 2, timeout=10, what="early")
    assert "Early access" in dms_to(emulator, bob)[1].content
    assert "Noon" in dms_to(emulator, bob)[1].content

    # The author publishes chapter 2 by hand inside the window: carol's DM, none for bob.
    clock.jump_to(RUN_1 - 2 * HOUR)
    assert "✅" in await finished(
        await emulator.slash(alice, "publish", story=str(story.id), chapters=1)
    )
    await emulator.wait_until(lambda: len(dms_to(emulator, carol)) == 2, timeout=10, what="DM 2")
    assert "Noon" in dms_to(emulator, carol)[1].content
    follows = FollowRepository(bot.database)

    async def carol_sent() -> bool:
        rows = await follows.deliveries_of(story.id, RUN_1 - 2 * HOUR)
        return [(r.user_id, r.status) for r in rows] == [(carol.id, "sent")]

    await eventually(carol_sent, timeout=10.0)  # bob has no delivery for that run at all

    # At its time the schedule releases chapter 3: bob, whose early DM was about chapter 2,
    # is DMed about chapter 3, once.
    clock.jump_to(RUN_1 - 1)
    await bot.services.publishing.rearm_story(story.id)
    for reader in (bob, carol):
        await emulator.wait_until(
            lambda r=reader: len(dms_to(emulator, r)) == 3, timeout=10, what="DM 3"
        )
    for reader in (bob, carol):
        third = dms_to(emulator, reader)[2].content
        assert "Dusk" in third and "Noon" not in third and "Early access" not in third
    released = [c.number for c in await repo(bot).chapters(story.id) if c.released_at]
    assert released == [1, 2, 3]
    expected = sorted(
        [(bob.id, "early", "sent"), (bob.id, "release", "sent"), (carol.id, "release", "sent")]
    )

    async def run_sent() -> bool:
        rows = await follows.deliveries_of(story.id, RUN_1)
        return sorted((r.user_id, r.kind, r.status) for r in rows) == expected

    await eventually(run_sent, timeout=10.0)
    assert len(dms_to(emulator, bob)) == 3 and len(dms_to(emulator, carol)) == 3
