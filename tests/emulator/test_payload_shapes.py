"""The emulator's REST answers match the response schemas of Discord's OpenAPI spec."""

from __future__ import annotations

import io

import discord
import pytest

from testkit.emulator import DiscordEmulator
from testkit.emulator.botkit import ProbeBot
from testkit.emulator.validation import default_spec_path

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def checker():
    """The response checker, or a skip when the shared spec is absent."""
    path = default_spec_path()
    if not path.is_file():
        pytest.skip("Discord OpenAPI spec not found in ../shared/discord-api-spec")
    from testkit.emulator.spec_responses import response_checker

    return response_checker(path)


@pytest.mark.emulator(time_scale=20.0)
async def test_answers_fit_the_spec(emulator: DiscordEmulator, bot: ProbeBot, checker) -> None:
    general = bot.get_channel(emulator.channel("general").id)
    sent = await general.send("hello", file=discord.File(io.BytesIO(b"x"), "x.txt"))
    await sent.edit(content="edited")
    await sent.add_reaction("👍")
    thread = await sent.create_thread(name="talk")
    await thread.edit(archived=True)
    [m async for m in general.history(limit=5)]
    stories = bot.get_channel(emulator.channel("stories").id)
    await stories.create_thread(name="post", content="first")
    await (await bot.fetch_user(emulator.user("alice").id)).send("dm")
    await bot.get_guild(emulator.guild.id).active_threads()
    await emulator.slash(emulator.user("alice"), "slow")
    await emulator.slash(emulator.user("alice"), "panel")
    await bot.fetch_channel(emulator.channel("news").id)
    await bot.application_info()
    checked = [r for r in emulator.requests if checker.schema_for(r.method, r.path, r.status)]
    problems = [checker.check(r.method, r.path, r.status, r.response) for r in checked]
    assert [p for p in problems if p] == [], "\n".join(p for p in problems if p)
    assert len(checked) >= 12
