"""`RedisRateBudget`: the processes' shared token bucket kept in Redis instead of a DB row.

With `REDIS_URL` set, every shard process takes Discord's global request budget from one
bucket in Redis: a Lua script refills it from Redis's own clock (so machines whose clocks
differ still agree), caps it at the burst and removes one token only if one is there, all in
one atomic step; when the bucket is empty it answers how many milliseconds until the next
token, so a waiting process sleeps that long instead of polling. `redis` (redis-py) is an
optional dependency (`pip install chapterbot[redis]`), imported only when Redis is used.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from bot.errors import ConfigError
from bot.storage.budget import DEFAULT_BURST

# KEYS[1] = the bucket; ARGV = tokens per second, burst (tokens), key lifetime (ms).
# State: `milli` milli-tokens as of `at` (Redis time, ms). Returns 0 when a token was taken,
# else the milliseconds until one will be there.
TAKE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local cap = tonumber(ARGV[2]) * 1000
local state = redis.call('HMGET', KEYS[1], 'milli', 'at')
local milli = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
local filled = milli + math.max(0, now - at) * rate
if filled > cap then filled = cap end
local wait = 0
if filled >= 1000 then
  filled = filled - 1000
else
  wait = math.ceil((1000 - filled) / rate)
end
redis.call('HSET', KEYS[1], 'milli', filled, 'at', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return wait
"""


def bucket_key(token: str, name: str = "discord") -> str:
    """The Redis key of a bot's bucket: one per bot token (Discord's limit is per token), named
    by a hash so the token never appears in Redis."""
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    return f"chapterbot:rate-budget:{name}:{digest}"


class RedisRateBudget:
    """`await budget.take()` before a request: waits until the bucket in Redis has a token."""

    def __init__(self, client: Any, *, key: str, per_second: int, burst: int | None = None) -> None:
        """`client` is a `redis.asyncio.Redis`; see `from_url` for the usual construction."""
        if per_second < 1:
            raise ValueError("a rate budget allows at least one request per second")
        self.client, self.key, self.per_second = client, key, per_second
        # Same reasoning as the DB bucket: any second sees at most `per_second + burst`.
        self.burst = burst if burst is not None else DEFAULT_BURST
        self._script = client.register_script(TAKE_SCRIPT)
        self._turn = asyncio.Lock()  # one coroutine of this process asks Redis at a time

    @classmethod
    def from_url(cls, url: str, *, key: str, per_second: int) -> RedisRateBudget:
        """A budget on the Redis server `url` names (redis://, rediss:// or unix://)."""
        try:
            import redis.asyncio as redis_asyncio
        except ImportError as exc:  # the optional extra is not installed
            raise ConfigError(
                "REDIS_URL is set but the redis package is not installed.",
                hint="Install it with: pip install 'chapterbot[redis]', or unset REDIS_URL.",
            ) from exc
        return cls(redis_asyncio.from_url(url), key=key, per_second=per_second)

    async def _wait_ms(self) -> int:
        # Unused buckets expire after a minute; a full one is refilled by then anyway.
        return int(await self._script(keys=[self.key], args=[self.per_second, self.burst, 60_000]))

    async def try_take(self) -> bool:
        """Take one token if the bucket has one; False if it has none."""
        return await self._wait_ms() == 0

    async def take(self) -> None:
        """Wait for a token, sleeping as long as Redis says the next one takes."""
        async with self._turn:
            while (wait_ms := await self._wait_ms()) > 0:
                await asyncio.sleep(wait_ms / 1000)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()
