"""`/doctor` and failed releases: the bot's missing permission, wrong channels, the rating gate."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from testkit.emulator.permissions import P
from tests.e2e.publishing_helpers import (
    THREE_CHAPTERS,
    bot_posts,
    releases,
    repo,
    upload_story,
)

pytestmark = pytest.mark.e2e


async def failed_release(bot: ChapterBot, story_id: int, timeout: float = 5.0) -> None:
    """Wait until one of the story's releases has failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r.status == "failed" for r in await releases(bot).for_story(story_id)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no release failed")


async def test_missing_send_messages_fails_the_release_and_doctor_names_it(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    await emulator.slash(alice, "schedule add", story=str(story.id), when="in 2 seconds")
    # The permission goes away between scheduling and the run.
    emulator.set_overwrite(general, emulator.bot_user, deny=P.SEND_MESSAGES)
    await failed_release(chapterbot, story.id)

    history = await emulator.slash(alice, "schedule history", story=str(story.id))
    text = history.content or ""
    assert "failed" in text and "Send Messages" in text
    assert bot_posts(emulator, general) == []
    assert not (await repo(chapterbot).chapters(story.id))[0].released

    doctor = await emulator.slash(alice, "doctor", story=str(story.id))
    assert doctor.ephemeral
    report = doctor.content or ""
    assert "missing the **Send Messages** permission" in report
    assert "Last error" in report
    refused = await emulator.slash(alice, "publish", story=str(story.id))
    assert "missing the Send Messages permission" in (refused.content or "")


async def test_doctor_explains_gate_no_channel_and_next_run(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    story = await upload_story(emulator, chapterbot, alice, "three.md", THREE_CHAPTERS)
    nothing = await emulator.slash(alice, "doctor", story=str(story.id))
    assert "No channel is set" in (nothing.content or "")

    general = emulator.channel("general")
    await repo(chapterbot).update_metadata(story.id, channel_id=general.id)
    await emulator.slash(alice, "schedule add", story=str(story.id), when="in 2 hours")
    await repo(chapterbot).update_metadata(story.id, rating="Explicit")
    report = (await emulator.slash(alice, "doctor")).content or ""
    assert "not age-restricted" in report
    assert "Next run: <t:" in report

    refused = await emulator.slash(bob, "doctor", story=str(story.id))
    assert "Only the authors" in (refused.content or "")
