"""The emulator's bookkeeping without a client: violations, permissions, mentions, waiting."""

from __future__ import annotations

import asyncio

import pytest

from testkit.emulator import DiscordEmulator, P
from testkit.emulator.messaging import compute_pings


def test_violations_are_expected_only_inside_the_block() -> None:
    emu = DiscordEmulator(validate=False)
    with emu.expect_violations() as found:
        emu.record_violation("declared")
    emu.record_violation("surprise")
    assert found == ["declared"]
    assert emu.unexpected_violations() == ["surprise"]


def test_permission_computation_follows_discord_order() -> None:
    emu = DiscordEmulator(validate=False)
    general, alice = emu.channel("general"), emu.user("alice")
    world = emu.world
    assert world.permissions(general, alice.id) & P.SEND_MESSAGES
    emu.set_overwrite(general, emu.guild.everyone, deny=P.SEND_MESSAGES)
    assert not world.permissions(general, alice.id) & P.SEND_MESSAGES
    # Without Send Messages, Discord also withholds Embed Links and Attach Files there.
    assert not world.permissions(general, alice.id) & P.EMBED_LINKS
    writers = emu.create_role("Writers")
    emu.give_role(alice, writers)
    emu.set_overwrite(general, writers, allow=P.SEND_MESSAGES)
    assert world.permissions(general, alice.id) & P.SEND_MESSAGES
    emu.set_overwrite(general, alice, deny=P.SEND_MESSAGES)
    assert not world.permissions(general, alice.id) & P.SEND_MESSAGES
    admin = emu.create_role("Admin", permissions=P.ADMINISTRATOR)
    emu.give_role(alice, admin)
    assert world.permissions(general, alice.id) & P.SEND_MESSAGES


def test_role_pings_need_mentionable_or_mention_everyone() -> None:
    emu = DiscordEmulator(validate=False)
    general = emu.channel("general")
    quiet = emu.create_role("Quiet", mentionable=False)
    carol = emu.user("carol")
    pings, _ = compute_pings(emu, general, carol.id, f"{quiet.mention} @here", None, 0)
    assert pings.roles == [] and not pings.everyone
    emu.set_role_permissions(emu.role("Mod"), P.MENTION_EVERYONE)
    pings, _ = compute_pings(emu, general, carol.id, f"{quiet.mention} @here", None, 0)
    assert pings.roles == [quiet.id] and pings.everyone


async def test_wait_for_message_times_out_with_the_timeline() -> None:
    emu = DiscordEmulator(validate=False)
    general = emu.channel("general")
    waiter = asyncio.create_task(emu.wait_for_message(general, lambda m: "two" in m.content))
    await emu.post(emu.user("bob"), general, "one")
    await emu.post(emu.user("bob"), general, "two")
    assert (await waiter).content == "two"
    with pytest.raises(AssertionError, match="emulator timeline"):
        await emu.wait_for_message(general, lambda m: False, timeout=0.05)
