"""Discord-like REST rate limiting for the emulator: per-route buckets, the global limit, 429s.

What it emits is what discord.py's ``HTTPClient.request`` parses: ``X-RateLimit-Limit``,
``-Remaining``, ``-Reset`` (epoch seconds), ``-Reset-After`` and ``-Bucket`` on every answer,
and on 429s ``X-RateLimit-Scope``, ``X-RateLimit-Global``, ``Retry-After`` and ``Via`` (a 429
without ``Via`` looks like a Cloudflare ban to discord.py) plus the JSON body with
``retry_after``. Windows are fixed like Discord's: a bucket's window opens with its first
request and resets when it ends. ``time_scale`` shortens every window and Retry-After (10.0
makes them 10x shorter) and the headers carry the scaled values, so the client just obeys.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

GLOBAL_LIMIT, GLOBAL_WINDOW = 50, 1.0
DEFAULT_LIMIT, DEFAULT_WINDOW = 50, 1.0  # generous: only the documented tight routes bind
_REACTION = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}"

# (method, route template) -> (limit, window seconds, shared bucket name or None).
ROUTE_LIMITS: dict[tuple[str, str], tuple[int, float, str | None]] = {
    ("POST", "/channels/{channel_id}/messages"): (5, 5.0, None),
    # Adding and removing reactions share one bucket per channel.
    ("PUT", f"{_REACTION}/@me"): (1, 0.25, "reactions"),
    ("DELETE", f"{_REACTION}/@me"): (1, 0.25, "reactions"),
    ("DELETE", f"{_REACTION}/{{user_id}}"): (1, 0.25, "reactions"),
    # Discord allows about 10 crossposts per hour per channel.
    ("POST", "/channels/{channel_id}/messages/{message_id}/crosspost"): (10, 3600.0, None),
}

# Numeric segments are named after the segment before them; only the major parameters
# (channel, guild, webhook/interaction id + token) split buckets, the rest is cosmetic.
_ID_NAMES = {
    "channels": "channel_id",
    "guilds": "guild_id",
    "webhooks": "webhook_id",
    "interactions": "interaction_id",
    "messages": "message_id",
    "applications": "application_id",
    "commands": "command_id",
    "users": "user_id",
    "members": "user_id",
    "roles": "role_id",
}
_TOKENS = {"{webhook_id}": "webhook_token", "{interaction_id}": "interaction_token"}
_MAJOR = ("channel_id", "guild_id", "webhook_id", "webhook_token", "interaction_id")
_VIA = "1.1 google"


def route_of(path: str) -> tuple[str, dict[str, str]]:
    """``/channels/1/messages`` -> (``/channels/{channel_id}/messages``, {"channel_id": "1"})."""
    template: list[str] = []
    params: dict[str, str] = {}
    previous = ""
    for segment in path.split("?", 1)[0].strip("/").split("/"):
        last = template[-1] if template else ""
        if last in _TOKENS:
            name: str | None = _TOKENS[last]
        elif previous == "reactions":
            name = "emoji"
        elif last == "{emoji}" and segment != "@me":
            name = "user_id"
        elif segment.isdigit():
            name = _ID_NAMES.get(previous, "id")
        elif previous in ("invites", "templates"):
            name = "code"
        else:
            name = None
        if name is not None:
            params.setdefault(name, segment)
        template.append(f"{{{name}}}" if name else segment)
        previous = segment
    return "/" + "/".join(template), params


def _ceil_ms(seconds: float) -> float:
    """Round up to the millisecond, so a client waiting that long finds the window reset."""
    return math.ceil(max(seconds, 0.0) * 1000 - 1e-6) / 1000


@dataclass
class RateDecision:
    """The limiter's verdict on one request, with the headers to send either way."""

    allowed: bool
    headers: dict[str, str]
    retry_after: float
    scope: str | None
    is_global: bool
    bucket: str


@dataclass
class _Window:
    """A fixed window: ``limit`` requests, reset ``length`` seconds after it opened."""

    limit: int
    length: float
    opened: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        """Open a new window if the current one has ended."""
        if now >= self.opened + self.length:
            self.opened, self.used = now, 0

    def reset_after(self, now: float) -> float:
        """Seconds until the window resets."""
        return _ceil_ms(self.opened + self.length - now)


@dataclass
class _Forced:
    """A fault-injection rule: the next ``times`` matching requests get a 429."""

    pattern: re.Pattern[str] | None
    is_global: bool
    times: int
    retry_after: float

    def matches(self, method: str, path: str) -> bool:
        """Regex full match against the path, or against ``"METHOD /path"``."""
        if self.pattern is None:
            return True
        return bool(self.pattern.fullmatch(path) or self.pattern.fullmatch(f"{method} {path}"))


class RateLimiter:
    """Decides, per request, whether Discord would answer 429, and with which headers.

    ``counts`` tallies the 429s answered: ``total``, one entry per bucket name (route key
    like ``"POST /channels/{channel_id}/messages"``) and ``global`` for global ones.
    """

    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool = True,
    ) -> None:
        """``clock`` is injectable so tests step time instead of sleeping."""
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self.enabled = enabled
        self.counts: dict[str, int] = {"total": 0}
        self._clock = clock
        # X-RateLimit-Reset is epoch time; keep it consistent with an injected clock.
        self._epoch_offset = time.time() - clock()
        self._global = _Window(GLOBAL_LIMIT, GLOBAL_WINDOW / time_scale)
        self._buckets: dict[str, _Window] = {}
        self._forced: list[_Forced] = []

    def check(self, method: str, path: str, *, exempt_global: bool = False) -> RateDecision:
        """Count the request against its bucket and the global limit; 429 if either is spent.

        ``exempt_global`` is for interaction callbacks and followups, which Discord keeps
        outside the global limit.
        """
        method = method.upper()
        template, params = route_of(path)
        name, limit, window = self._limits(method, template)
        forced = self._take_forced(method, path)
        if forced is not None:
            return self._deny_forced(forced, name)
        if not self.enabled:
            return RateDecision(True, {}, 0.0, None, False, name)
        now = self._clock()
        if not exempt_global:
            self._global.roll(now)
            if self._global.used >= self._global.limit:
                retry_after = self._global.reset_after(now)
                return self._deny(name, self._global_headers(), retry_after)
        major = "+".join(params[key] for key in _MAJOR if key in params)
        bucket = self._buckets.setdefault(f"{name}:{major}", _Window(limit, window))
        bucket.roll(now)
        if bucket.used >= bucket.limit:
            headers = self._bucket_headers(name, bucket, now)
            headers["X-RateLimit-Scope"] = "user"
            return self._deny(name, headers, bucket.reset_after(now))
        bucket.used += 1
        if not exempt_global:
            self._global.used += 1
        return RateDecision(True, self._bucket_headers(name, bucket, now), 0.0, None, False, name)

    def response_429(self, decision: RateDecision) -> tuple[dict, dict[str, str]]:
        """Discord's 429 body and headers for a denied request."""
        body = {
            "message": "You are being rate limited.",
            "retry_after": decision.retry_after,
            "global": decision.is_global,
            "code": 0,
        }
        headers = {
            **decision.headers,
            "Retry-After": str(max(1, math.ceil(decision.retry_after))),  # whole seconds
            "Via": _VIA,
        }
        return body, headers

    def force(
        self,
        *,
        path_pattern: str | None = None,
        is_global: bool = False,
        times: int = 1,
        retry_after: float = 1.0,
    ) -> None:
        """Fault injection: the next ``times`` matching requests get a 429.

        ``path_pattern`` is a regex that must match the whole path (``/channels/\\d+/messages``)
        or ``"METHOD /path"``; None matches every request. ``retry_after`` is in unscaled
        seconds like the real limits. Forced 429s happen even when the limiter is disabled.
        """
        pattern = re.compile(path_pattern) if path_pattern is not None else None
        self._forced.append(_Forced(pattern, is_global, times, retry_after))

    def _limits(self, method: str, template: str) -> tuple[str, int, float]:
        """(bucket name, limit, scaled window) for a route."""
        limit, window, shared = ROUTE_LIMITS.get(
            (method, template), (DEFAULT_LIMIT, DEFAULT_WINDOW, None)
        )
        return shared or f"{method} {template}", limit, window / self.time_scale

    def _take_forced(self, method: str, path: str) -> _Forced | None:
        """Consume one use of the first forced rule matching this request."""
        for rule in self._forced:
            if rule.matches(method, path):
                rule.times -= 1
                if rule.times <= 0:
                    self._forced.remove(rule)
                return rule
        return None

    def _deny_forced(self, rule: _Forced, name: str) -> RateDecision:
        """A 429 from fault injection, shaped like a real one."""
        retry_after = _ceil_ms(rule.retry_after / self.time_scale)
        if rule.is_global:
            return self._deny(name, self._global_headers(), retry_after)
        headers = {
            "X-RateLimit-Limit": "1",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": self._reset_epoch(retry_after),
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": _bucket_hash(name),
            "X-RateLimit-Scope": "user",
        }
        return self._deny(name, headers, retry_after)

    def _deny(self, name: str, headers: dict[str, str], retry_after: float) -> RateDecision:
        """Record a 429 in ``counts`` and build its decision."""
        is_global = headers.get("X-RateLimit-Global") == "true"
        self.counts["total"] += 1
        self.counts[name] = self.counts.get(name, 0) + 1
        if is_global:
            self.counts["global"] = self.counts.get("global", 0) + 1
        scope = headers["X-RateLimit-Scope"]
        return RateDecision(False, headers, retry_after, scope, is_global, name)

    @staticmethod
    def _global_headers() -> dict[str, str]:
        """Headers of a global 429 (Discord sends no bucket headers with those)."""
        return {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}

    def _bucket_headers(self, name: str, bucket: _Window, now: float) -> dict[str, str]:
        """The X-RateLimit-* headers describing a bucket's current window."""
        reset_after = bucket.reset_after(now)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(bucket.limit - bucket.used, 0)),
            "X-RateLimit-Reset": self._reset_epoch(reset_after),
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": _bucket_hash(name),
        }

    def _reset_epoch(self, reset_after: float) -> str:
        """X-RateLimit-Reset: the epoch second (float) at which the window resets."""
        return f"{self._clock() + self._epoch_offset + reset_after:.3f}"


def _bucket_hash(name: str) -> str:
    """An opaque, stable bucket id like Discord's (same for every major parameter)."""
    return hashlib.sha1(name.encode()).hexdigest()[:16]
