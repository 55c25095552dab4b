"""Load generation for benchmarks: seed many users/channels, fire interactions at a fixed rate.

`LoadGenerator.run` is open-loop: interaction *i* is dispatched at `start + i / rate` whether or
not earlier ones were answered (like real users), and for each one it records the moment the
INTERACTION_CREATE was queued on the gateway and the moment the bot's callback was accepted.
`add_load_routes` exposes it under ``/_emu/load/...`` for a benchmark in another process.
Timestamps are `time.monotonic()` in this process; `clock()` converts to wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .commands import CommandUsageError, OptionBuilder, find_command
from .interactions import InteractionRecord, interaction_payload
from .model import ChannelType
from .rest_base import json_response
from .world import NotFoundError, build_bot_guild

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

_CHANNEL_POST = re.compile(r"^/channels/(\d+)/messages$")


@dataclass
class LoadRecord(InteractionRecord):
    """An interaction that notes when its callback arrived and when the emulator had validated
    and stored it (the emulator calls `changed` then)."""

    sent_at: float = 0.0
    callback_at: float | None = None  # arrival: the bot's part of the round trip ends here
    accepted_at: float | None = None  # after the emulator's own validation and bookkeeping

    def changed(self) -> None:
        """Record the first callback's arrival and acceptance, then wake waiters as usual."""
        if self.accepted_at is None and self.callback_type is not None:
            self.accepted_at = time.monotonic()
            self.callback_at = self.callback_received_at or self.accepted_at
        super().changed()


@dataclass
class RunSpec:
    """One load run: `command` by `user_ids` (round-robin) in `channel`, `rate`/s, `seconds`."""

    command: str
    user_ids: list[int]
    rate: float
    seconds: float
    channel: str | int = "general"
    options: dict[str, Any] = field(default_factory=dict)
    expect: str | None = None  # a substring every good answer contains (content or embeds)


def percentile(sorted_values: list[float], pct: float) -> float:
    """The nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class LoadGenerator:
    """Seeds the world and drives interactions at a rate, for benchmarks."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self._records: list[int] = []  # interaction ids created by runs, for reset()

    # -- seeding --------------------------------------------------------------------------------

    def seed_users(self, count: int, prefix: str = "reader") -> list[int]:
        """`count` new members of the default guild (no gateway events: seed before connecting)."""
        world, guild = self.emu.world, self.emu.guild
        start = len(world.users)
        ids = []
        for i in range(count):
            user = world.add_user(f"{prefix}{start + i}")
            world.join(guild, user)
            ids.append(user.id)
        return ids

    def seed_channels(self, count: int, prefix: str = "release") -> list[int]:
        """`count` new text channels in the default guild, announced as CHANNEL_CREATE."""
        start = len(self.emu.world.channels)
        return [
            self.emu.create_channel(f"{prefix}-{start + i}", ChannelType.TEXT).id
            for i in range(count)
        ]

    def seed_guilds(
        self, count: int, channels: int = 1, shard_count: int = 1
    ) -> list[dict[str, Any]]:
        """`count` more guilds the bot is in (alice and bob members), each with `channels` text
        channels, spread round-robin over `shard_count` shards (guild n on shard n % count).
        No gateway events: seed before the bot connects (it gets them in GUILD_CREATE)."""
        world = self.emu.world
        made = []
        for n in range(count):
            guild = build_bot_guild(world, f"Bench Guild {n}", shard=(n % shard_count, shard_count))
            for extra in range(channels - 1):
                world.add_channel(guild, f"chapters-{extra + 2}", ChannelType.TEXT)
            text = [c for c in guild.channel_ids if world.channels[c].type == ChannelType.TEXT]
            made.append(
                {
                    "guild_id": str(guild.id),
                    "shard": n % shard_count,
                    "channel_ids": [str(c) for c in text[:channels]],
                }
            )
        return made

    def world_ids(self) -> dict[str, Any]:
        """Ids a benchmark needs to fill its database: guild, bot, named channels and users."""
        world, guild = self.emu.world, self.emu.guild
        named = ("alice", "bob", "carol", "dave")
        return {
            "guild_id": str(guild.id),
            "bot_id": str(world.bot.id),
            "application_id": str(world.application_id),
            "channels": {world.channels[c].name: str(c) for c in guild.channel_ids[:16]},
            "users": {u.username: str(u.id) for u in world.users.values() if u.username in named},
        }

    # -- firing ---------------------------------------------------------------------------------

    def fire(
        self, user_id: int, command: str, channel_id: int, options: dict[str, Any]
    ) -> LoadRecord:
        """Dispatch one slash command interaction without waiting for its answer."""
        emu = self.emu
        channel = emu.world.channel(channel_id)
        name, *path = command.split()
        cmd = find_command(emu, name, channel.guild_id, 1)
        data = emu._command_data(cmd) | {
            "options": OptionBuilder(emu, channel).build(cmd, path, dict(options), None)
        }
        rec = LoadRecord(
            emu.world.ids.next(),
            "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48),
            2,
            user_id,
            channel.id,
            channel.guild_id,
            data,
            name=command,
            command_type=1,
        )
        emu.interactions[rec.id] = rec
        self._records.append(rec.id)
        payload = interaction_payload(emu, rec)
        rec.sent_at = time.monotonic()
        emu.gateway.dispatch("INTERACTION_CREATE", payload)
        return rec

    async def run(self, spec: RunSpec) -> dict[str, Any]:
        """Fire `rate * seconds` interactions on schedule; wait for answers; summarise."""
        if spec.rate <= 0 or spec.seconds <= 0 or not spec.user_ids:
            raise ValueError("rate, seconds and user_ids must be positive / non-empty")
        channel_id = self.emu.channel(spec.channel).id
        total = max(1, round(spec.rate * spec.seconds))
        # The emulator keeps every interaction and answer of the run; its full garbage
        # collections grow with that heap and would stall the gateway mid-run, showing up as the
        # *bot's* latency. Collect before, not during, the firing window (the same for every
        # side measured).
        gc.collect()
        gc.disable()
        try:
            return await self._fire_all(spec, channel_id, total)
        finally:
            gc.enable()

    async def _fire_all(self, spec: RunSpec, channel_id: int, total: int) -> dict[str, Any]:
        records: list[LoadRecord] = []
        slips: list[float] = []
        start = time.monotonic()
        for i in range(total):
            due = start + i / spec.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            user = spec.user_ids[i % len(spec.user_ids)]
            records.append(self.fire(user, spec.command, channel_id, spec.options))
            slips.append(records[-1].sent_at - due)
        deadline = time.monotonic() + self.emu.ack_deadline_s + 0.5
        while time.monotonic() < deadline and any(r.callback_at is None for r in records):
            await asyncio.sleep(0.02)
        return self._summary(spec, records, slips, time.monotonic() - start)

    def _summary(
        self, spec: RunSpec, records: list[LoadRecord], slips: list[float], elapsed: float
    ) -> dict[str, Any]:
        deadline = self.emu.ack_deadline_s
        answered = sorted(r.callback_at - r.sent_at for r in records if r.callback_at is not None)
        accepted = sorted(r.accepted_at - r.sent_at for r in records if r.accepted_at is not None)
        late = sum(1 for s in accepted if s > deadline) + (len(records) - len(accepted))
        return {
            "sent": len(records),
            "answered": len(answered),
            "late_or_missing": late,
            "rate": spec.rate,
            "seconds": spec.seconds,
            "elapsed_s": round(elapsed, 3),
            "achieved_rate": round(
                (len(records) - 1) / max(1e-9, records[-1].sent_at - records[0].sent_at), 1
            )
            if len(records) > 1
            else None,
            "p50_ms": round(percentile(answered, 50) * 1000, 2),
            "p90_ms": round(percentile(answered, 90) * 1000, 2),
            "p99_ms": round(percentile(answered, 99) * 1000, 2),
            "max_ms": round((answered[-1] if answered else 0.0) * 1000, 2),
            # The same ends measured after the emulator validated and stored each answer.
            "accepted_p50_ms": round(percentile(accepted, 50) * 1000, 2),
            "accepted_p99_ms": round(percentile(accepted, 99) * 1000, 2),
            "generator_slip_p99_ms": round(percentile(sorted(slips), 99) * 1000, 2),
            "generator_slip_max_ms": round(max(slips, default=0.0) * 1000, 2),
            "per_second_p99_ms": self._per_second_p99(records),
            # On the monotonic clock, to line the run up with samplers outside the emulator.
            "started_at": records[0].sent_at if records else None,
            "callback_types": dict(Counter(str(r.callback_type) for r in records)),
            "expected_answers": self._expected(records, spec.expect),
            "sample": self._sample(records),
        }

    def _per_second_p99(self, records: list[LoadRecord]) -> list[float]:
        """p99 latency of the interactions sent in each second of the run (stalls show up)."""
        if not records:
            return []
        start = records[0].sent_at
        buckets: dict[int, list[float]] = {}
        for r in records:
            late = r.callback_at - r.sent_at if r.callback_at is not None else float("inf")
            buckets.setdefault(int(r.sent_at - start), []).append(late)
        return [round(percentile(sorted(b), 99) * 1000, 1) for _, b in sorted(buckets.items())]

    def _expected(self, records: list[LoadRecord], expect: str | None) -> int | None:
        if expect is None:
            return None
        return sum(1 for r in records if expect in self._answer_text(r))

    def _answer_text(self, rec: LoadRecord) -> str:
        msg = self.emu.world.messages.get(rec.response_message_id or 0)
        if msg is None:
            return ""
        return msg.content + repr(msg.embeds)

    def _sample(self, records: list[LoadRecord]) -> str:
        for rec in records:
            text = self._answer_text(rec)
            if text:
                return text[:120]
        return ""

    # -- housekeeping ---------------------------------------------------------------------------

    def reset(self) -> dict[str, int]:
        """Forget every interaction the runs created, their answers, and the request log."""
        emu, world = self.emu, self.emu.world
        dropped: set[int] = set()
        for rec_id in self._records:
            rec = emu.interactions.pop(rec_id, None)
            if rec is not None:
                dropped.update(m for m in (rec.response_message_id, *rec.followup_ids) if m)
        for msg_id in dropped:
            msg = world.messages.pop(msg_id, None)
            if msg is not None:
                with contextlib.suppress(KeyError):
                    world.channel_messages[msg.channel_id] = [
                        m for m in world.channel_messages[msg.channel_id] if m not in dropped
                    ]
        cleared = {"interactions": len(self._records), "messages": len(dropped)}
        cleared["requests"] = len(emu.requests)
        self._records.clear()
        emu.requests.clear()
        gc.collect()
        return cleared

    def clock(self) -> dict[str, float]:
        """This process's wall clock and the request log's clock at the same instant."""
        now = time.monotonic()
        return {"wall": time.time(), "log": now - self.emu.started_at, "monotonic": now}

    def first_posts(self, channel_ids: list[int]) -> dict[str, dict[str, float]]:
        """Per channel: the wall time its first message POST reached the emulator (`first`) and
        how many message POSTs were answered 200 (`posts`); channels without any are left out."""
        wanted = {int(c) for c in channel_ids}
        offset = time.time() - (time.monotonic() - self.emu.started_at)
        first: dict[str, float] = {}
        posts: dict[str, float] = {}
        for record in self.emu.requests:
            if record.method != "POST":
                continue
            match = _CHANNEL_POST.match(record.path)
            if match is None or int(match.group(1)) not in wanted:
                continue
            first.setdefault(match.group(1), record.time + offset)
            if record.status == 200:
                posts[match.group(1)] = posts.get(match.group(1), 0) + 1
        return {"first": first, "posts": posts}


def add_load_routes(app: web.Application, emu: DiscordEmulator) -> None:
    """Register ``/_emu/load/...`` on `app`."""
    gen = LoadGenerator(emu)

    async def users(request: web.Request) -> web.Response:
        body = await request.json()
        ids = gen.seed_users(int(body["count"]), body.get("prefix", "reader"))
        return json_response(200, {"user_ids": [str(i) for i in ids]})

    async def channels(request: web.Request) -> web.Response:
        body = await request.json()
        ids = gen.seed_channels(int(body["count"]), body.get("prefix", "release"))
        return json_response(200, {"channel_ids": [str(i) for i in ids]})

    async def guilds(request: web.Request) -> web.Response:
        body = await request.json()
        made = gen.seed_guilds(
            int(body["count"]), int(body.get("channels", 1)), int(body.get("shard_count", 1))
        )
        return json_response(200, {"guilds": made})

    async def world(request: web.Request) -> web.Response:
        return json_response(200, gen.world_ids())

    async def run(request: web.Request) -> web.Response:
        body = await request.json()
        spec = RunSpec(
            command=body["command"],
            user_ids=[int(u) for u in body["user_ids"]],
            rate=float(body["rate"]),
            seconds=float(body["seconds"]),
            channel=_name_or_id(body.get("channel", "general")),
            options=dict(body.get("options") or {}),
            expect=body.get("expect"),
        )
        try:
            return json_response(200, await gen.run(spec))
        except (CommandUsageError, NotFoundError, ValueError) as exc:
            return json_response(400, {"error": str(exc)})

    async def reset(request: web.Request) -> web.Response:
        return json_response(200, gen.reset())

    async def clock(request: web.Request) -> web.Response:
        return json_response(200, gen.clock())

    async def first_posts(request: web.Request) -> web.Response:
        body = await request.json()
        return json_response(200, gen.first_posts([int(c) for c in body["channel_ids"]]))

    app.router.add_post("/_emu/load/users", users)
    app.router.add_post("/_emu/load/channels", channels)
    app.router.add_post("/_emu/load/guilds", guilds)
    app.router.add_get("/_emu/load/world", world)
    app.router.add_post("/_emu/load/run", run)
    app.router.add_post("/_emu/load/reset", reset)
    app.router.add_get("/_emu/load/clock", clock)
    app.router.add_post("/_emu/load/first_posts", first_posts)


def _name_or_id(value: Any) -> str | int:
    text = str(value)
    return int(text) if text.isdigit() else text
