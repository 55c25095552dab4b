"""Slash commands, autocomplete, components, modals, context menus, deadlines."""

from __future__ import annotations

import asyncio

import discord
import pytest

from testkit.emulator import CommandUsageError, DiscordEmulator
from testkit.emulator.botkit import ProbeBot

pytestmark = pytest.mark.e2e


async def test_every_option_type_reaches_the_bot(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    upload = emulator.upload("chapter.txt", b"It was a dark night.")
    result = await emulator.slash(
        emulator.user("alice"),
        "alltypes",
        s="text",
        i=7,
        b=True,
        u=emulator.user("bob"),
        c=emulator.channel("general"),
        r=emulator.role("Mod"),
        n=2.5,
        m=emulator.user("carol"),
        a=upload,
    )
    assert result.type == 4 and result.content == "ok"
    got = bot.received
    assert (got["s"], got["i"], got["b"], got["n"]) == ("text", 7, True, 2.5)
    assert isinstance(got["u"], discord.Member) and got["u"].name == "bob"
    assert got["c"].id == emulator.channel("general").id
    assert isinstance(got["r"], discord.Role) and got["r"].name == "Mod"
    assert got["m"].id == emulator.user("carol").id
    assert got["a"].filename == "chapter.txt"
    assert got["a_bytes"] == b"It was a dark night."


async def test_option_values_are_checked_against_the_schema(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    alice = emulator.user("alice")
    with pytest.raises(CommandUsageError, match="required"):
        await emulator.slash(alice, "echo")
    with pytest.raises(CommandUsageError, match="no option"):
        await emulator.slash(alice, "echo", text="x", colour="red")
    with pytest.raises(CommandUsageError, match="not registered"):
        await emulator.slash(alice, "nope")
    with pytest.raises(CommandUsageError, match="<= 10"):
        await emulator.slash(
            alice,
            "alltypes",
            s="",
            i=11,
            b=True,
            u=alice,
            c="general",
            r="Mod",
            n=1.0,
            m=alice,
            a=emulator.upload("x", b"x"),
        )


async def test_subcommands_and_groups_are_nested(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    alice = emulator.user("alice")
    upload = emulator.upload("story.txt", b"12345")
    result = await emulator.slash(alice, "story upload", title="Tale", file=upload)
    assert result.content == "Tale: 5 bytes"
    reset = await emulator.slash(alice, "story admin reset", confirm=True)
    assert reset.content == "reset True" and reset.ephemeral
    with pytest.raises(CommandUsageError, match="needs a subcommand"):
        await emulator.slash(alice, "story")


async def test_autocomplete_returns_choices(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    choices = await emulator.autocomplete(
        emulator.user("alice"), "story info", focused="story", story="kis"
    )
    assert [c["value"] for c in choices] == ["Kiss of Blood", "Kismet"]


async def test_ephemeral_reply_is_visible_only_to_its_user(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    result = await emulator.slash(alice, "echo", text="secret", private=True)
    assert result.ephemeral and result.flags & 64
    assert [m.content for m in emulator.visible_messages(general, as_user=alice)] == ["secret"]
    assert emulator.visible_messages(general, as_user=bob) == []
    public = await emulator.slash(alice, "echo", text="hello all")
    assert not public.ephemeral
    assert [m.content for m in emulator.visible_messages(general, as_user=bob)] == ["hello all"]


async def test_deferred_response_edit_and_followup(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    result = await emulator.slash(emulator.user("alice"), "slow", private=True)
    assert result.type == 5 and result.message is not None and result.message.loading
    await result.final(timeout=5)
    assert result.content == "done" and not result.message.loading
    followup = await result.next_followup() if not result.followups else result.followups[0]
    assert followup.content == "and more" and followup.ephemeral


async def test_button_click_updates_the_message(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    alice, bob = emulator.user("alice"), emulator.user("bob")
    panel = await emulator.slash(alice, "panel")
    assert panel.message is not None and panel.message.custom_ids() == ["bump", "pick"]
    clicked = await emulator.click(bob, panel.message, "bump")
    assert clicked.type == 7 and clicked.message.content == "bumped by bob"
    picked = await emulator.click(bob, panel.message, "pick", values=["b"])
    assert picked.type == 4 and picked.content == "picked ['b']" and picked.ephemeral
    with pytest.raises(CommandUsageError):
        await emulator.click(bob, panel.message, "missing")


async def test_modal_submit(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    alice = emulator.user("alice")
    opened = await emulator.slash(alice, "form")
    assert opened.type == 9 and opened.modal is not None and opened.modal["title"] == "Name it"
    submitted = await emulator.submit_modal(alice, opened, {"name": "Ishmael"})
    assert submitted.content == "named Ishmael / "
    with pytest.raises(CommandUsageError, match="length"):
        await emulator.submit_modal(alice, await emulator.slash(alice, "form"), {"name": "x" * 21})


async def test_context_menus(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    alice = emulator.user("alice")
    result = await emulator.user_command(alice, "Inspect", emulator.user("dave"))
    assert result.content == "user dave"
    posted = await emulator.post(emulator.user("bob"), emulator.channel("general"), "quotable")
    quoted = await emulator.message_command(alice, "Quote", posted)
    assert quoted.content == f"quote {posted.id} 'quotable'"


async def test_second_callback_is_rejected(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    await emulator.slash(emulator.user("alice"), "twice")
    await asyncio.sleep(0.2)
    assert [e.code for e in bot.errors] == [40060]


@pytest.mark.emulator(ack_deadline_s=0.3)
async def test_late_acknowledgement_is_unknown_interaction(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    with pytest.raises(AssertionError, match="did not acknowledge"):
        await emulator.slash(emulator.user("alice"), "late", seconds=1.0)
    await asyncio.sleep(0.6)
    assert [(e.status, e.code) for e in bot.errors] == [(404, 10062)]


@pytest.mark.emulator(token_ttl_s=0.5)
async def test_expired_token_rejects_followups(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    result = await emulator.slash(emulator.user("alice"), "echo", text="hi")
    await asyncio.sleep(0.6)
    interaction_id = result.record.id
    assert interaction_id in emulator.interactions
    webhook = discord.Webhook.partial(emulator.application_id, result.record.token, client=bot)
    with pytest.raises(discord.HTTPException) as info:
        await webhook.send("too late", wait=True)
    assert (info.value.status, info.value.code) == (401, 50027)


async def test_slash_command_in_a_dm(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    alice = emulator.user("alice")
    dm = emulator.world.dm_channel(alice)
    result = await emulator.slash(alice, "echo", text="private hello", in_channel=dm)
    assert result.content == "private hello"
    assert [m.content for m in emulator.visible_messages(dm, as_user=alice)] == ["private hello"]
