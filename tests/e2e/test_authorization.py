"""Who may change a story: owner, co-authors, Manage Server members, everyone else.

alice uploads and owns the story, bob is her co-author, dave is a plain member and carol has
Manage Server (the "Mod" role of the emulator's default world).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.client import ChapterBot
from bot.settings.repository import SettingsRepository
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from tests.e2e.test_story_commands import THREE_CHAPTERS, answer, only_story_id, upload

pytestmark = pytest.mark.e2e


@pytest.fixture
async def story_id(emulator: DiscordEmulator, chapterbot: ChapterBot) -> int:
    """alice's three-chapter story, with bob as co-author."""
    alice = emulator.user("alice")
    await upload(emulator, alice, "three.md", THREE_CHAPTERS)
    sid = await only_story_id(chapterbot, emulator)
    added = await emulator.slash(alice, "story authors add", story=str(sid), user="bob")
    assert "co-author" in added.content
    return sid


def mutations(sid: int, emu: DiscordEmulator) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every authors-only command with valid options for this story."""
    return {
        "edit": ("story edit", {"story": str(sid), "summary": "Changed."}),
        "preview": ("story preview", {"story": str(sid), "chapter": 1}),
        "update": (
            "story update",
            {"story": str(sid), "file": emu.upload("v2.md", THREE_CHAPTERS)},
        ),
        "channel": ("settings channel", {"story": str(sid), "channel": "general"}),
        "notify-role": ("settings notify-role", {"story": str(sid)}),
        "silent": ("settings silent", {"story": str(sid), "enabled": True}),
    }


def owner_only(sid: int) -> dict[str, tuple[str, dict[str, Any]]]:
    """Commands only the owner (or Manage Server) may use."""
    return {
        "delete": ("story delete", {"story": str(sid)}),
        "authors add": ("story authors add", {"story": str(sid), "user": "dave"}),
        "authors remove": ("story authors remove", {"story": str(sid), "user": "bob"}),
    }


async def run(emu: DiscordEmulator, user: str, command: str, options: dict) -> InteractionResult:
    """Invoke a command and wait for its final answer."""
    result = await emu.slash(emu.user(user), command, **options)
    return await result.final() if result.deferred else result


async def test_a_non_author_is_refused_everything(
    emulator: DiscordEmulator, chapterbot: ChapterBot, story_id: int
) -> None:
    stories = StoryRepository(chapterbot.database)
    before = await stories.get(story_id)
    commands = {**mutations(story_id, emulator), **owner_only(story_id)}
    for name, (command, options) in commands.items():
        reply = answer(await run(emulator, "dave", command, options))
        assert reply.ephemeral, name
        assert "Only the" in reply.content, (name, reply.content)
    assert await stories.get(story_id) == before
    assert [a.user_id for a in await stories.authors(story_id)] == [
        emulator.user("alice").id,
        emulator.user("bob").id,
    ]
    assert emulator.stats.get("cdn_downloads", 0) == 1  # only alice's upload; dave's refused first


async def test_a_co_author_may_change_but_not_delete_or_manage_authors(
    emulator: DiscordEmulator, chapterbot: ChapterBot, story_id: int
) -> None:
    for name, (command, options) in mutations(story_id, emulator).items():
        reply = answer(await run(emulator, "bob", command, options))
        assert "Only the" not in (reply.content or ""), (name, reply.content)
        assert "⚠️" not in (reply.content or ""), (name, reply.content)
    story = await StoryRepository(chapterbot.database).get(story_id)
    assert story is not None and story.summary == "Changed." and story.silent
    for name, (command, options) in owner_only(story_id).items():
        reply = answer(await run(emulator, "bob", command, options))
        assert f"Only the owner of “{story.title}”" in reply.content, name
    assert await StoryRepository(chapterbot.database).get(story_id) is not None


async def test_the_owner_and_a_manage_server_member_may_do_everything(
    emulator: DiscordEmulator, chapterbot: ChapterBot, story_id: int
) -> None:
    stories = StoryRepository(chapterbot.database)
    for user in ("alice", "carol"):
        for name, (command, options) in mutations(story_id, emulator).items():
            reply = answer(await run(emulator, user, command, options))
            assert "⚠️" not in (reply.content or ""), (user, name, reply.content)
    removed = await run(
        emulator, "carol", "story authors remove", owner_only(story_id)["authors remove"][1]
    )
    assert "no longer a co-author" in removed.content
    added = await run(
        emulator, "carol", "story authors add", owner_only(story_id)["authors add"][1]
    )
    assert "is now a co-author" in added.content
    assert [a.user_id for a in await stories.authors(story_id)] == [
        emulator.user("alice").id,
        emulator.user("dave").id,
    ]
    asked = await run(emulator, "carol", "story delete", {"story": str(story_id)})
    await emulator.click(emulator.user("carol"), asked.message, "story:delete:confirm")
    assert await stories.get(story_id) is None


async def test_buttons_recheck_rights_when_clicked(
    emulator: DiscordEmulator, chapterbot: ChapterBot, story_id: int
) -> None:
    carol, bob = emulator.user("carol"), emulator.user("bob")
    asked = await run(emulator, "carol", "story delete", {"story": str(story_id)})
    preview = await run(emulator, "bob", "story preview", {"story": str(story_id), "chapter": 1})
    # Rights change while the buttons are on screen: carol loses Manage Server, bob his role.
    emulator.set_role_permissions(emulator.role("Mod"), 0)
    await run(emulator, "alice", "story authors remove", {"story": str(story_id), "user": "bob"})
    mod = emulator.role("Mod")
    guild = chapterbot.get_guild(emulator.guild.id)
    await emulator.wait_until(lambda: not guild.get_role(mod.id).permissions.manage_guild)

    refused = await emulator.click(carol, asked.message, "story:delete:confirm")
    assert "Only the owner" in answer(refused).content
    assert await StoryRepository(chapterbot.database).get(story_id) is not None
    picked = await emulator.click(bob, preview.message, "preview:chapter", values=["ch:2"])
    assert "Only the authors" in answer(picked).content


async def test_the_author_role_restricts_uploads(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    writers = emulator.create_role("Writers")
    dave = emulator.user("dave")
    not_manager = await emulator.slash(emulator.user("alice"), "settings author-role", role=writers)
    assert not_manager.ephemeral and "manage_guild" in not_manager.content
    assert (
        await SettingsRepository(chapterbot.database).get_guild(emulator.guild.id)
    ).author_role_id is None

    await emulator.wait_until(lambda: chapterbot.get_guild(emulator.guild.id).get_role(writers.id))
    done = await emulator.slash(emulator.user("carol"), "settings author-role", role=writers)
    assert "Only members with" in done.content

    refused = answer(await upload(emulator, dave, "three.md", THREE_CHAPTERS))
    assert refused.ephemeral and f"<@&{writers.id}>" in refused.content
    assert emulator.stats.get("cdn_downloads", 0) == 0
    carol_ok = answer(await upload(emulator, emulator.user("carol"), "three.md", THREE_CHAPTERS))
    assert "Uploaded" in carol_ok.embeds[0]["title"]

    emulator.give_role(dave, writers)
    dave_ok = answer(await upload(emulator, dave, "three.md", THREE_CHAPTERS))
    assert "Uploaded" in dave_ok.embeds[0]["title"]

    opened = await emulator.slash(emulator.user("carol"), "settings author-role")
    assert "Everyone can upload" in opened.content
