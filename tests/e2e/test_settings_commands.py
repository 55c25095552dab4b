"""`/settings` end to end: story channel, notify role, silent, time zones, server settings."""

from __future__ import annotations

import pytest

from bot.client import ChapterBot
from bot.settings.records import GuildSettings
from bot.settings.repository import SettingsRepository
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.permissions import P
from tests.e2e.test_story_commands import THREE_CHAPTERS, field, only_story_id, upload

pytestmark = pytest.mark.e2e


@pytest.fixture
async def story_id(emulator: DiscordEmulator, chapterbot: ChapterBot) -> int:
    """A three-chapter story owned by alice."""
    await upload(emulator, emulator.user("alice"), "three.md", THREE_CHAPTERS)
    return await only_story_id(chapterbot, emulator)


async def test_channel_round_trip_and_refusals(
    emulator: DiscordEmulator, chapterbot: ChapterBot, story_id: int
) -> None:
    alice = emulator.user("alice")
    sid = str(story_id)
    general, news, forum = (emulator.channel(n) for n in ("general", "news", "stories"))

    ok = await emulator.slash(alice, "settings channel", story=sid, channel=general)
    assert ok.ephemeral and f"<#{general.id}> (messages mode)" in ok.content
    info = await emulator.slash(alice, "story info", story=sid)
    assert field(info.message, "Channel") == f"<#{general.id}> (messages)"

    threads = await emulator.slash(
        alice, "settings channel", story=sid, channel=news, mode="thread"
    )
    assert f"<#{news.id}> (thread mode)" in threads.content
    posts = await emulator.slash(alice, "settings channel", story=sid, channel=forum, mode="forum")
    assert f"<#{forum.id}> (forum mode)" in posts.content

    not_forum = await emulator.slash(
        alice, "settings channel", story=sid, channel=general, mode="forum"
    )
    assert not_forum.ephemeral and "not a forum channel" in not_forum.content
    forum_as_text = await emulator.slash(alice, "settings channel", story=sid, channel=forum)
    assert "needs a text or announcement channel" in forum_as_text.content

    emulator.set_overwrite(news, alice, deny=int(P.SEND_MESSAGES))
    guild = chapterbot.get_guild(emulator.guild.id)
    await emulator.wait_until(
        lambda: alice.id in {t.id for t in guild.get_channel(news.id).overwrites}
    )
    cannot_post = await emulator.slash(alice, "settings channel", story=sid, channel=news)
    assert "You cannot post in" in cannot_post.content

    stored = await StoryRepository(chapterbot.database).get(story_id)
    assert stored is not None and (stored.channel_id, stored.channel_mode) == (forum.id, "forum")


async def test_a_mature_story_needs_an_age_restricted_channel(
    emulator: DiscordEmulator, chapterbot: ChapterBot, story_id: int
) -> None:
    alice = emulator.user("alice")
    await emulator.slash(alice, "story edit", story=str(story_id), rating="Mature")
    refused = await emulator.slash(
        alice, "settings channel", story=str(story_id), channel=emulator.channel("general")
    )
    assert refused.ephemeral and "age-restricted" in refused.content
    mature = emulator.channel("mature")
    ok = await emulator.slash(alice, "settings channel", story=str(story_id), channel=mature)
    assert f"<#{mature.id}>" in ok.content


async def test_notify_role_and_silent(
    emulator: DiscordEmulator, chapterbot: ChapterBot, story_id: int
) -> None:
    alice, sid = emulator.user("alice"), str(story_id)
    hidden = emulator.create_role("Lurkers", mentionable=False)
    readers = emulator.create_role("Readers", mentionable=True)
    guild = chapterbot.get_guild(emulator.guild.id)
    await emulator.wait_until(lambda: guild.get_role(readers.id) and guild.get_role(hidden.id))

    refused = await emulator.slash(alice, "settings notify-role", story=sid, role=hidden)
    assert refused.ephemeral and "not mentionable" in refused.content
    ok = await emulator.slash(alice, "settings notify-role", story=sid, role=readers)
    assert f"<@&{readers.id}>" in ok.content and not emulator.pings(ok.message)
    silent = await emulator.slash(alice, "settings silent", story=sid, enabled=True)
    assert "silently" in silent.content

    info = await emulator.slash(alice, "story info", story=sid)
    assert field(info.message, "Notify role") == f"<@&{readers.id}>"
    assert field(info.message, "Silent") == "Yes"

    # A member allowed to mention everyone may pick a role that is not mentionable.
    emulator.set_role_permissions(emulator.role("Mod"), int(P.MANAGE_GUILD | P.MENTION_EVERYONE))
    await emulator.wait_until(
        lambda: guild.get_role(emulator.role("Mod").id).permissions.mention_everyone
    )
    carol = await emulator.slash(
        emulator.user("carol"), "settings notify-role", story=sid, role=hidden
    )
    assert f"<@&{hidden.id}>" in carol.content

    cleared = await emulator.slash(alice, "settings notify-role", story=sid)
    assert "ping nobody" in cleared.content
    story = await StoryRepository(chapterbot.database).get(story_id)
    assert story is not None and story.notify_role_id is None and story.silent


async def test_personal_time_zone_with_autocomplete_and_suggestions(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice = emulator.user("alice")
    choices = await emulator.autocomplete(alice, "settings timezone", focused="zone", zone="paris")
    assert {"name": "Europe/Paris", "value": "Europe/Paris"} in choices

    ok = await emulator.slash(alice, "settings timezone", zone="europe/paris")
    assert ok.ephemeral and "Europe/Paris" in ok.content
    settings = SettingsRepository(chapterbot.database)
    assert (await settings.get_user(alice.id)).timezone == "Europe/Paris"

    unknown = await emulator.slash(alice, "settings timezone", zone="Europe/Pariss")
    assert unknown.ephemeral and "Did you mean" in unknown.content
    assert "Europe/Paris" in unknown.content
    assert (await settings.get_user(alice.id)).timezone == "Europe/Paris"


async def test_server_settings_are_for_manage_server_members(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, carol = emulator.user("alice"), emulator.user("carol")
    settings = SettingsRepository(chapterbot.database)
    for command, options in (
        ("settings server-timezone", {"zone": "Asia/Tokyo"}),
        ("settings missed-releases", {"policy": "latest"}),
    ):
        refused = await emulator.slash(alice, command, **options)
        assert refused.ephemeral and "manage_guild" in refused.content
    assert await settings.get_guild(emulator.guild.id) == GuildSettings(emulator.guild.id)

    zone = await emulator.slash(carol, "settings server-timezone", zone="tokyo")
    assert "Asia/Tokyo" in zone.content
    policy = await emulator.slash(carol, "settings missed-releases", policy="latest")
    assert "only the latest" in policy.content
    stored = await settings.get_guild(emulator.guild.id)
    assert (stored.timezone, stored.missed_release_policy) == ("Asia/Tokyo", "latest")
