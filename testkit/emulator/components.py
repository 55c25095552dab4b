"""Message components as Discord answers them: every component gets an ``id`` and defaults."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
# Fields the response schemas require, with the values Discord fills in when a bot omits them.
DEFAULTS: dict[int, dict[str, Any]] = {
    12: {"items": []},
    13: {"spoiler": False},
    14: {"spacing": 1, "divider": True},
    11: {"description": None, "spoiler": False},
    17: {"accent_color": None, "spoiler": False},
}


def normalize_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy with ids assigned depth first (kept when the bot chose them) and defaults set."""
    used = {c["id"] for c in _walk(components) if isinstance(c.get("id"), int)}
    free = (i for i in itertools.count(1) if i not in used)
    return [_normalize(c, free) for c in components]


def _walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _walk(item.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(item.get(key), dict):
                yield from _walk([item[key]])


def _normalize(component: dict[str, Any], free: Iterator[int]) -> dict[str, Any]:
    out = dict(component)
    if not isinstance(out.get("id"), int):
        out["id"] = next(free)
    kind = out.get("type")
    for key, value in DEFAULTS.get(kind, {}).items():
        out.setdefault(key, value)
    if kind in SELECT_TYPES:
        out.setdefault("min_values", 1)
        out.setdefault("max_values", 1)
    if "components" in out:
        out["components"] = [_normalize(c, free) for c in out["components"] or []]
    for key in ("accessory", "component"):
        if isinstance(out.get(key), dict):
            out[key] = _normalize(out[key], free)
    for key in ("media", "file"):
        if isinstance(out.get(key), dict):
            media = out[key]
            out[key] = {"id": "0", "proxy_url": media.get("url", ""), **media}
    return out
