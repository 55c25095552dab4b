"""Discord's documented request limits, checked on every REST body whether or not the spec loads.

Each check returns human-readable violations that start with the offending field's location
(``embeds[0].title has 257 characters, limit 256``); ``validation.discord_error_body`` relies on
that leading location token to build Discord's nested error tree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

EMPTY_MESSAGE = "Cannot send an empty message"  # Discord error 50006

COMPONENTS_V2_FLAG = 1 << 15
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
LINK_STYLE, PREMIUM_STYLE = 5, 6
MENTION_KINDS = ("users", "roles", "everyone")
EMBED_TEXT_TOTAL = 6000

Violations = list[str]


def length(loc: str, value: Any, low: int, high: int) -> Violations:
    """Check a string's length; non-strings are left to the schema check."""
    if not isinstance(value, str):
        return []
    if len(value) < low:
        return [f"{loc} has {len(value)} characters, minimum {low}"]
    if len(value) > high:
        return [f"{loc} has {len(value)} characters, limit {high}"]
    return []


def count(loc: str, items: Any, low: int, high: int) -> Violations:
    """Check a list's length; non-lists are left to the schema check."""
    if not isinstance(items, list):
        return []
    if len(items) < low:
        return [f"{loc} has {len(items)} items, minimum {low}"]
    if len(items) > high:
        return [f"{loc} has {len(items)} items, limit {high}"]
    return []


def _dicts(loc: str, items: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (location, item) for the dict items of a list."""
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield f"{loc}[{index}]", item


# --- embeds -----------------------------------------------------------------------------------


def _embed(loc: str, embed: dict[str, Any]) -> tuple[Violations, int]:
    """Check one embed; return its violations and its text size towards the 6,000 total."""
    out = length(f"{loc}.title", embed.get("title"), 0, 256)
    out += length(f"{loc}.description", embed.get("description"), 0, 4096)
    out += count(f"{loc}.fields", embed.get("fields"), 0, 25)
    texts = [embed.get("title"), embed.get("description")]
    for floc, field in _dicts(f"{loc}.fields", embed.get("fields")):
        out += length(f"{floc}.name", field.get("name"), 1, 256)
        out += length(f"{floc}.value", field.get("value"), 1, 1024)
        texts += [field.get("name"), field.get("value")]
    for part, key, limit in (("footer", "text", 2048), ("author", "name", 256)):
        sub = embed.get(part)
        if isinstance(sub, dict):
            out += length(f"{loc}.{part}.{key}", sub.get(key), 0, limit)
            texts.append(sub.get(key))
    return out, sum(len(t) for t in texts if isinstance(t, str))


def check_embeds(embeds: Any) -> Violations:
    """Per-embed limits, at most 10 embeds and 6,000 characters across all of them."""
    out = count("embeds", embeds, 0, 10)
    total = 0
    for loc, embed in _dicts("embeds", embeds):
        problems, size = _embed(loc, embed)
        out += problems
        total += size
    if total > EMBED_TEXT_TOTAL:
        out.append(f"embeds have {total} characters of text in total, limit {EMBED_TEXT_TOTAL}")
    return out


# --- components -------------------------------------------------------------------------------


def _walk(loc: str, components: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield every component in a tree (rows, sections, containers, labels) with its location."""
    for cloc, comp in _dicts(loc, components):
        yield cloc, comp
        yield from _walk(f"{cloc}.components", comp.get("components"))
        for key in ("accessory", "component"):
            child = comp.get(key)
            if isinstance(child, dict):
                yield f"{cloc}.{key}", child
                yield from _walk(f"{cloc}.{key}.components", child.get("components"))


def _button(loc: str, button: dict[str, Any]) -> Violations:
    """Buttons: link buttons carry a url, premium ones an sku_id, the rest a custom_id."""
    out = length(f"{loc}.label", button.get("label"), 0, 80)
    style = button.get("style")
    if style == LINK_STYLE and not button.get("url"):
        out.append(f"{loc}.url is required for link buttons")
    elif style not in (LINK_STYLE, PREMIUM_STYLE):
        if button.get("custom_id") is None:
            out.append(f"{loc}.custom_id is required for non-link buttons")
        out += length(f"{loc}.custom_id", button.get("custom_id"), 1, 100)
    return out


def _select(loc: str, select: dict[str, Any]) -> Violations:
    """Selects: custom_id, placeholder and (for string selects) 1..25 options."""
    out = length(f"{loc}.custom_id", select.get("custom_id"), 1, 100)
    out += length(f"{loc}.placeholder", select.get("placeholder"), 0, 150)
    if select.get("type") == 3:
        out += count(f"{loc}.options", select.get("options"), 1, 25)
        for oloc, option in _dicts(f"{loc}.options", select.get("options")):
            out += length(f"{oloc}.label", option.get("label"), 1, 100)
            out += length(f"{oloc}.value", option.get("value"), 1, 100)
            out += length(f"{oloc}.description", option.get("description"), 0, 100)
    return out


def _text_input(loc: str, text_input: dict[str, Any]) -> Violations:
    """Modal text inputs."""
    out = length(f"{loc}.custom_id", text_input.get("custom_id"), 1, 100)
    out += length(f"{loc}.label", text_input.get("label"), 1, 45)
    out += length(f"{loc}.value", text_input.get("value"), 0, 4000)
    out += length(f"{loc}.placeholder", text_input.get("placeholder"), 0, 100)
    for key, low in (("min_length", 0), ("max_length", 1)):
        value = text_input.get(key)
        if isinstance(value, int) and not low <= value <= 4000:
            out.append(f"{loc}.{key} is {value}, must be between {low} and 4000")
    return out


def _action_row(loc: str, row: dict[str, Any]) -> Violations:
    """A row holds 1..5 buttons, or exactly one select alone."""
    children = row.get("components")
    out = count(f"{loc}.components", children, 1, 5)
    kinds = [c.get("type") for _, c in _dicts(f"{loc}.components", children)]
    if any(kind in SELECT_TYPES for kind in kinds) and len(kinds) > 1:
        out.append(f"{loc}.components has a select menu sharing its row; a select must be alone")
    return out


_COMPONENT_CHECKS: dict[int, Callable[[str, dict[str, Any]], Violations]] = {
    1: _action_row,
    2: _button,
    4: _text_input,
    **dict.fromkeys(SELECT_TYPES, _select),
}


def check_components(components: Any, flags: Any) -> Violations:
    """Layout limits (5 action rows, or 40 components with IS_COMPONENTS_V2) and each part."""
    v2 = isinstance(flags, int) and bool(flags & COMPONENTS_V2_FLAG)
    out: Violations = []
    if v2:
        total = sum(1 for _ in _walk("components", components))
        if total > 40:
            out.append(f"components has {total} components in total, limit 40")
    else:
        out += count("components", components, 0, 5)
        for loc, comp in _dicts("components", components):
            if comp.get("type") != 1:
                out.append(
                    f"{loc}.type is {comp.get('type')}; without the IS_COMPONENTS_V2 flag "
                    "only action rows (type 1) may be top-level"
                )
    for loc, comp in _walk("components", components):
        check = _COMPONENT_CHECKS.get(comp.get("type"))  # type: ignore[arg-type]
        if check is not None:
            out += check(loc, comp)
    return out


# --- messages ---------------------------------------------------------------------------------


def check_allowed_mentions(mentions: Any) -> Violations:
    """``parse`` holds only users/roles/everyone and never overlaps an explicit id list."""
    if not isinstance(mentions, dict):
        return []
    out: Violations = []
    parse = mentions.get("parse") or []
    for index, kind in enumerate(parse if isinstance(parse, list) else []):
        if kind not in MENTION_KINDS:
            out.append(
                f"allowed_mentions.parse[{index}] is {kind!r}, must be one of "
                + ", ".join(MENTION_KINDS)
            )
    for kind in ("users", "roles"):
        # Discord rejects the combination as mutually exclusive; an empty list is harmless.
        if kind in parse and mentions.get(kind):
            out.append(
                f"allowed_mentions.parse contains {kind!r} and allowed_mentions.{kind} "
                "lists ids; they are mutually exclusive"
            )
    return out


def _is_empty(message: dict[str, Any], files: Sequence[Any]) -> bool:
    """Whether a new message would have nothing to show (Discord's 50006)."""
    keys = ("content", "embeds", "components", "attachments", "poll", "sticker_ids")
    reference = message.get("message_reference")
    forward = isinstance(reference, dict) and reference.get("type") == 1  # carries the message
    return not files and not forward and not any(message.get(key) for key in keys)


def check_message(message: Any, files: Sequence[Any] = (), *, create: bool = True) -> Violations:
    """Everything documented for a message create/edit body (also webhook and callback data)."""
    if message is None:
        message = {}
    if not isinstance(message, dict):
        return []
    out = length("content", message.get("content"), 0, 2000)
    out += check_embeds(message.get("embeds"))
    out += check_components(message.get("components"), message.get("flags"))
    out += check_allowed_mentions(message.get("allowed_mentions"))
    out += length("nonce", message.get("nonce"), 0, 25)
    if len(files) > 10:
        out.append(f"files has {len(files)} files, limit 10")
    if create and _is_empty(message, files):
        out.append(
            f"{EMPTY_MESSAGE}: it has no content, embeds, components, attachments, poll or stickers"
        )
    return out


def _nested(prefix: str, problems: Violations) -> Violations:
    """Re-root violations found in a sub-object (``data``, ``message``)."""
    return [p if p.startswith(EMPTY_MESSAGE) else f"{prefix}.{p}" for p in problems]


# --- interaction callbacks --------------------------------------------------------------------


def _autocomplete(data: dict[str, Any]) -> Violations:
    """Callback type 8: at most 25 choices, names 1..100, string values up to 100."""
    out = count("data.choices", data.get("choices"), 0, 25)
    for loc, choice in _dicts("data.choices", data.get("choices")):
        out += length(f"{loc}.name", choice.get("name"), 1, 100)
        out += length(f"{loc}.value", choice.get("value"), 0, 100)
    return out


def _modal(data: dict[str, Any]) -> Violations:
    """Callback type 9: title up to 45, custom_id, 1..5 rows, text inputs."""
    out = length("data.title", data.get("title"), 1, 45)
    out += length("data.custom_id", data.get("custom_id"), 1, 100)
    out += count("data.components", data.get("components"), 1, 5)
    for loc, comp in _walk("data.components", data.get("components")):
        if comp.get("type") == 18:
            out += length(f"{loc}.label", comp.get("label"), 1, 45)
        check = _COMPONENT_CHECKS.get(comp.get("type"))  # type: ignore[arg-type]
        if check is not None:
            out += check(loc, comp)
    return out


def check_callback(body: Any, files: Sequence[Any] = ()) -> Violations:
    """``POST /interactions/{id}/{token}/callback`` by callback type."""
    if not isinstance(body, dict):
        return []
    kind, data = body.get("type"), body.get("data")
    if kind == 4:
        return _nested("data", check_message(data, files, create=True))
    if kind == 7:
        return _nested("data", check_message(data, files, create=False))
    if not isinstance(data, dict):
        return []
    if kind == 8:
        return _autocomplete(data)
    if kind == 9:
        return _modal(data)
    return []


# --- application commands ---------------------------------------------------------------------


def _command_name(loc: str, name: Any) -> Violations:
    """``^[-_\\p{L}\\p{N}]{1,32}$`` and lowercase, as for chat-input commands and options."""
    if not isinstance(name, str):
        return []
    ok = 1 <= len(name) <= 32 and all(
        ch in "-_" or unicodedata.category(ch)[0] in "LN" for ch in name
    )
    if not ok:
        return [f"{loc} {name!r} must match ^[-_\\p{{L}}\\p{{N}}]{{1,32}}$"]
    if name != name.lower():
        return [f"{loc} {name!r} must be lowercase"]
    return []


def _options(loc: str, options: Any) -> Violations:
    """Options (recursively for subcommands): names, descriptions, choices, ordering."""
    out = count(loc, options, 0, 25)
    seen_optional = False
    for oloc, option in _dicts(loc, options):
        out += _command_name(f"{oloc}.name", option.get("name"))
        out += length(f"{oloc}.description", option.get("description"), 1, 100)
        out += count(f"{oloc}.choices", option.get("choices"), 0, 25)
        for cloc, choice in _dicts(f"{oloc}.choices", option.get("choices")):
            out += length(f"{cloc}.name", choice.get("name"), 1, 100)
            out += length(f"{cloc}.value", choice.get("value"), 0, 100)
        if option.get("autocomplete") and option.get("choices"):
            out.append(f"{oloc}.autocomplete cannot be combined with choices")
        if option.get("required") and seen_optional:
            out.append(f"{oloc}.required options must come before optional ones")
        seen_optional = seen_optional or not option.get("required")
        out += _options(f"{oloc}.options", option.get("options"))
    return out


def check_command(command: Any, _files: Sequence[Any] = (), *, loc: str = "") -> Violations:
    """One application command create/edit body."""
    if not isinstance(command, dict):
        return []
    prefix = f"{loc}." if loc else ""
    out: Violations = []
    if command.get("type") in (None, 1):
        out += _command_name(f"{prefix}name", command.get("name"))
        out += length(f"{prefix}description", command.get("description"), 1, 100)
    else:
        out += length(f"{prefix}name", command.get("name"), 1, 32)
    return out + _options(f"{prefix}options", command.get("options"))


def check_bulk_commands(commands: Any, _files: Sequence[Any] = ()) -> Violations:
    """Bulk overwrite: every command, and at most 100 chat-input commands."""
    if not isinstance(commands, list):
        return []
    out: Violations = []
    for index, command in enumerate(commands):
        out += check_command(command, loc=f"[{index}]")
    chat_input = sum(1 for c in commands if isinstance(c, dict) and c.get("type") in (None, 1))
    if chat_input > 100:
        out.append(f"body has {chat_input} chat-input commands, limit 100")
    return out


# --- threads, channels and dispatch -----------------------------------------------------------


def check_thread(body: Any, files: Sequence[Any] = ()) -> Violations:
    """Thread creation: name 1..100, plus the starter message of forum/media posts."""
    if not isinstance(body, dict):
        return []
    out = length("name", body.get("name"), 1, 100)
    if "message" in body:
        out += _nested("message", check_message(body.get("message"), files, create=True))
    return out


def check_channel_edit(body: Any, files: Sequence[Any] = ()) -> Violations:
    """Channel/thread edits: name 1..100."""
    return length("name", body.get("name"), 1, 100) if isinstance(body, dict) else []


Check = Callable[[Any, Sequence[Any]], Violations]
_edit: Check = partial(check_message, create=False)  # emptiness depends on the stored message
_APP = "/applications/{application_id}"
CHECKS: dict[tuple[str, str], Check] = {
    ("POST", "/channels/{channel_id}/messages"): check_message,
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): _edit,
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"): check_message,
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): _edit,
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): _edit,
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"): check_callback,
    ("POST", "/channels/{channel_id}/threads"): check_thread,
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads"): check_thread,
    ("PATCH", "/channels/{channel_id}"): check_channel_edit,
    ("PUT", f"{_APP}/commands"): check_bulk_commands,
    ("PUT", f"{_APP}/guilds/{{guild_id}}/commands"): check_bulk_commands,
    ("POST", f"{_APP}/commands"): check_command,
    ("POST", f"{_APP}/guilds/{{guild_id}}/commands"): check_command,
    ("PATCH", f"{_APP}/commands/{{command_id}}"): check_command,
    ("PATCH", f"{_APP}/guilds/{{guild_id}}/commands/{{command_id}}"): check_command,
}

# Route templates the limit checks need, so routes still resolve without the spec.
TEMPLATES: tuple[str, ...] = tuple(sorted({template for _, template in CHECKS}))


def check_limits(method: str, template: str, body: Any, files: Sequence[Any] = ()) -> Violations:
    """All documented limits for one request; [] for routes without documented body limits."""
    check = CHECKS.get((method.upper(), template))
    return check(body, files) if check is not None else []
