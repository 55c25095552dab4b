"""Deliberate deviations from Discord's OpenAPI spec, each with the reason it is needed.

The spec is a machine-generated preview that lags Discord and is stricter than the live API
in places where discord.py relies on Discord's documented leniency. Rather than loosening the
validator wholesale, each known difference is patched into the freshly loaded spec: either a
JSON-Patch style operation (RFC 6902 ``add``/``replace``; ``/-`` appends to an array) or a
retyping of same-named properties across request schemas. The list stays short, reviewable
and tested: ``test_validation.py`` proves each override is still needed by a real request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SNOWFLAKE_PATTERN = "^(0|[1-9][0-9]*)$"


def _unescape(token: str) -> str:
    """Decode one JSON-pointer reference token."""
    return token.replace("~1", "/").replace("~0", "~")


@dataclass(frozen=True)
class SpecOverride:
    """A JSON-Patch style ``add``/``replace`` at one spot of the spec."""

    op: str
    pointer: str
    value: Any
    reason: str

    @property
    def target(self) -> str:
        """What the override changes (its id in tests)."""
        return self.pointer

    def apply(self, document: dict[str, Any]) -> None:
        """Patch ``document`` in place; raise KeyError if the target does not exist."""
        *parents, last = [_unescape(t) for t in self.pointer.lstrip("/").split("/")]
        node: Any = document
        for token in parents:
            node = node[int(token)] if isinstance(node, list) else node[token]
        if isinstance(node, list) and self.op == "add":
            node.insert(len(node) if last == "-" else int(last), self.value)
        elif self.op == "replace" and last not in node:
            raise KeyError(f"{self.pointer} does not exist, cannot replace it")
        elif self.op in ("add", "replace"):
            node[last] = self.value
        else:
            raise ValueError(f"unsupported override op {self.op!r}")


@dataclass(frozen=True)
class PropertyOverride:
    """Gives every integer-typed property named one of ``names`` in a request body ``value``."""

    names: tuple[str, ...]
    value: Any
    reason: str

    @property
    def target(self) -> str:
        """What the override changes (its id in tests)."""
        return "request properties " + ", ".join(self.names)

    def apply(self, document: dict[str, Any]) -> None:
        """Retype the properties in every request schema (named ``*Request*`` or inline)."""
        schemas = document["components"]["schemas"]
        operations = [op for item in document["paths"].values() for op in item.values()]
        bodies = [op["requestBody"] for op in operations if "requestBody" in op]
        found = sum(self._retype(s) for name, s in schemas.items() if "Request" in name)
        if not found + sum(self._retype(body) for body in bodies):
            raise KeyError(f"no request property named {self.names}")

    def _retype(self, node: Any) -> int:
        """Retype matching properties under ``node``; return how many were changed."""
        if isinstance(node, list):
            return sum(self._retype(item) for item in node)
        if not isinstance(node, dict):
            return 0
        changed = 0
        props = node.get("properties")
        for name in self.names if isinstance(props, dict) else ():
            if name in props and "integer" in props[name].get("type", ()):
                props[name], changed = self.value, changed + 1
        return changed + sum(self._retype(value) for value in node.values())


def _query_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI query parameter object."""
    return {"name": name, "in": "query", "schema": schema}


OVERRIDES: tuple[SpecOverride | PropertyOverride, ...] = (
    SpecOverride(
        "replace",
        "/components/schemas/SnowflakeType",
        # One schema with a type list (not anyOf) keeps validation fast: `pattern` only
        # constrains strings and `minimum` only numbers.
        {"type": ["string", "integer"], "pattern": SNOWFLAKE_PATTERN, "minimum": 0},
        "Discord accepts snowflakes as JSON integers and discord.py sends them that way for "
        "attachment ids (File.to_dict(index)), allowed_mentions users/roles, "
        "message_reference ids, sticker_ids and applied_tags; the spec only allows strings.",
    ),
    SpecOverride(
        "add",
        "/components/schemas/ChannelTypes/oneOf/-",
        {"title": "GUILD_MEDIA", "description": "Media channel (threads only)", "const": 16},
        "The spec's ChannelTypes stops at 15 (forum) but Discord has media channels (16); "
        "discord.py adds 16 to channel_types of forum-typed command options and selects.",
    ),
    SpecOverride(
        "add",
        "/components/schemas/MessageReferenceType/oneOf/-",
        {"title": "FORWARD", "description": "Forward of a message", "const": 1},
        "The spec only knows DEFAULT (0) references; Discord documents FORWARD (1), which "
        "discord.py's Message.forward() sends as message_reference.type.",
    ),
    PropertyOverride(
        ("permissions", "allow", "deny", "default_member_permissions"),
        {"type": ["string", "integer", "null"], "pattern": "^[0-9]+$", "minimum": 0},
        "Discord serialises permission bit sets as strings (they outgrow 53 bits) and accepts "
        "both; discord.py sends strings from set_permissions() and Guild.create_role(), while "
        "the spec types every permissions/allow/deny field as an integer.",
    ),
    SpecOverride(
        "add",
        "/paths/~1channels~1{channel_id}~1threads/post/parameters",
        [_query_param("use_nested_fields", {"type": "boolean"})],
        "discord.py's start_thread_in_forum sends ?use_nested_fields=1, which Discord "
        "accepts but the spec does not list.",
    ),
    SpecOverride(
        "add",
        "/paths/~1guilds~1{guild_id}~1bans~1{user_id}/put/parameters",
        [_query_param("delete_message_seconds", {"type": "integer", "minimum": 0})],
        "discord.py's ban() sends delete_message_seconds as a query parameter with no body; "
        "Discord accepts it, the spec only has it in the (required) body.",
    ),
)


def apply_overrides(document: dict[str, Any]) -> dict[str, Any]:
    """Patch ``document`` (a freshly loaded spec) in place with every override and return it."""
    for override in OVERRIDES:
        override.apply(document)
    return document


def enums_from_const_unions(document: dict[str, Any]) -> None:
    """Rewrite the spec's enum types (``oneOf`` of ``const``s) as ``enum``; same meaning.

    Not a deviation, a speed-up: jsonschema must try every branch of a ``oneOf``, and for
    MessageComponentTypes that was 20 sub-validations per component (~8 ms per message).
    """
    for schema in document.get("components", {}).get("schemas", {}).values():
        branches = schema.get("oneOf")
        if branches and all(isinstance(b, dict) and "const" in b for b in branches):
            schema["enum"] = [branch["const"] for branch in schema.pop("oneOf")]
