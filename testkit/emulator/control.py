"""The ``/_emu`` control API, so another process (a benchmark) can drive the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .commands import CommandUsageError
from .interactions import InteractionResult
from .loadgen import add_load_routes
from .model import Message
from .payloads import attachment_payload
from .rest_base import json_response
from .world import NotFoundError

if TYPE_CHECKING:
    from .emulator import DiscordEmulator


def message_json(msg: Message) -> dict[str, Any]:
    """A message as the control API reports it."""
    return {
        "id": str(msg.id),
        "channel_id": str(msg.channel_id),
        "author_id": str(msg.author_id),
        "content": msg.content,
        "embeds": msg.embeds,
        "components": msg.components,
        "flags": msg.flags,
        "ephemeral": msg.ephemeral,
        "attachments": [attachment_payload(a) for a in msg.attachments],
        "visible_to": str(msg.visible_to) if msg.visible_to else None,
    }


def result_json(result: InteractionResult) -> dict[str, Any]:
    """An interaction result as JSON."""
    msg = result.message
    return {
        "interaction_id": str(result.record.id),
        "type": result.type,
        "message": message_json(msg) if msg else None,
        "followups": [message_json(m) for m in result.followups],
        "modal": result.modal,
        "choices": result.choices,
    }


async def _interaction(emu: DiscordEmulator, body: dict[str, Any]) -> Any:
    user = emu.user(body["user"])
    channel = emu.channel(body.get("channel", "general"))
    options = dict(body.get("options") or {})
    if body.get("focused"):
        choices = await emu.autocomplete(
            user, body["command"], focused=body["focused"], in_channel=channel, **options
        )
        return {"type": 8, "choices": choices}
    result = await emu.slash(user, body["command"], in_channel=channel, **options)
    if body.get("wait_final", True) and result.deferred:
        await result.final(timeout=float(body.get("timeout", 15.0)))
    return result_json(result)


def add_control_routes(app: web.Application, emu: DiscordEmulator) -> None:
    """Register /_emu/... on ``app``."""

    async def interaction(request: web.Request) -> web.Response:
        try:
            return json_response(200, await _interaction(emu, await request.json()))
        except (CommandUsageError, NotFoundError, KeyError) as exc:
            return json_response(400, {"error": str(exc)})

    async def messages(request: web.Request) -> web.Response:
        try:
            channel = emu.channel(_name_or_id(request.query["channel"]))
        except (KeyError, NotFoundError) as exc:
            return json_response(400, {"error": str(exc)})
        as_user = request.query.get("as_user")
        msgs = (
            emu.visible_messages(channel, as_user=emu.user(as_user))
            if as_user
            else emu.messages(channel)
        )
        return json_response(200, [message_json(m) for m in msgs])

    async def post(request: web.Request) -> web.Response:
        body = await request.json()
        channel = emu.channel(_name_or_id(body["channel"]))
        msg = await emu.post(emu.user(body["user"]), channel, body["content"])
        return json_response(200, message_json(msg))

    async def requests(request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        return json_response(200, [r.as_json() for r in emu.requests[since:]])

    async def faults(request: web.Request) -> web.Response:
        if request.method == "DELETE":
            emu.faults.clear()
            return json_response(200, {"ok": True})
        try:
            emu.faults.apply(await request.json())
        except (ValueError, KeyError, RuntimeError) as exc:
            return json_response(400, {"error": str(exc)})
        return json_response(200, {"ok": True})

    async def stats(request: web.Request) -> web.Response:
        data = {
            **emu.stats,
            "gateway": emu.gateway.stats,
            "violations": list(emu.violations),
            "limiter": getattr(emu.limiter, "counts", None),
        }
        return json_response(200, data)

    app.router.add_post("/_emu/interaction", interaction)
    app.router.add_get("/_emu/messages", messages)
    app.router.add_post("/_emu/post", post)
    app.router.add_get("/_emu/requests", requests)
    app.router.add_post("/_emu/faults", faults)
    app.router.add_delete("/_emu/faults", faults)
    app.router.add_get("/_emu/stats", stats)
    add_load_routes(app, emu)


def _name_or_id(value: str) -> str | int:
    return int(value) if value.isdigit() else value
