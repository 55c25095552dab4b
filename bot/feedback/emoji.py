"""Reaction sets: the default set, and reading an author's emoji list (discord-free)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from bot.errors import InvalidInput

DEFAULT_REACTIONS: tuple[str, ...] = ("❤️", "😂", "😢", "😮", "🔥", "👏")
MAX_REACTIONS = 10

_CUSTOM = re.compile(r"^<(a?):([A-Za-z0-9_]{2,32}):(\d{1,20})>$")
_VARIATION = "\ufe0f"
_ZWJ = "\u200d"
_KEYCAP = "\u20e3"
_MAX_EMOJI_CODEPOINTS = 16  # long ZWJ families are ~11


def emoji_key(emoji: str) -> str:
    """A comparable form of an emoji: variation selectors dropped (❤ and ❤️ are one reaction)."""
    return emoji.replace(_VARIATION, "")


def in_set(emoji: str, reaction_set: Collection[str]) -> bool:
    """Whether a reaction is one of the story's set (ignoring variation selectors)."""
    key = emoji_key(emoji)
    return any(emoji_key(e) == key for e in reaction_set)


def parse_reaction_set(text: str, guild_emoji_ids: Collection[int]) -> tuple[str, ...]:
    """An author's space-separated emoji list, checked: unicode emoji or this server's custom
    emoji (`<:name:id>`), at most `MAX_REACTIONS`, duplicates dropped, order kept.
    """
    tokens = text.split()
    if not tokens:
        raise InvalidInput(
            "Give at least one emoji.", hint="For example: `❤️ 😂 😢 🔥` (separated by spaces)."
        )
    chosen: list[str] = []
    for token in tokens:
        emoji = _one_emoji(token, guild_emoji_ids)
        if not in_set(emoji, chosen):
            chosen.append(emoji)
    if len(chosen) > MAX_REACTIONS:
        raise InvalidInput(
            "That is {n} emoji; a story can have at most {limit}.",
            plural="That is {n} emojis; a story can have at most {limit}.",
            hint="Keep the ones readers will use most.",
            params={"n": len(chosen), "limit": MAX_REACTIONS},
        )
    return tuple(chosen)


def _one_emoji(token: str, guild_emoji_ids: Collection[int]) -> str:
    custom = _CUSTOM.match(token)
    if custom is not None:
        if int(custom.group(3)) not in guild_emoji_ids:
            raise InvalidInput(
                "`{emoji}` is not an emoji of this server.",
                hint="Use this server's custom emojis or standard ones.",
                params={"emoji": token},
            )
        return token
    if not _looks_like_emoji(token):
        shown = token if len(token) <= 40 else token[:39] + "…"
        raise InvalidInput(
            "`{emoji}` is not a single emoji.",
            hint="Separate emojis with spaces; custom ones must come from this server.",
            params={"emoji": shown},
        )
    return token


def _looks_like_emoji(token: str) -> bool:
    """A single unicode emoji (with modifiers, ZWJ sequences, flags or a keycap).

    Without an emoji database this is a shape check: only symbol/modifier characters, one base
    symbol (a ZWJ joins more; two regional indicators make a flag), or a keycap sequence.
    """
    if len(token) > _MAX_EMOJI_CODEPOINTS:
        return False
    if token.endswith(_KEYCAP):
        return token.rstrip(_KEYCAP + _VARIATION) in set("0123456789#*")
    bases = 0
    flags = 0
    joined = False
    for char in token:
        category = unicodedata.category(char)
        if char == _ZWJ:
            joined = True
            continue
        if 0x1F1E6 <= ord(char) <= 0x1F1FF:  # regional indicators: a pair is one flag
            flags += 1
            continue
        if category == "So":
            if not joined:
                bases += 1
            joined = False
            continue
        if category in ("Mn", "Me", "Sk", "Cf"):  # variation selectors, skin tones, tags
            continue
        return False
    if flags:
        return flags == 2 and bases == 0
    return bases == 1
