"""The emulator's request log: every message the bot created or edited, and whom it let ping.

Discord decides whom a message pings from its `allowed_mentions`; without that field it parses
every mention in the text. So "story text never pings" is checked on the requests themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from testkit.emulator import DiscordEmulator
from testkit.emulator.server import RequestRecord

# (method, path pattern, where the message fields sit in the body)
_MESSAGE_ROUTES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("POST", re.compile(r"/channels/\d+/messages"), ()),
    ("PATCH", re.compile(r"/channels/\d+/messages/\d+"), ()),
    ("POST", re.compile(r"/channels/\d+/threads"), ("message",)),
    ("POST", re.compile(r"/interactions/\d+/[^/]+/callback"), ("data",)),
    ("POST", re.compile(r"/webhooks/\d+/[^/]+"), ()),
    ("PATCH", re.compile(r"/webhooks/\d+/[^/]+/messages/[^/]+"), ()),
)


@dataclass(frozen=True)
class SentMessage:
    """One message-creating or -editing request: its fields and the message id it produced."""

    method: str
    path: str
    fields: dict[str, Any]
    message_id: int | None

    @property
    def text(self) -> str:
        """Content and embed texts: what could carry a mention."""
        parts = [str(self.fields.get("content") or "")]
        for embed in self.fields.get("embeds") or []:
            parts += [str(embed.get("title", "")), str(embed.get("description", ""))]
            parts += [str(f.get("value", "")) for f in embed.get("fields", [])]
        return "\n".join(parts)

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        """The request's allowed_mentions, None when absent."""
        value = self.fields.get("allowed_mentions")
        return value if isinstance(value, dict) else None


def _dig(body: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _response_message_id(record: RequestRecord) -> int | None:
    response = record.response
    if isinstance(response, dict):
        if isinstance(response.get("message"), dict):  # a forum post: the thread + its message
            return int(response["message"]["id"])
        if "content" in response and "id" in response:
            return int(response["id"])
    return None


def sent_messages(emu: DiscordEmulator) -> list[SentMessage]:
    """Every successful request by which the bot created or edited a message (with text)."""
    found: list[SentMessage] = []
    for record in emu.requests:
        if record.status >= 300:
            continue
        for method, pattern, keys in _MESSAGE_ROUTES:
            if record.method != method or not pattern.fullmatch(record.path):
                continue
            fields = _dig(record.body, keys)
            if isinstance(fields, dict) and ("content" in fields or "embeds" in fields):
                found.append(
                    SentMessage(record.method, record.path, fields, _response_message_id(record))
                )
            break
    return found


def permits_nothing(allowed: dict[str, Any] | None) -> bool:
    """True when allowed_mentions lets nobody be pinged (a missing field allows everything)."""
    if allowed is None:
        return False
    return not (allowed.get("parse") or allowed.get("users") or allowed.get("roles"))


def permits_only_role(allowed: dict[str, Any] | None, role_id: int) -> bool:
    """True when allowed_mentions lets exactly one role be pinged, and no user or @everyone."""
    if allowed is None or allowed.get("parse") or allowed.get("users"):
        return False
    return [int(r) for r in allowed.get("roles") or []] == [role_id]
