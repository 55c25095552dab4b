"""`StalledReleases`: work the database says is due but that nobody is doing, resumed.

A release stalls when the posting of it stops half-way without the process stopping: the
database stopped answering while a page's message id was being stored, or right after a
schedule's run queued its chapters (a server restart, a failover, a SQLite file locked by a
backup tool). Start-up recovery would finish it, but a bot that keeps running must not wait
for a restart. Every lease period, `resume()`:

* puts back in the queue the releases of this process's guilds whose lease ran out (their
  process died, or their run gave up when the database stopped answering) and posts them;
* posts the releases still queued a lease period after they fell due, oldest first, unless
  their story is paused (a failed release pauses it on purpose) or this process is posting
  that story, or into that channel, right now (its own loop gets to them in order). Each
  story's releases go out in a task of their own: the timer never waits for a long chapter.

Posting goes through `PublishingService.post`: its claim makes a release post once whoever
else (a schedule's loop, another process of the same shard) tries too, and its lanes keep a
story's chapters in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.publishing.lanes import PostingLanes
from bot.publishing.outcome import RunResult
from bot.publishing.records import ReleaseRecord
from bot.publishing.releases import ReleaseRepository
from bot.sharding import ShardSet

log = logging.getLogger(__name__)


class StalledReleases:
    """Finds and posts releases left behind by a run that stopped half-way."""

    def __init__(
        self,
        releases: ReleaseRepository,
        lanes: PostingLanes,
        post: Callable[[ReleaseRecord], Awaitable[RunResult]],
        *,
        shards: ShardSet,
        lease_s: int,
        clock: Callable[[], int],
        stopping: Callable[[], bool],
    ) -> None:
        self.releases = releases
        self.lanes = lanes
        self.post = post
        self.shards = shards
        self.lease_s = lease_s
        self.clock = clock
        self.stopping = stopping
        self._stories: dict[int, asyncio.Task[None]] = {}  # story id -> its posting task

    async def resume(self) -> int:
        """Resume expired releases, then set posting the queued ones left behind, one task per
        story (the timer never waits for a long chapter); how many stories were set going.

        Runs on a timer, so it reports its own errors: a database still not answering is one
        warning line (the next round tries again), anything else a bug's traceback.
        """
        if self.stopping():
            return 0
        try:
            return await self._resume()
        except Exception as error:
            self.releases.db.log_failure(log, error, "resuming stalled releases failed")
            return 0

    async def wait(self) -> None:
        """Until the stories set going have posted (or stopped)."""
        await asyncio.gather(*self._stories.values(), return_exceptions=True)

    async def _resume(self) -> int:
        for release in await self.releases.requeue_interrupted(self.shards, expired_only=True):
            log.info("release %s: its lease ran out; resuming", release.id)
        overdue = self.clock() - self.lease_s
        left: dict[int, list[ReleaseRecord]] = {}
        held: set[int] = set()  # stories with a release that waits: the later ones wait too
        for release in await self.releases.pending_due(overdue, self.shards, paused=False):
            story = release.story_id
            if (
                story in held
                or story in self._stories
                or self.lanes.busy(story, release.channel_id)
            ):
                # Being posted here (its loop reaches this release in order), or its channel is
                # taken by a long chapter of another story: the next round looks again.
                held.add(story)
                continue
            left.setdefault(story, []).append(release)
        for story, releases in left.items():
            task = asyncio.create_task(self._post_in_order(releases), name=f"stalled-{story}")
            self._stories[story] = task
            task.add_done_callback(lambda _, story=story: self._stories.pop(story, None))
        return len(left)

    async def _post_in_order(self, releases: list[ReleaseRecord]) -> None:
        """Post a story's releases oldest first; stop at one that does not go out (a failure
        paused the story, or the database stopped answering again)."""
        try:
            for release in releases:
                if self.stopping():
                    return
                late = self.clock() - release.due_at
                log.info("release %s: queued %ss after it fell due; posting", release.id, late)
                if (await self.post(release)).status != "done":
                    return
        except Exception as error:
            self.releases.db.log_failure(log, error, "posting stalled releases failed")
