"""The benchmark load generator: seeding, open-loop interactions, reset, first posts, routes."""

from __future__ import annotations

import aiohttp
import pytest

from testkit.emulator import DiscordEmulator
from testkit.emulator.botkit import ProbeBot
from testkit.emulator.loadgen import LoadGenerator, RunSpec, percentile

pytestmark = pytest.mark.e2e


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([], 99) == 0.0


async def test_seeded_users_run_commands_at_a_rate(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    gen = LoadGenerator(emulator)
    users = gen.seed_users(4)
    assert len(set(users)) == 4
    assert all(u in emulator.guild.members for u in users)
    options = {"text": "hi", "private": True}
    spec = RunSpec("echo", users, rate=40.0, seconds=0.25, options=options, expect="hi")
    result = await gen.run(spec)
    assert result["sent"] == 10 and result["answered"] == 10
    assert result["late_or_missing"] == 0
    assert result["expected_answers"] == 10
    assert result["callback_types"] == {"4": 10}
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
    # Interactions went out on schedule, spread over the run rather than in one burst.
    assert result["elapsed_s"] >= 0.2
    answered_by = {m.visible_to for m in emulator.messages(emulator.channel("general"))}
    assert answered_by == set(users)


async def test_reset_forgets_runs_but_keeps_the_world(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    gen = LoadGenerator(emulator)
    users = gen.seed_users(2)
    await gen.run(RunSpec("echo", users, rate=50.0, seconds=0.1, options={"text": "x"}))
    kept = await emulator.slash(emulator.user("alice"), "echo", text="mine")
    cleared = gen.reset()
    assert cleared["interactions"] == 5 and cleared["messages"] == 5
    assert [m.content for m in emulator.messages(emulator.channel("general"))] == ["mine"]
    assert kept.record.id in emulator.interactions
    assert emulator.requests == []


async def test_first_posts_reports_wall_time_and_counts(
    emulator: DiscordEmulator, bot: ProbeBot
) -> None:
    gen = LoadGenerator(emulator)
    first_id, second_id = gen.seed_channels(2)
    await emulator.wait_until(lambda: bot.get_channel(first_id) is not None)
    before = gen.clock()["wall"]
    await bot.get_channel(first_id).send("one")
    await bot.get_channel(first_id).send("two")
    posts = gen.first_posts([first_id, second_id])
    assert set(posts["first"]) == {str(first_id)}
    assert before <= posts["first"][str(first_id)] <= gen.clock()["wall"]
    assert posts["posts"] == {str(first_id): 2}


async def test_control_routes(emulator: DiscordEmulator, bot: ProbeBot) -> None:
    control = emulator.urls()["control"]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{control}/load/world") as resp:
            world = await resp.json()
        assert world["channels"]["general"] == str(emulator.channel("general").id)
        async with http.post(f"{control}/load/users", json={"count": 3}) as resp:
            users = (await resp.json())["user_ids"]
        body = {"command": "echo", "user_ids": users, "rate": 30, "seconds": 0.1}
        body["options"] = {"text": "ok"}
        async with http.post(f"{control}/load/run", json=body) as resp:
            result = await resp.json()
        assert result["answered"] == result["sent"] == 3
        body["command"] = "no-such-command"
        async with http.post(f"{control}/load/run", json=body) as resp:
            assert resp.status == 400
        async with http.post(f"{control}/load/reset", json={}) as resp:
            assert (await resp.json())["interactions"] == 3
