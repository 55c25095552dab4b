"""Schedules, settings, feedback, DMs and posted chapters in the user's or the server's language
(issue 18): `/schedule list` with its repeat rule and errors, `/settings` replies and errors, the
note modal and its confirmation, and the Summary/Notes labels of a chapter posted in a Spanish
server."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.client import ChapterBot
from testkit.emulator import DiscordEmulator
from tests.e2e.feedback_helpers import publish_story
from tests.e2e.following_helpers import dms_to
from tests.e2e.publishing_helpers import (
    THREE_CHAPTERS,
    bot_posts,
    finished,
    upload_story,
)

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

# English interface words of these replies that must not survive a translation.
ENGLISH = re.compile(
    r"\b(next|every|once|ended|chapters?|run|paused|Friday|Mon|Fri|schedules?|There is|See|"
    r"Your|time zone|will be|posted|Note to|Your note|Stay|Show|Who|What did|author|Thank|sent|"
    r"anonymous(ly)?|not a time zone|Did you mean|Use a name)\b"
)
SUMMARY_AND_NOTES = (
    b"Tale by Tess\n\nChapter 1\n\nSummary: A short one.\n\nNotes: Thanks for reading.\n\n"
    b"The body of the first chapter.\n\nChapter 2\n\nThe body of the second chapter.\n"
)


def english_left(text: str) -> re.Match[str] | None:
    """An English interface word in `text`, leaving out `code` (command names) and the title."""
    words = re.sub(r"`[^`]*`", "", text).replace("Three Small Chapters", "")
    return ENGLISH.search(words)


def texts_of(component: Any) -> list[str]:
    """Every title, label, placeholder and description in a modal's payload."""
    found: list[str] = []
    if isinstance(component, dict):
        for key, value in component.items():
            if key in ("title", "label", "placeholder", "description") and isinstance(value, str):
                found.append(value)
            else:
                found += texts_of(value)
    elif isinstance(component, list):
        for item in component:
            found += texts_of(item)
    return found


def feedback_button(message: Any) -> str:
    """The custom_id of a chapter post's feedback button."""
    for row in message.components:
        for item in row.get("components", []):
            if str(item.get("custom_id", "")).startswith("cb:fb:"):
                return str(item["custom_id"])
    raise AssertionError(f"no feedback button in {message.components}")


async def test_a_french_author_gets_french_schedules_and_settings(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    previews = await emulator.autocomplete(
        alice,
        "schedule add",
        focused="repeat",
        story=str(story.id),
        when="friday 18:00",
        repeat="every friday 18:00",
        user_locale="fr",
    )
    preview = previews[0]["name"]
    assert preview.startswith("chaque vendredi à 18:00 ") and "prochaine : ven." in preview
    assert not english_left(preview), preview

    added = await emulator.slash(
        alice,
        "schedule add",
        story=str(story.id),
        when="friday 18:00",
        repeat="every friday 18:00",
        user_locale="fr",
    )
    assert ", puis chaque vendredi à 18:00 " in (added.content or ""), added.content

    listed = await emulator.slash(alice, "schedule list", user_locale="fr")
    text = listed.content or ""
    assert listed.ephemeral and "**#" in text and "Three Small Chapters" in text, text
    assert "prochaine <t:" in text and "chaque vendredi à 18:00 " in text, text
    assert "1 chapitre/publication" in text and "{" not in text, text
    assert not english_left(text), text

    missing = await emulator.slash(alice, "schedule cancel", id=9999, user_locale="fr")
    error = missing.content or ""
    assert missing.ephemeral and "Il n'y a pas de programmation n°9999 ici." in error, error
    assert "Voir `/schedule list`." in error and not english_left(error), error

    silent = await emulator.slash(
        alice, "settings silent", story=str(story.id), enabled=True, user_locale="fr"
    )
    reply = silent.content or ""
    assert reply == "✅ « Three Small Chapters » sera publiée sans notification sonore.", reply

    zone = await emulator.slash(alice, "settings timezone", zone="Europe/Paris", user_locale="fr")
    reply = zone.content or ""
    assert reply.startswith("✅ Votre fuseau horaire est désormais Europe/Paris (il y est "), reply
    assert not english_left(reply), reply


async def test_a_french_reader_gets_a_french_note_modal_and_confirmation(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    post = published.last_pages[1]

    opened = await emulator.click(bob, post, feedback_button(post), user_locale="fr")
    assert opened.modal is not None
    shown = texts_of(opened.modal)
    assert "Note à l'auteur · Chap. 1" in shown, shown
    assert {"Votre note", "De la part de qui ?", "Rester anonyme", "Afficher mon nom"} <= set(shown)
    assert not [t for t in shown if english_left(t)], shown

    sent = await emulator.submit_modal(bob, opened, {"note": "Très beau chapitre.", "who": []})
    await sent.final()
    confirmation = (sent.last.content or "") if sent.last is not None else ""
    assert confirmation == (
        "✅ Merci ! Votre note a été envoyée anonymement à l'auteur ou aux auteurs."
    ), confirmation


async def test_a_german_author_gets_german_schedules_and_settings_errors(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=general
    )
    await emulator.slash(
        alice,
        "schedule add",
        story=str(story.id),
        when="monday 9am",
        repeat="weekdays 9am",
        user_locale="de",
    )
    listed = await emulator.slash(alice, "schedule list", user_locale="de")
    text = listed.content or ""
    assert "nächster <t:" in text and "montags bis freitags um 09:00 " in text, text
    assert "1 Kapitel/Durchlauf" in text, text
    assert not english_left(text), text

    wrong = await emulator.slash(alice, "settings timezone", zone="Mars/Olympus", user_locale="de")
    error = wrong.content or ""
    assert wrong.ephemeral and "`Mars/Olympus` ist keine Zeitzone, die ich kenne." in error, error
    assert not english_left(error), error


@pytest.fixture
def spanish_guild(emulator: DiscordEmulator) -> None:
    """The default server's preferred locale is Spanish (sent in GUILD_CREATE at connect)."""
    emulator.guild.locale = "es-ES"


async def test_a_spanish_server_gets_spanish_summary_and_notes_labels(
    emulator: DiscordEmulator, spanish_guild: None, chapterbot: ChapterBot
) -> None:
    alice, general = emulator.user("alice"), emulator.channel("general")
    story = await upload_story(
        emulator, chapterbot, alice, "tale.txt", SUMMARY_AND_NOTES, channel=general
    )
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    posted = "\n".join(m.content or "" for m in bot_posts(emulator, general))
    assert "**Resumen:**" in posted and "A short one." in posted, posted
    assert "**Notas:**" in posted and "Thanks for reading." in posted, posted
    assert "Summary:" not in posted and "Notes:" not in posted, posted


@pytest.fixture
def french_guild(emulator: DiscordEmulator) -> None:
    """The default server's preferred locale is French."""
    emulator.guild.locale = "fr"


async def test_dms_to_authors_and_owners_speak_the_servers_language(
    emulator: DiscordEmulator, french_guild: None, chapterbot: ChapterBot
) -> None:
    """A DM has no interaction locale: the note (an English reader's) and the lost-channel
    notice reach the author in the server's language."""
    alice, bob = emulator.user("alice"), emulator.user("bob")
    published = await publish_story(emulator, chapterbot, alice, release=1)
    post = published.last_pages[1]
    opened = await emulator.click(bob, post, feedback_button(post))  # bob reads in English
    sent = await emulator.submit_modal(bob, opened, {"note": "Lovely.", "who": []})
    await sent.final()
    assert sent.last is not None and "Thank you!" in (sent.last.content or "")

    embeds = await emulator.wait_until(
        lambda: [e for m in dms_to(emulator, alice) for e in m.embeds], what="the note DM"
    )
    assert embeds[0]["title"] == "💬 Note sur « Three Small Chapters », chapitre 1", embeds
    assert embeds[0]["fields"][0] == {"name": "De", "value": "un lecteur anonyme", "inline": True}

    doomed = emulator.create_channel("serial")
    story = await upload_story(
        emulator, chapterbot, alice, "three.md", THREE_CHAPTERS, channel=doomed
    )
    await emulator.slash(alice, "schedule add", story=str(story.id), when="in 2 hours")
    emulator.delete_channel(doomed)
    notices = await emulator.wait_until(
        lambda: [m.content for m in dms_to(emulator, alice) if m.content], what="the owner DM"
    )
    assert notices[0].startswith("« Three Small Chapters » ne peut pas être publiée : "), notices
    assert "`/settings channel`" in notices[0] and not english_left(notices[0]), notices
