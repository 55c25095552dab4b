"""A release's history and last error in the reader's language (issue 18): recorded in English,
said again in French by `/schedule history` and `/doctor`, in English to an English reader."""

from __future__ import annotations

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from testkit.emulator.permissions import P
from tests.e2e.publishing_helpers import THREE_CHAPTERS, finished, upload_story
from tests.e2e.test_doctor import failed_release

pytestmark = pytest.mark.e2e


async def test_history_and_last_error_are_french_for_a_french_author(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    published = await emulator.slash(alice, "publish", story=str(story.id), user_locale="fr")
    assert "✅" in await finished(published)

    history = await emulator.slash(alice, "schedule history", story=str(story.id), user_locale="fr")
    text = history.content or ""
    assert "1 page(s) publiée(s)" in text, text
    assert "posted" not in text, text
    english = await emulator.slash(alice, "schedule history", story=str(story.id))
    assert "1 page(s) posted" in (english.content or ""), english.content

    # The next release fails on a permission taken away after it was scheduled.
    await emulator.slash(alice, "schedule add", story=str(story.id), when="in 2 seconds")
    emulator.set_overwrite(general, emulator.bot_user, deny=P.SEND_MESSAGES)
    await failed_release(chapterbot, story.id)

    doctor = await emulator.slash(alice, "doctor", story=str(story.id), user_locale="fr")
    (last_error,) = [line for line in (doctor.content or "").splitlines() if "🧾" in line]
    assert "Il me manque la permission" in last_error and "#general" in last_error, last_error
    assert "missing" not in last_error, last_error
    history = await emulator.slash(alice, "schedule history", story=str(story.id), user_locale="fr")
    text = history.content or ""
    assert "Il me manque la permission" in text and "I am missing" not in text, text
