"""Who may do what, for every command and persistent button the running bot registers.

The bot's command tree and its dynamic (persistent) buttons are enumerated at runtime, so a new
command or button without an entry in `COMMANDS`/`BUTTONS` fails this test until someone
decides who may use it. For each mutating command: a non-author is refused and nothing in the
database changes; co-authors, the owner and a Manage Server member are allowed as the rule says.

Cast (the emulator's default world): alice owns the story, bob is her co-author, dave is a
plain member, carol has Manage Server (the "Mod" role).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.client import ChapterBot
from bot.publishing.schedules import ScheduleRepository
from bot.storage.copy import list_tables
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from testkit.emulator.interactions import InteractionResult
from tests.e2e.release_helpers import release_chapter, store_story

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

STORY = (
    b"# Matrix Tale\n\n## Chapter 1\n\nThe first chapter.\n\n"
    b"## Chapter 2\n\nThe second chapter.\n\n## Chapter 3\n\nThe third chapter.\n"
)
V2 = STORY.replace(b"third chapter", b"third chapter, revised")

# Who may use a command: "author" (co-authors, owner, Manage Server), "owner" (owner, Manage
# Server), "manager" (Manage Server only), "anyone" (reading, personal settings, uploading).
REFUSED = {"author": ("dave",), "owner": ("dave", "bob"), "manager": ("dave", "alice")}
ALLOWED = {
    "author": ("bob", "alice", "carol"),
    "owner": ("alice", "carol"),
    "manager": ("carol",),
}

Options = Callable[["Case"], Awaitable[dict[str, Any]]]


@dataclass
class Case:
    """A fresh story (alice owns it, bob co-authors it) to run one command against."""

    emu: DiscordEmulator
    bot: ChapterBot
    story_id: int

    @property
    def sid(self) -> str:
        """The story option's value."""
        return str(self.story_id)


def story_only(extra: dict[str, Any] | None = None) -> Options:
    """Options: the story plus fixed extras."""

    async def build(case: Case) -> dict[str, Any]:
        return {"story": case.sid, **(extra or {})}

    return build


async def with_schedule(case: Case) -> dict[str, Any]:
    """Options for /schedule cancel: a schedule of the story."""
    schedules = ScheduleRepository(case.bot.database)
    created = await schedules.create(
        case.story_id, case.emu.user("alice").id, int(time.time()) + 3600, "UTC"
    )
    return {"id": created.id}


async def with_file(case: Case) -> dict[str, Any]:
    """Options for /story update: the story and a new version of the file."""
    return {"story": case.sid, "file": case.emu.upload("v2.md", V2)}


async def with_deleted_page(case: Case) -> dict[str, Any]:
    """Options for /story repost: chapter 1, released in #general, its first page deleted."""
    general = case.emu.channel("general").id
    async with case.bot.database.transaction() as tx:
        chapter = await tx.fetch_value(
            "SELECT id FROM chapters WHERE story_id = :s AND number = 1", {"s": case.story_id}
        )
        await tx.execute(
            "INSERT INTO releases (story_id, chapter_id, due_at, channel_id, channel_mode,"
            " status, finished_at) VALUES (:s, :c, 1, :g, 'messages', 'done', 1)",
            {"s": case.story_id, "c": chapter, "g": general},
        )
        await tx.execute(
            "UPDATE pages SET message_id = 1, channel_id = :g, posted_at = 1, deleted_at = 2"
            " WHERE chapter_id = :c AND number = 1",
            {"c": chapter, "g": general},
        )
    return {"story": case.sid, "chapter": 1}


COMMANDS: dict[str, tuple[str, Options | None]] = {
    # authors
    "story update": ("author", with_file),
    "story preview": ("author", story_only({"chapter": 3})),
    "story edit": ("author", story_only({"summary": "Changed by someone."})),
    "settings channel": ("author", story_only({"channel": "general"})),
    "settings notify-role": ("author", story_only()),
    "settings silent": ("author", story_only({"enabled": True})),
    "settings reactions": ("author", story_only({"emojis": "🔥 👏"})),
    "settings auto-react": ("author", story_only({"enabled": True})),
    "settings feedback-channel": ("author", story_only({"channel": "general"})),
    "settings digest": ("author", story_only({"frequency": "daily"})),
    "settings follow-dm": ("author", story_only({"on": "off"})),
    "settings early-access": ("author", story_only({"hours": 0})),
    "publish": ("author", story_only()),
    "schedule add": ("author", story_only({"when": "in 2 hours"})),
    "schedule cancel": ("author", with_schedule),
    "schedule pause": ("author", story_only()),
    "schedule resume": ("author", story_only()),
    "schedule history": ("author", story_only()),
    "story repost": ("author", with_deleted_page),
    "doctor": ("author", story_only()),
    "stats": ("author", story_only()),
    # owner
    "story delete": ("owner", story_only()),
    "story authors add": ("owner", story_only({"user": "dave"})),
    "story authors remove": ("owner", story_only({"user": "bob"})),
    # server settings
    "settings server-timezone": ("manager", lambda c: _const({"zone": "Europe/Paris"})),
    "settings missed-releases": ("manager", lambda c: _const({"policy": "latest"})),
    "settings author-role": ("manager", lambda c: _const({})),
    "settings language": ("manager", lambda c: _const({"language": "fr"})),
    # everyone: reading, personal settings, uploads, listings (no story is changed)
    "help": ("anyone", None),
    "story upload": ("anyone", None),
    "story list": ("anyone", None),
    "story info": ("anyone", None),
    "story download": ("anyone", None),  # readers get released chapters only
    "settings timezone": ("anyone", None),
    "schedule list": ("anyone", None),
    "next": ("anyone", None),
    "read": ("anyone", None),
    "progress": ("anyone", None),
    "catchup": ("anyone", None),
    "forget-me": ("anyone", None),
    "follow": ("anyone", None),
    "unfollow": ("anyone", None),
    "following": ("anyone", None),
    "dms": ("anyone", None),
}

# Persistent buttons by template: "reader" ones anyone may click (they only show released
# text or change the clicker's own progress); the others re-check rights on every click.
BUTTONS: dict[str, str] = {
    "PreviewChapterOne": "author",
    "ScheduleHelp": "author",
    "UploadChoicesButton": "author",
    "RestorePart": "author",  # turns a skipped part into a chapter
    "DropChapter": "author",
    "ForgetButton": "self",
    "ReadFromHere": "reader",
    "MarkRead": "reader",
    "PageNav": "reader",
    "ChaptersButton": "reader",
    "ChapterSelect": "reader",
    "FeedbackButton": "reader",
    "FollowButton": "reader",  # follows the clicker only, if they can see the story
    "DmReadButton": "reader",  # reads as the clicker's own membership of the guild it names
}


async def _const(options: dict[str, Any]) -> dict[str, Any]:
    return options


def leaf_commands(bot: ChapterBot) -> dict[str, app_commands.Command[Any, ..., Any]]:
    """Every slash command the bot registers, by qualified name (groups walked)."""
    found: dict[str, app_commands.Command[Any, ..., Any]] = {}

    def walk(item: app_commands.Command[Any, ..., Any] | app_commands.Group) -> None:
        if isinstance(item, app_commands.Group):
            for child in item.commands:
                walk(child)
        else:
            found[item.qualified_name] = item

    for command in bot.tree.get_commands():
        if isinstance(command, app_commands.Command | app_commands.Group):
            walk(command)
    return found


def dynamic_items(bot: ChapterBot) -> dict[str, type[discord.ui.DynamicItem[Any]]]:
    """Every registered persistent button/select class, by class name."""
    store = bot._connection._view_store  # discord.py keeps them here; no public accessor
    return {item.__name__: item for item in store._dynamic_items.values()}


async def snapshot(bot: ChapterBot) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused command must change none of them."""
    # The heartbeat is the bot's own clock (rewritten every 30 s whatever anyone does), and the
    # shared rate budget's row counts requests; neither is state a command could change.
    tables = set(await list_tables(bot.database)) - {"heartbeat", "rate_budget"}
    return {
        name: sorted(tuple(r) for r in await bot.database.fetch_all(f'SELECT * FROM "{name}"'))
        for name in sorted(tables)
    }


async def settled(bot: ChapterBot) -> None:
    """Wait until the background work earlier commands started is done (outbox rows and release
    DMs), so a snapshot taken now sees only what the next command does."""
    for _ in range(200):
        undone = await bot.database.fetch_value(
            "SELECT (SELECT COUNT(*) FROM outbox WHERE done_at IS NULL)"
            " + (SELECT COUNT(*) FROM follow_deliveries WHERE status = 'pending')"
        )
        if not undone:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("background work never settled")


async def fresh_case(emu: DiscordEmulator, bot: ChapterBot) -> Case:
    """A new story owned by alice with bob as co-author, posting to #general."""
    alice, bob = emu.user("alice"), emu.user("bob")
    stories = StoryRepository(bot.database)
    story = await store_story(bot, STORY, "m.md", guild_id=emu.guild.id, owner_id=alice.id)
    await stories.add_author(story.id, bob.id)
    await stories.update_metadata(story.id, channel_id=emu.channel("general").id)
    return Case(emu, bot, story.id)


async def answer(result: InteractionResult) -> str:
    """What the user finally read: the deferred answer, the reply, or the modal title."""
    if result.deferred:
        await result.final(timeout=20.0)
    if result.modal is not None:
        return str(result.modal.get("title", ""))
    message = result.last
    assert message is not None, "no answer"
    return message.text


def refused(text: str) -> bool:
    """The bot's refusal: an ephemeral ⚠️ explanation."""
    return text.startswith("⚠️")


async def test_every_command_and_button_has_a_rule(chapterbot: ChapterBot) -> None:
    commands = set(leaf_commands(chapterbot))
    assert commands - set(COMMANDS) == set(), "new command(s): add them to COMMANDS"
    assert set(COMMANDS) - commands == set(), "COMMANDS lists command(s) the bot lacks"
    buttons = set(dynamic_items(chapterbot))
    assert buttons - set(BUTTONS) == set(), "new persistent button(s): add them to BUTTONS"


@pytest.mark.slow
async def test_the_matrix_holds_for_every_mutating_command(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    problems: list[str] = []
    for name, (rule, options) in COMMANDS.items():
        if rule == "anyone" or options is None:
            continue
        for user in REFUSED[rule]:
            case = await fresh_case(emulator, chapterbot)
            opts = await options(case)
            await settled(chapterbot)
            before = await snapshot(chapterbot)
            result = await emulator.slash(emulator.user(user), name, **opts)
            text = await answer(result)
            if not (refused(text) and result.last is not None and result.last.ephemeral):
                problems.append(f"{user} was not refused /{name}: {text[:100]!r}")
            if await snapshot(chapterbot) != before:
                problems.append(f"/{name} by {user} changed the database although refused")
        for user in ALLOWED[rule]:
            case = await fresh_case(emulator, chapterbot)
            text = await answer(
                await emulator.slash(emulator.user(user), name, **await options(case))
            )
            if refused(text):
                problems.append(f"{user} was refused /{name}: {text[:100]!r}")
    assert problems == []


async def forged(bot: ChapterBot, channel_id: int, *custom_ids: str) -> discord.Message:
    """A message carrying buttons with arbitrary custom_ids (what a forger would click)."""
    view = discord.ui.View(timeout=None)
    for index, cid in enumerate(custom_ids):
        view.add_item(discord.ui.Button(label=f"forged {index}", custom_id=cid))
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return await channel.send("buttons", view=view)


async def test_crafted_buttons_recheck_who_clicks(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, dave = emulator.user("alice"), emulator.user("dave")
    general = emulator.channel("general")
    case = await fresh_case(emulator, chapterbot)
    await release_chapter(chapterbot, case.story_id, 1, general.id)
    # alice has reading progress; dave forges her /forget-me confirmation.
    started = await emulator.slash(alice, "next", story=case.sid)
    assert started.message is not None
    progress = chapterbot.services.reading.progress
    mine = await progress.get(alice.id, case.story_id)
    assert mine is not None

    crafted = {
        "ForgetButton": f"cb:forget:yes:{alice.id}",
        "PreviewChapterOne": f"cb:story:preview:{case.story_id}",
        "ScheduleHelp": f"cb:story:schedule:{case.story_id}",
        "UploadChoicesButton": f"cb:story:choices:{case.story_id}",
        "RestorePart": f"cb:story:restore:{case.story_id}",
        "DropChapter": f"cb:story:drop:{case.story_id}",
    }
    assert {k for k, v in BUTTONS.items() if v != "reader"} == set(crafted)
    message = await forged(chapterbot, general.id, *crafted.values())
    before = await snapshot(chapterbot)
    for name, custom_id in crafted.items():
        result = await emulator.click(dave, emulator.message(message.id), custom_id)
        text = await answer(result)
        assert refused(text), (name, text)
        assert result.last is not None and result.last.ephemeral, name
    assert await snapshot(chapterbot) == before
    assert await progress.get(alice.id, case.story_id) == mine
