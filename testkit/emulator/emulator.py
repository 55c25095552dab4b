"""DiscordEmulator: configuration, lifecycle and the world accessors tests use."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiohttp import web

from .actions import UserActions
from .faults import FaultInjector
from .gateway import PRIVILEGED_INTENTS, Gateway
from .integration import make_limiter, make_validator
from .interactions import InteractionRecord
from .lifecycle import ServerEvents
from .model import Channel, ChannelType, Guild, Message, Pings, Role, User
from .payloads import member_payload, role_payload
from .rest_base import Router
from .routes import register_routes
from .server import RequestRecord, build_app
from .timeline import Timeline
from .world import NotFoundError, World, build_default_world

APP_FLAG_PRESENCE_LIMITED = 1 << 13
APP_FLAG_MEMBERS_LIMITED = 1 << 15
APP_FLAG_CONTENT_LIMITED = 1 << 19


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class Violation(str):
    """A recorded validation failure; ``expected`` when declared by the test."""

    expected: bool = False


# Shaped like a real bot token (three dot-separated parts) so bots that validate the shape, as
# chapterbot does before any network call, accept it.
DEFAULT_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GEmuLa.emulator-token-for-tests-0000000000"


class DiscordEmulator(UserActions, ServerEvents):
    """An in-process Discord (REST v10 + gateway) for end-to-end tests of discord.py bots."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float = 1.0,
        rate_limits: bool = True,
        validate: bool = True,
        spec_path: Path | None = None,
        heartbeat_interval_ms: int = 41250,
        allowed_privileged_intents: int = 0,
        ack_deadline_s: float = 3.0,
        token_ttl_s: float = 900.0,
        nonce_window_s: float = 300.0,
        default_world: bool = True,
        bot_name: str = "chapterbot",
        shard_count: int = 1,
    ) -> None:
        self.token, self.host, self.port = token, host, port
        # What GET /gateway/bot recommends; IDENTIFY's `shard` decides what a connection gets.
        self.shard_count = shard_count
        self.time_scale = time_scale
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allowed_privileged_intents = allowed_privileged_intents & PRIVILEGED_INTENTS
        self.ack_deadline_s, self.token_ttl_s = ack_deadline_s, token_ttl_s
        self.nonce_window_s = nonce_window_s
        self.world = World(bot_name=bot_name)
        self._guild = build_default_world(self.world) if default_world else None
        self.timeline = Timeline()
        self.limiter = make_limiter(rate_limits, time_scale)
        self.validator = make_validator(validate, spec_path)
        self.faults = FaultInjector(self.limiter)
        self.gateway = Gateway(self)
        self.router = Router()
        register_routes(self.router)
        self.requests: list[RequestRecord] = []
        self.violations: list[Violation] = []
        self.stats: dict[str, Any] = {
            "requests": 0,
            "429": 0,
            "global_429": 0,
            "429_by_route": {},
        }
        self.app_commands: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        self.started_at = time.monotonic()
        self._expecting = 0
        self._removed_bot_members: dict[int, Any] = {}  # guild id -> the bot's member
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> DiscordEmulator:
        """Start serving on ``host``:``port`` (a free port when 0)."""
        if self.port == 0:
            self.port = free_port(self.host)
        self._runner = web.AppRunner(build_app(self), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.started_at = time.monotonic()
        self.timeline.add("emu", f"listening on {self.base_url}")
        return self

    async def stop(self) -> None:
        """Close gateway connections and stop the server."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def cdn_base(self) -> str:
        """Root of attachment URLs."""
        return f"{self.base_url}/cdn"

    def urls(self) -> dict[str, str]:
        """Every URL a client or a driver needs."""
        return {
            "api_base": self.api_base,
            "gateway_url": self.gateway_url,
            "cdn_base": self.cdn_base,
            "control": f"{self.base_url}/_emu",
        }

    @property
    def application_flags(self) -> int:
        """Application flags advertising the privileged intents the bot is allowed."""
        flags = 0
        allowed = self.allowed_privileged_intents
        flags |= APP_FLAG_MEMBERS_LIMITED if allowed & (1 << 1) else 0
        flags |= APP_FLAG_PRESENCE_LIMITED if allowed & (1 << 8) else 0
        flags |= APP_FLAG_CONTENT_LIMITED if allowed & (1 << 15) else 0
        return flags

    # -- violations -----------------------------------------------------------------------------

    def record_violation(self, text: str, record: RequestRecord | None = None) -> None:
        """Record a protocol/validation violation (fails the test unless expected)."""
        violation = Violation(text)
        violation.expected = self._expecting > 0
        self.violations.append(violation)
        if record is not None:
            record.violations.append(text)
        self.timeline.add("VIOL", text + (" (expected)" if violation.expected else ""))

    @contextlib.contextmanager
    def expect_violations(self) -> Iterator[list[Violation]]:
        """Declare that violations recorded inside the block are intended by the test."""
        self._expecting += 1
        start = len(self.violations)
        found: list[Violation] = []
        try:
            yield found
        finally:
            self._expecting -= 1
            found.extend(self.violations[start:])

    def unexpected_violations(self) -> list[Violation]:
        """Violations no test declared."""
        return [v for v in self.violations if not v.expected]

    # -- world accessors ------------------------------------------------------------------------

    @property
    def guild(self) -> Guild:
        """The default guild."""
        if self._guild is None:
            raise NotFoundError("this emulator was created without the default world")
        return self._guild

    @property
    def bot_user(self) -> User:
        """The bot's user."""
        return self.world.bot

    @property
    def application_id(self) -> int:
        """The bot application's id."""
        return self.world.application_id

    def channel(self, name_or_id: str | int) -> Channel:
        """A channel or thread by name (first match) or id."""
        if isinstance(name_or_id, int):
            return self.world.channel(name_or_id)
        for channel in self.world.channels.values():
            if channel.name == name_or_id.lstrip("#"):
                return channel
        raise NotFoundError(f"no channel named {name_or_id!r}")

    def user(self, name_or_id: str | int) -> User:
        """A user by username or id."""
        for user in self.world.users.values():
            if user.id == name_or_id or user.username == name_or_id:
                return user
        raise NotFoundError(f"no user {name_or_id!r}")

    def role(self, name: str, guild: Guild | None = None) -> Role:
        """A role of the default (or given) guild by name."""
        for role in (guild or self.guild).roles.values():
            if role.name == name:
                return role
        raise NotFoundError(f"no role {name!r}")

    def message(self, message_id: int) -> Message:
        """A stored message by id."""
        return self.world.messages[int(message_id)]

    def messages(self, channel: Channel | int) -> list[Message]:
        """Every live message of a channel in order, ephemeral ones included."""
        return self.world.history(channel if isinstance(channel, int) else channel.id)

    def visible_messages(self, channel: Channel | int, *, as_user: User) -> list[Message]:
        """Messages of a channel that ``as_user`` can see."""
        return [m for m in self.messages(channel) if self.world.visible(m, as_user.id)]

    def pings(self, message: Message) -> Pings:
        """Users, roles and @everyone/@here a message actually pinged."""
        return message.pings

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Registered application commands (global when ``guild_id`` is None)."""
        return list(self.app_commands.get(guild_id, []))

    # -- world mutation -------------------------------------------------------------------------

    def create_user(self, name: str, *, dms_open: bool = True, guild: Guild | None = None) -> User:
        """A new user, member of the default guild (or ``guild``)."""
        user = self.world.add_user(name, dms_open=dms_open)
        target = guild or self._guild
        if target is not None:
            self.world.join(target, user)
            payload = {**member_payload(self.world, target, user.id), "guild_id": str(target.id)}
            self.gateway.dispatch("GUILD_MEMBER_ADD", payload, intent=1 << 1)
        return user

    def set_dms_open(self, user: User, open_: bool) -> None:
        """Whether the bot may DM ``user``."""
        user.dms_open = open_

    def create_role(
        self,
        name: str,
        *,
        permissions: int = 0,
        mentionable: bool = False,
        guild: Guild | None = None,
    ) -> Role:
        """A new role in the default (or given) guild, dispatched as GUILD_ROLE_CREATE."""
        target = guild or self.guild
        role = self.world.add_role(target, name, permissions, mentionable=mentionable)
        data = {"guild_id": str(target.id), "role": role_payload(role)}
        self.gateway.dispatch("GUILD_ROLE_CREATE", data, intent=1, guild_id=target.id)
        return role

    def give_role(self, user: User, role: Role, guild: Guild | None = None) -> None:
        """Add ``role`` to ``user``'s member, dispatched as GUILD_MEMBER_UPDATE."""
        target = guild or self.guild
        member = target.members[user.id]
        if role.id not in member.roles:
            member.roles.append(role.id)
        self._member_update(target, user)

    def take_role(self, user: User, role: Role, guild: Guild | None = None) -> None:
        """Remove ``role`` from ``user``'s member, dispatched as GUILD_MEMBER_UPDATE."""
        target = guild or self.guild
        member = target.members[user.id]
        if role.id in member.roles:
            member.roles.remove(role.id)
        self._member_update(target, user)

    def _member_update(self, guild: Guild, user: User) -> None:
        data = {**member_payload(self.world, guild, user.id), "guild_id": str(guild.id)}
        self.gateway.dispatch("GUILD_MEMBER_UPDATE", data, intent=1 << 1, guild_id=guild.id)

    def create_channel(
        self,
        name: str,
        type: int = ChannelType.TEXT,
        *,
        nsfw: bool = False,
        parent: Channel | None = None,
        require_tag: bool = False,
        tags: list[str] | tuple[str, ...] = (),
        guild: Guild | None = None,
    ) -> Channel:
        """A new guild channel, dispatched as CHANNEL_CREATE."""
        target = guild or self.guild
        channel = self.world.add_channel(
            target, name, type, nsfw=nsfw, parent=parent, require_tag=require_tag, tags=tags
        )
        self.dispatch_channel("CHANNEL_CREATE", channel)
        return channel

    def set_overwrite(
        self, channel: Channel, target: User | Role, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a permission overwrite, dispatched as CHANNEL_UPDATE."""
        self.world.set_overwrite(channel, target, allow, deny)
        self.dispatch_channel("CHANNEL_UPDATE", channel)

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        """Change a role's permissions, dispatched as GUILD_ROLE_UPDATE."""
        role.permissions = int(permissions)
        guild = next(g for g in self.world.guilds.values() if role.id in g.roles)
        data = {"guild_id": str(guild.id), "role": role_payload(role)}
        self.gateway.dispatch("GUILD_ROLE_UPDATE", data, intent=1, guild_id=guild.id)

    def dispatch_channel(self, event: str, channel: Channel) -> None:
        """Dispatch CHANNEL_* / THREAD_* for ``channel``."""
        from .payloads import channel_payload

        self.gateway.dispatch(
            event, channel_payload(self.world, channel), intent=1, guild_id=channel.guild_id
        )

    async def drop_gateway(self) -> None:
        """Abruptly close gateway connections; the client should RESUME."""
        await self.gateway.drop()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT."""
        await self.gateway.request_reconnect()

    def freeze_gateway(self) -> None:
        """Stop all gateway traffic to the client, heartbeat ACKs included."""
        self.gateway.freeze()

    def unfreeze_gateway(self) -> None:
        """Undo :meth:`freeze_gateway`."""
        self.gateway.unfreeze()
