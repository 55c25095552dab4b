"""`PostingLanes`: releases post side by side, one at a time per story and per channel.

A chapter of 100 pages takes at least 95 s to post (Discord allows 5 messages / 5 s per
channel), so one release at a time per process would make the 30th server wait 45 minutes.
Releases of different stories into different channels therefore post concurrently; Discord's
global limit (and the shared budget of shard processes) paces them together. Two releases of
the same story, or into the same channel, still go one after the other, in the order they
asked (asyncio locks are first-come, first-served): a story's next chapter never overtakes
a queued one, and two stories' pages never interleave in one channel.

`exclusive()` is for the start-up backlog and for shutdown: it waits for the releases being
posted, and nothing else starts posting until it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class PostingLanes:
    """Per-story and per-channel locks, plus a gate that `exclusive()` closes."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}
        self._users: dict[tuple[str, int], int] = {}
        self._gate = asyncio.Event()
        self._gate.set()
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._exclusive = asyncio.Lock()

    @property
    def active(self) -> int:
        """Releases past the gate: posting, or waiting for their story's or channel's turn."""
        return self._active

    def busy(self, story_id: int, channel_id: int | None = None) -> bool:
        """Whether a release of the story, or into the channel, is posting or waiting for its
        turn here, or an exclusive section holds every lane."""
        taken = ("story", story_id) in self._users or ("channel", channel_id) in self._users
        return taken or not self._gate.is_set()

    @contextlib.asynccontextmanager
    async def lane(self, story_id: int, channel_id: int | None) -> AsyncIterator[None]:
        """Hold the story's lane and the channel's (story first, so two holders never wait
        for each other in a cycle) once no exclusive section runs."""
        while not self._gate.is_set():
            await self._gate.wait()
        self._active += 1
        self._idle.clear()
        keys = [("story", story_id)] + ([("channel", channel_id)] if channel_id else [])
        try:
            async with contextlib.AsyncExitStack() as stack:
                for key in keys:
                    await stack.enter_async_context(self._lock(key))
                yield
        finally:
            self._active -= 1
            if self._active == 0:
                self._idle.set()

    @contextlib.asynccontextmanager
    async def _lock(self, key: tuple[str, int]) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:  # nobody holds or waits: forget it (memory stays flat)
                del self._users[key], self._locks[key]

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Close the gate, wait for every release past it, run the block alone."""
        async with self._exclusive:
            self._gate.clear()
            try:
                while self._active:
                    await self._idle.wait()
                yield
            finally:
                self._gate.set()
