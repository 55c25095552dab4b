"""Turn a test's ``slash("story upload", file=...)`` into options checked against the schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model import Attachment, Channel, Role, User
from .payloads import (
    attachment_payload,
    interaction_channel_payload,
    member_payload,
    role_payload,
    user_payload,
)

if TYPE_CHECKING:
    from .emulator import DiscordEmulator


class CommandUsageError(AssertionError):
    """The test invoked a command or option the bot did not register (or left one out)."""


def find_command(
    emu: DiscordEmulator, name: str, guild_id: int | None, type_: int = 1
) -> dict[str, Any]:
    """A registered command by top-level name: guild commands first, then global."""
    scopes = [guild_id, None] if guild_id is not None else [None]
    for scope in scopes:
        for cmd in emu.app_commands.get(scope, []):
            if cmd["name"] == name and int(cmd.get("type", 1)) == type_:
                return cmd
    known = sorted(c["name"] for s in scopes for c in emu.app_commands.get(s, []))
    raise CommandUsageError(f"command {name!r} (type {type_}) is not registered; known: {known}")


class OptionBuilder:
    """Builds the ``options`` tree and ``resolved`` data for a chat-input command."""

    def __init__(self, emu: DiscordEmulator, channel: Channel) -> None:
        self.emu, self.channel = emu, channel
        self.resolved: dict[str, dict[str, Any]] = {}

    def build(
        self, cmd: dict[str, Any], path: list[str], values: dict[str, Any], focused: str | None
    ) -> list[dict[str, Any]]:
        """Nest subcommand group/subcommand options and convert the leaf values."""
        schema: list[dict[str, Any]] = cmd.get("options") or []
        chain: list[tuple[str, int]] = []
        for part in path:
            sub = next((o for o in schema if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise CommandUsageError(f"/{cmd['name']} has no subcommand {part!r}")
            chain.append((part, sub["type"]))
            schema = sub.get("options") or []
        if any(o["type"] in (1, 2) for o in schema):
            subs = [o["name"] for o in schema]
            raise CommandUsageError(f"/{cmd['name']} needs a subcommand, one of {subs}")
        leaf = self._leaf(schema, values, focused)
        for part, type_ in reversed(chain):
            leaf = [{"name": part, "type": type_, "options": leaf}]
        return leaf

    def _leaf(
        self, schema: list[dict[str, Any]], values: dict[str, Any], focused: str | None
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in schema}
        for name in values:
            if name not in by_name:
                raise CommandUsageError(f"no option {name!r}; options are {sorted(by_name)}")
        if focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
            if missing:
                raise CommandUsageError(f"required option(s) missing: {missing}")
        out = []
        for name, value in values.items():
            spec = by_name[name]
            if name == focused:
                out.append(
                    {"name": name, "type": spec["type"], "value": str(value), "focused": True}
                )
            else:
                out.append({"name": name, "type": spec["type"], "value": self.convert(spec, value)})
        return out

    def convert(self, spec: dict[str, Any], value: Any) -> Any:
        """Type-check and convert one value the way Discord's client would send it."""
        kind, name = spec["type"], spec["name"]
        converted = self._convert_kind(kind, name, value, spec)
        choices = spec.get("choices")
        if choices and converted not in [c["value"] for c in choices]:
            raise CommandUsageError(f"{name}={value!r} is not one of the choices {choices}")
        return converted

    def _convert_kind(self, kind: int, name: str, value: Any, spec: dict[str, Any]) -> Any:
        if kind == 3:
            self._expect(isinstance(value, str), name, value, "a string")
            lo, hi = spec.get("min_length", 0), spec.get("max_length", 6000)
            self._expect(lo <= len(value) <= hi, name, value, f"{lo}..{hi} characters")
            return value
        if kind in (4, 10):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            self._expect(ok and (kind == 10 or float(value).is_integer()), name, value, "a number")
            lo, hi = spec.get("min_value"), spec.get("max_value")
            self._expect(lo is None or value >= lo, name, value, f">= {lo}")
            self._expect(hi is None or value <= hi, name, value, f"<= {hi}")
            return int(value) if kind == 4 else float(value)
        if kind == 5:
            self._expect(isinstance(value, bool), name, value, "a bool")
            return value
        return self._snowflake(kind, name, value, spec)

    def _snowflake(self, kind: int, name: str, value: Any, spec: dict[str, Any]) -> str:
        emu = self.emu
        if isinstance(value, str):
            value = self._by_name(kind, value)
        if kind in (6, 9) and isinstance(value, User):
            return self.add_user(value)
        if kind in (8, 9) and isinstance(value, Role):
            self.resolved.setdefault("roles", {})[str(value.id)] = role_payload(value)
            return str(value.id)
        if kind == 7 and isinstance(value, Channel):
            allowed = spec.get("channel_types")
            self._expect(not allowed or value.type in allowed, name, value, f"types {allowed}")
            perms = emu.world.permissions(value, emu.world.bot.id)
            data = interaction_channel_payload(emu.world, value, perms)
            self.resolved.setdefault("channels", {})[str(value.id)] = data
            return str(value.id)
        if kind == 11 and isinstance(value, Attachment):
            self.resolved.setdefault("attachments", {})[str(value.id)] = attachment_payload(value)
            return str(value.id)
        raise CommandUsageError(f"option {name!r} (type {kind}) cannot take {value!r}")

    def _by_name(self, kind: int, value: str) -> Any:
        if kind == 6:
            return self.emu.user(value)
        if kind == 7:
            return self.emu.channel(value)
        if kind == 8:
            return self.emu.role(value)
        return value

    def add_user(self, user: User) -> str:
        """Put a user (and their member, in a guild) into ``resolved``."""
        world = self.emu.world
        self.resolved.setdefault("users", {})[str(user.id)] = user_payload(user)
        guild = world.guild_of(self.channel)
        if guild is not None and user.id in guild.members:
            perms = world.permissions(self.channel, user.id)
            member = member_payload(world, guild, user.id, with_user=False, permissions=perms)
            self.resolved.setdefault("members", {})[str(user.id)] = member
        return str(user.id)

    @staticmethod
    def _expect(ok: bool, name: str, value: Any, what: str) -> None:
        if not ok:
            raise CommandUsageError(f"option {name!r}: {value!r} is not {what}")
