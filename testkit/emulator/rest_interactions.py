"""Interaction callbacks and the interaction webhook (original response and followups)."""

from __future__ import annotations

import time
from typing import Any

from .interactions import InteractionRecord
from .messaging import apply_edit, dispatch_delete, dispatch_message, new_message, post_message
from .model import FLAG_EPHEMERAL, FLAG_LOADING, Message
from .payloads import message_payload
from .rest_base import ApiError, Reply, RestRequest, Router, bad_request

# Which callback types each interaction type accepts (1 ping, 2 command, 3 component,
# 4 autocomplete, 5 modal submit).
ALLOWED_CALLBACKS = {1: {1}, 2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
MESSAGE_TYPE = {1: 20, 2: 20, 3: 23}


def _record(req: RestRequest) -> InteractionRecord:
    rec = req.emu.interactions.get(req.snowflake("interaction_id"))
    if rec is None or rec.token != req.params["token"]:
        raise ApiError(404, 10062, "Unknown interaction")
    return rec


def _webhook_record(req: RestRequest) -> InteractionRecord:
    emu = req.emu
    if req.snowflake("application_id") != emu.application_id:
        raise ApiError(404, 10015, "Unknown Webhook")
    rec = next((r for r in emu.interactions.values() if r.token == req.params["token"]), None)
    if rec is None:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    if time.monotonic() - rec.created > emu.token_ttl_s:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    if rec.callback_type is None:
        raise ApiError(404, 10015, "Unknown Webhook")
    return rec


def _response_message(
    req: RestRequest, rec: InteractionRecord, body: dict[str, Any], *, extra_flags: int = 0
) -> Message:
    emu = req.emu
    channel = emu.world.channels[rec.channel_id]
    flags = extra_flags | (int(body.get("flags") or 0) & FLAG_EPHEMERAL)
    msg = new_message(
        emu, channel, emu.world.bot.id, body, req.files, check_embeds=False, extra_flags=flags
    )
    msg.type = MESSAGE_TYPE.get(rec.command_type or 0, 20) if rec.type == 2 else 0
    msg.webhook_id = msg.application_id = emu.application_id
    msg.interaction_metadata = rec.metadata(emu)
    if flags & FLAG_EPHEMERAL:
        msg.visible_to = rec.user_id
    return post_message(emu, msg)


def _callback_resource(req: RestRequest, rec: InteractionRecord, kind: int, data: dict) -> Any:
    emu = req.emu
    if kind == 4:
        msg = _response_message(req, rec, data)
        rec.response_message_id = msg.id
        return msg
    if kind == 5:
        msg = _response_message(
            req,
            rec,
            {"content": ""},
            extra_flags=FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL),
        )
        rec.response_message_id = msg.id
        return msg
    if kind == 7:
        msg = emu.world.messages[rec.source_message_id] if rec.source_message_id else None
        if msg is None:
            raise bad_request("Interaction has no message to update", 50035)
        apply_edit(emu, msg, data, req.files)
        rec.edits += 1
        dispatch_message(emu, "MESSAGE_UPDATE", msg)
        return msg
    if kind == 8:
        rec.choices = list(data.get("choices") or [])
    elif kind == 9:
        rec.modal = dict(data)
    return None


async def callback(req: RestRequest) -> Any:
    """POST /interactions/{interaction_id}/{token}/callback (with_response answered as JSON)."""
    emu = req.emu
    rec = _record(req)
    if rec.callback_type is not None:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    if time.monotonic() - rec.created > emu.ack_deadline_s:
        emu.timeline.add("ix", f"interaction {rec.id} acknowledged too late")
        raise ApiError(404, 10062, "Unknown interaction")
    body = req.json()
    kind = int(body.get("type", 0))
    if kind not in ALLOWED_CALLBACKS.get(rec.type, set()):
        raise bad_request(f"Interaction callback type {kind} is invalid here", 50035)
    data = body.get("data") or {}
    msg = _callback_resource(req, rec, kind, data)
    rec.callback_type, rec.callback_body = kind, body
    rec.callback_received_at = req.received_at or None
    emu.timeline.add("ix", f"interaction {rec.name or rec.id} callback type {kind}")
    rec.changed()
    return _callback_answer(req, rec, kind, msg)


def _callback_answer(
    req: RestRequest, rec: InteractionRecord, kind: int, msg: Message | None
) -> Any:
    interaction: dict[str, Any] = {"id": str(rec.id), "type": rec.type}
    if msg is not None:
        interaction |= {
            "response_message_id": str(msg.id),
            "response_message_loading": bool(msg.flags & FLAG_LOADING),
            "response_message_ephemeral": msg.ephemeral,
        }
    answer: dict[str, Any] = {"interaction": interaction}
    # The spec's resource exists for message (4) and update (7) callbacks only.
    if msg is not None and kind in (4, 7):
        answer["resource"] = {"type": kind, "message": message_payload(req.emu.world, msg)}
    return answer


def _target_message(req: RestRequest, rec: InteractionRecord) -> Message:
    raw = req.params["message_id"]
    if raw == "@original":
        msg_id = rec.response_message_id
        if msg_id is None and rec.callback_type in (6, 7):
            msg_id = rec.source_message_id
    else:
        msg_id = int(raw) if raw.isdigit() else None
        allowed = {*rec.followup_ids, rec.response_message_id, rec.source_message_id}
        if msg_id not in allowed:
            msg_id = None
    msg = req.emu.world.messages.get(msg_id) if msg_id else None
    if msg is None or msg.deleted:
        raise ApiError(404, 10008, "Unknown Message")
    return msg


async def get_webhook_message(req: RestRequest) -> Any:
    """GET /webhooks/{application_id}/{token}/messages/{message_id|@original}."""
    rec = _webhook_record(req)
    return message_payload(req.emu.world, _target_message(req, rec))


async def edit_webhook_message(req: RestRequest) -> Any:
    """PATCH /webhooks/{application_id}/{token}/messages/{message_id|@original}."""
    rec = _webhook_record(req)
    msg = _target_message(req, rec)
    apply_edit(req.emu, msg, req.json(), req.files)
    rec.edits += 1
    dispatch_message(req.emu, "MESSAGE_UPDATE", msg)
    req.emu.timeline.add("ix", f"interaction {rec.name or rec.id} message {msg.id} edited")
    rec.changed()
    return message_payload(req.emu.world, msg)


async def delete_webhook_message(req: RestRequest) -> Any:
    """DELETE /webhooks/{application_id}/{token}/messages/{message_id|@original}."""
    rec = _webhook_record(req)
    msg = _target_message(req, rec)
    msg.deleted = True
    dispatch_delete(req.emu, msg)
    rec.changed()
    return None


async def followup(req: RestRequest) -> Any:
    """POST /webhooks/{application_id}/{token} (followup; ``wait`` returns the message)."""
    rec = _webhook_record(req)
    body = req.json()
    if not req.files and not any(body.get(k) for k in ("content", "embeds", "components", "poll")):
        raise bad_request("Cannot send an empty message", 50006)
    msg = _response_message(req, rec, body)
    rec.followup_ids.append(msg.id)
    req.emu.timeline.add("ix", f"interaction {rec.name or rec.id} followup {msg.id}")
    rec.changed()
    if req.query.get("wait") in ("1", "true", "True"):
        return message_payload(req.emu.world, msg)
    return Reply(204)


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add(
        "POST",
        "/interactions/{interaction_id}/{token}/callback",
        callback,
        auth=False,
        exempt_global=True,
    )
    hook = "/webhooks/{application_id}/{token}"
    router.add("POST", hook, followup, auth=False, exempt_global=True)
    for method, handler in (
        ("GET", get_webhook_message),
        ("PATCH", edit_webhook_message),
        ("DELETE", delete_webhook_message),
    ):
        router.add(method, hook + "/messages/{message_id}", handler, auth=False, exempt_global=True)
