"""Digests end to end: armed from the DB (also after a restart), delivered on time by DM."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.client import ChapterBot
from cogs.feedback.delivery import DIGEST_RETRY_S, digest_job
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Message
from tests.e2e.feedback_helpers import eventually, feedback_repo, publish_story

pytestmark = pytest.mark.e2e


def digests(emu: DiscordEmulator, user: Any) -> list[Message]:
    """Digest DMs the bot sent to `user`."""
    channel = emu.world.dm_channel(user)
    return [m for m in emu.messages(channel) if "digest" in (m.content or "")]


async def test_digest_is_delivered_at_its_time_with_the_periods_numbers(
    emulator: DiscordEmulator, bot_runner: Any, chapterbot: ChapterBot
) -> None:
    alice, bob, dave = (emulator.user(n) for n in ("alice", "bob", "dave"))
    published = await publish_story(emulator, chapterbot, alice, release=2)
    story_id = published.story.id
    story = str(story_id)

    enabled = await emulator.slash(alice, "settings digest", story=story, frequency="daily")
    assert enabled.ephemeral and "daily digest" in (enabled.content or "")
    settings = await feedback_repo(chapterbot).settings(story_id)
    assert settings.next_digest_at is not None and settings.last_digest_at is not None
    assert settings.next_digest_at - settings.last_digest_at == 86_400
    job = chapterbot.scheduler.get_job(f"digest:{story_id}")
    assert job is not None and int(job.next_run_time.timestamp()) == settings.next_digest_at

    # The period's activity: two new readers, one reaction (another taken back), one note.
    for reader in (bob, dave):
        await emulator.slash(reader, "read", story=story, chapter=1)
    await emulator.slash(bob, "read", story=story, chapter=2)
    post = published.last_pages[1]
    await emulator.react(dave, post, "❤️")
    await emulator.react(bob, post, "😂")
    await emulator.unreact(bob, post, "😂")
    feedback = next(
        item["custom_id"]
        for row in post.components
        for item in row["components"]
        if "Feedback" in item.get("label", "")
    )
    opened = await emulator.click(bob, post, feedback)
    await (await emulator.submit_modal(bob, opened, {"note": "More please"})).final()
    repo = feedback_repo(chapterbot)
    await eventually(lambda: _removed_once(repo, story_id))
    assert digests(emulator, alice) == []  # not before its time

    # A day passes: the DB says the digest is due in a moment; a restart re-arms it from there.
    due = int(time.time()) + 2
    await feedback_repo(chapterbot).update_settings(story_id, next_digest_at=due)
    bot = await bot_runner.restart()
    [sent] = await emulator.wait_until(
        lambda: digests(emulator, alice), timeout=10.0, what="the digest DM"
    )
    assert time.time() >= due - 0.5
    text = sent.content or ""
    assert "New readers: 2" in text
    assert "Readers active: 2" in text
    assert "Reactions: ❤️ 1" in text and "😂" not in text
    assert "Notes received: 1" in text

    after = await feedback_repo(bot).settings(story_id)
    assert after.last_digest_at is not None and after.last_digest_at >= due - 1
    assert after.next_digest_at == after.last_digest_at + 86_400
    rearmed = bot.scheduler.get_job(f"digest:{story_id}")
    assert rearmed is not None and int(rearmed.next_run_time.timestamp()) == after.next_digest_at

    off = await emulator.slash(alice, "settings digest", story=story, frequency="off")
    assert "No more digests" in (off.content or "")
    assert bot.scheduler.get_job(f"digest:{story_id}") is None


async def _removed_once(repo: Any, story_id: int) -> bool:
    rows = await repo.reactions(story_id)
    return len(rows) == 2 and sum(not r.active for r in rows) == 1


async def test_only_authors_change_the_digest(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    refused = await emulator.slash(
        bob, "settings digest", story=str(published.story.id), frequency="weekly"
    )
    assert "Only the authors" in (refused.content or "")
    assert (await feedback_repo(chapterbot).settings(published.story.id)).digest_frequency == "off"
    assert chapterbot.scheduler.get_job(f"digest:{published.story.id}") is None


async def test_a_digest_due_while_the_database_is_down_is_tried_again_in_a_minute(
    emulator: DiscordEmulator, chapterbot: ChapterBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = emulator.user("alice")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    story_id = published.story.id
    await emulator.slash(alice, "settings digest", story=str(story_id), frequency="daily")
    await feedback_repo(chapterbot).update_settings(story_id, next_digest_at=int(time.time()))
    feedback = chapterbot.services.feedback

    async def refused(story_id: int) -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    with monkeypatch.context() as patched:
        patched.setattr(feedback, "run_digest", refused)
        before = time.time()
        await digest_job(chapterbot, story_id)  # the digest's time: no database
    job = chapterbot.scheduler.get_job(f"digest:{story_id}")
    assert job is not None
    assert abs(job.next_run_time.timestamp() - before - DIGEST_RETRY_S) < 2
    assert digests(emulator, alice) == []

    await digest_job(chapterbot, story_id)  # a minute later, it answers
    await emulator.wait_until(lambda: digests(emulator, alice), timeout=10.0, what="the digest")
