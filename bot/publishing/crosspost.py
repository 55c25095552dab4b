"""Crossposting a chapter's first message in announcement channels, without holding up posting.

Discord allows about 10 crossposts an hour per channel. discord.py obeys a rate limit by sleeping
it out (after the tenth crosspost, for up to an hour), so a crosspost never runs in the posting
queue: it runs in a background task with its own deadline, one after another per channel, and
its outcome is written to the release's history. A crosspost is a courtesy to following servers;
it never fails a release.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.publishing.notes import (
    CROSSPOST_RATE_LIMITED,
    CROSSPOSTED,
    CROSSPOSTED_LATE,
    SHUTTING_DOWN,
    UNEXPECTED,
    note,
)
from bot.publishing.port import PostingError, PublishPort
from bot.publishing.releases import ReleaseRepository

log = logging.getLogger(__name__)

# How long a crosspost may wait for Discord before it is given up (a rate-limited one would wait
# for the end of the hour's window).
CROSSPOST_WAIT_S = 5.0
RATE_LIMITED = note(CROSSPOST_RATE_LIMITED)


class Crossposter:
    """Starts crossposts in the background and logs how each ended."""

    def __init__(
        self, releases: ReleaseRepository, port: PublishPort, *, wait_s: float = CROSSPOST_WAIT_S
    ) -> None:
        self.releases, self.port, self.wait_s = releases, port, wait_s
        self._latest: dict[int, asyncio.Task[None]] = {}  # channel id -> its last crosspost
        # Every crosspost task and every attempt given up on but not yet unwound by discord.py,
        # kept so they are not collected mid-flight and can be cancelled at shutdown.
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, release_id: int, channel_id: int, message_id: int) -> None:
        """Crosspost `message_id` in the background, after the channel's previous crosspost."""
        previous = self._latest.get(channel_id)
        task = asyncio.create_task(
            self._run(release_id, channel_id, message_id, previous),
            name=f"crosspost:{release_id}",
        )
        self._latest[channel_id] = task
        self._keep(task)

    async def _run(
        self,
        release_id: int,
        channel_id: int,
        message_id: int,
        previous: asyncio.Task[None] | None,
    ) -> None:
        try:
            if previous is not None:
                # One at a time per channel; a previous one ends within its own deadline.
                await asyncio.wait({previous})
            outcome, detail = await self._attempt(channel_id, message_id)
        except asyncio.CancelledError:  # shutting down: say so, then let the cancel through
            with contextlib.suppress(Exception):
                await self.releases.add_event(release_id, "crosspost skipped", note(SHUTTING_DOWN))
            raise
        try:
            await self.releases.add_event(release_id, outcome, detail)
        except Exception:  # a background task has no one to report to but the log
            log.exception("could not log the crosspost of release %s", release_id)

    async def _attempt(self, channel_id: int, message_id: int) -> tuple[str, str]:
        """Crosspost with a deadline; the attempt is abandoned (not awaited) past it."""
        attempt = asyncio.create_task(self.port.crosspost(channel_id, message_id))
        try:
            done, _ = await asyncio.wait({attempt}, timeout=self.wait_s)
        except asyncio.CancelledError:
            attempt.cancel()
            raise
        if not done:
            # Cancel without waiting: discord.py may sleep out its bucket while unwinding.
            attempt.cancel()
            self._keep(attempt)
            return await self._after_deadline(channel_id, message_id)
        try:
            attempt.result()
        except PostingError as exc:
            return "crosspost skipped", str(exc)
        except Exception as exc:  # never let a crosspost bug surface as a failed release
            log.exception("crosspost of message %s failed", message_id)
            return "crosspost skipped", note(UNEXPECTED, name=type(exc).__name__)
        return "crossposted", note(CROSSPOSTED, message=message_id)

    async def _after_deadline(self, channel_id: int, message_id: int) -> tuple[str, str]:
        """A crosspost past its deadline: it may have gone out (discord.py then waits for the
        bucket to refill before returning), or it is waiting for the limit to pass."""
        try:
            went_out = await asyncio.wait_for(
                self.port.is_crossposted(channel_id, message_id), self.wait_s
            )
        except (TimeoutError, PostingError):
            went_out = False
        if went_out:
            return "crossposted", note(CROSSPOSTED_LATE, message=message_id)
        return "crosspost skipped", RATE_LIMITED

    async def stop(self) -> None:
        """Cancel crossposts still waiting (shutdown) and let them log it."""
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        self._latest.clear()

    async def idle(self) -> None:
        """Wait until every crosspost started so far has ended (for tests and shutdown)."""
        while running := [t for t in self._latest.values() if not t.done()]:
            await asyncio.wait(running)

    def _keep(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
