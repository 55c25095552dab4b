"""Write-behind for readers' reads: a page shown is recorded in memory now, in the database soon.

Recording a read (progress upsert + read-log insert) used to cost a trip to the writer's thread
before every `/next` answer. Now `ReadBuffer.add` only updates a dict; a background flush writes
everything buffered in ONE transaction about once a second (or as soon as `FLUSH_AT` readers
wait), and shutdown writes the rest (`ReadBuffer.close`, awaited by the reading cog's `drain`).

What this guarantees:

* read-your-writes: every progress lookup consults the buffer (`overlay`) or writes it first
  (`ProgressRepository` does one or the other), so a reader's next `/next` always continues
  after the page they were just shown, flushed or not;
* one row per reader and story per flush: the latest position wins, the furthest position is the
  furthest of all buffered reads (and the SQL only ever moves the stored one forward), every
  read still gets its own read-log row;
* a crash loses at most the reads of the last flush interval — never a page, a release or
  anything else, which are written synchronously as before;
* a database that does not answer (a server restarting, a file locked past the busy timeout)
  loses nothing: the batch goes back into the buffer, merged under any newer reads, and is
  tried again later, waiting longer each time, for up to `KEEP_UNAVAILABLE_S`. Other errors
  (a row that cannot be written) cost only that reader's reads;
* `/forget-me` drops the reader's buffered rows (`discard`) before deleting, so nothing is
  written back after forgetting.

One buffer per process: `Services` builds the reading service once, and its progress repository
owns the buffer, so every lookup of the bot sees the same buffered reads. A repository built on
its own (a test, a CLI) gets a private buffer and sees only its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace

from bot.reading.records import PagePosition, ProgressRecord

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0  # the most reads a crash can lose: this long
# Readers waiting when a flush starts without waiting for the timer. Small batches keep each
# flush short: under load, a /next answered while a flush runs waits for the CPU it takes (200
# reads in one flush held a PostgreSQL core for ~35 ms every second, and the 5% of answers given
# meanwhile took three times as long). Flushes still batch: reads arriving during one wait for
# the next.
FLUSH_AT = 25
# While the database does not answer, buffered reads are kept and retried this long; retries
# wait flush_seconds, then twice that, up to RETRY_MAX_S.
KEEP_UNAVAILABLE_S = 300.0
RETRY_MAX_S = 30.0

Key = tuple[int, int]  # (user_id, story_id): the progress table's primary key
Writer = Callable[[Sequence["PendingRead"]], Awaitable[None]]


def _ahead(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a > b  # (chapter, page) pairs compare in reading order


@dataclass
class PendingRead:
    """The reads of one reader in one story that are not in the database yet."""

    guild_id: int
    user_id: int
    story_id: int
    chapter_number: int
    page_number: int
    furthest_chapter: int
    furthest_page: int
    adult_ok: bool
    first_at: int
    last_at: int
    # read_events rows: (chapter_id, page_id, at), one per page shown, in order.
    events: list[tuple[int, int, int]] = field(default_factory=list)

    @classmethod
    def first(
        cls, guild_id: int, user_id: int, page: PagePosition, adult_ok: bool, at: int
    ) -> PendingRead:
        """The buffered state after one read."""
        return cls(
            guild_id,
            user_id,
            page.story_id,
            page.chapter_number,
            page.page_number,
            page.chapter_number,
            page.page_number,
            adult_ok,
            at,
            at,
            [(page.chapter_id, page.page_id, at)],
        )

    def add(self, page: PagePosition, adult_ok: bool, at: int) -> None:
        """Fold one more read in: it becomes the position; the furthest only moves forward."""
        self.chapter_number, self.page_number = page.chapter_number, page.page_number
        shown = (page.chapter_number, page.page_number)
        if _ahead(shown, (self.furthest_chapter, self.furthest_page)):
            self.furthest_chapter, self.furthest_page = shown
        self.adult_ok = self.adult_ok or adult_ok
        self.last_at = max(self.last_at, at)
        self.events.append((page.chapter_id, page.page_id, at))

    def followed_by(self, newer: PendingRead) -> PendingRead:
        """These reads, then `newer`'s: the newer position, the furthest of both, every event."""
        furthest = max(
            (self.furthest_chapter, self.furthest_page),
            (newer.furthest_chapter, newer.furthest_page),
        )
        return replace(
            newer,
            furthest_chapter=furthest[0],
            furthest_page=furthest[1],
            adult_ok=self.adult_ok or newer.adult_ok,
            first_at=min(self.first_at, newer.first_at),
            last_at=max(self.last_at, newer.last_at),
            events=[*self.events, *newer.events],
        )

    def applied_to(self, stored: ProgressRecord | None) -> ProgressRecord:
        """What the progress row will be once this is written over `stored` (same rules as SQL)."""
        mine = ProgressRecord(
            user_id=self.user_id,
            story_id=self.story_id,
            guild_id=self.guild_id,
            chapter_number=self.chapter_number,
            page_number=self.page_number,
            furthest_chapter=self.furthest_chapter,
            furthest_page=self.furthest_page,
            adult_ok=self.adult_ok,
            started_at=self.first_at,
            last_read_at=self.last_at,
        )
        if stored is None:
            return mine
        furthest = max(
            (stored.furthest_chapter, stored.furthest_page),
            (self.furthest_chapter, self.furthest_page),
        )
        return replace(
            mine,
            guild_id=stored.guild_id,
            furthest_chapter=furthest[0],
            furthest_page=furthest[1],
            adult_ok=stored.adult_ok or self.adult_ok,
            started_at=stored.started_at,
            last_read_at=max(stored.last_read_at, self.last_at),
        )


class ReadBuffer:
    """Buffered reads of one database and the background task that writes them.

    `writer` writes one batch in one transaction (`ProgressRepository.write_reads`). Reads being
    written stay visible (`in_flight`) until their transaction commits, so a lookup made
    meanwhile still sees them.
    """

    def __init__(
        self,
        writer: Writer,
        *,
        flush_seconds: float = FLUSH_SECONDS,
        flush_at: int = FLUSH_AT,
        unavailable: Callable[[BaseException], bool] = lambda _: False,
    ) -> None:
        self._writer = writer
        self._unavailable = unavailable  # the database's: not answering, try again later
        self._unavailable_since: float | None = None  # monotonic, while retrying
        self._retries = 0
        self.flush_seconds = flush_seconds
        self.flush_at = flush_at
        self._pending: dict[Key, PendingRead] = {}
        self._in_flight: dict[Key, PendingRead] = {}
        # The story each reader read last per guild, among buffered reads (newest wins).
        self._latest: dict[tuple[int, int], int] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: asyncio.Task[None] | None = None
        self._closed = False
        self.flushes = 0  # transactions written (for tests and the benchmark's curiosity)

    def __len__(self) -> int:
        return len(self._pending) + len(self._in_flight)

    # -- recording ----------------------------------------------------------------------------

    def add(self, guild_id: int, user_id: int, page: PagePosition, adult_ok: bool, at: int) -> None:
        """Buffer one read; it is written within `flush_seconds` (at once after `close`)."""
        key = (user_id, page.story_id)
        pending = self._pending.get(key)
        if pending is None:
            self._pending[key] = PendingRead.first(guild_id, user_id, page, adult_ok, at)
        else:
            pending.add(page, adult_ok, at)
        self._latest[(guild_id, user_id)] = page.story_id
        self._schedule()

    def _schedule(self) -> None:
        if self._flushing is not None:
            return  # the running flush reschedules when it ends
        waiting = self._unavailable_since is not None  # for the database: no early flush
        if self._closed or (len(self._pending) >= self.flush_at and not waiting):
            self._start_flush()
        elif self._timer is None:
            delay = self.flush_seconds
            if waiting:
                delay = min(self.flush_seconds * 2**self._retries, RETRY_MAX_S)
            self._timer = asyncio.get_running_loop().call_later(delay, self._start_flush)

    def _start_flush(self) -> None:
        self._timer = None
        if self._flushing is None and self._pending:
            self._flushing = asyncio.get_running_loop().create_task(self._flush_once())

    # -- looking up ---------------------------------------------------------------------------

    def overlay(
        self, user_id: int, story_id: int, stored: ProgressRecord | None
    ) -> ProgressRecord | None:
        """`stored` (the database's row) with this reader's buffered reads of the story applied."""
        key = (user_id, story_id)
        for layer in (self._in_flight, self._pending):  # older first
            pending = layer.get(key)
            if pending is not None:
                stored = pending.applied_to(stored)
        return stored

    def latest_story(self, guild_id: int, user_id: int) -> PendingRead | None:
        """The newest buffered read of this reader in this guild, if any."""
        story_id = self._latest.get((guild_id, user_id))
        if story_id is None:
            return None
        key = (user_id, story_id)
        return self._pending.get(key) or self._in_flight.get(key)

    # -- writing ------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write everything buffered so far (waiting for a flush already under way).

        While the database does not answer, one attempt: the reads stay buffered for the
        retries (at `close`, that attempt is the last).
        """
        while self._flushing is not None or self._pending:
            if self._flushing is None:
                self._start_flush()
            running = self._flushing
            if running is not None:
                await asyncio.shield(running)
            if self._unavailable_since is not None and not self._closed:
                return

    async def _flush_once(self) -> None:
        batch, self._pending = self._pending, {}
        self._in_flight = batch
        try:
            if not await self._write(list(batch.values())):
                for key, older in batch.items():  # back in, under any newer reads
                    newer = self._pending.get(key)
                    self._pending[key] = older if newer is None else older.followed_by(newer)
        finally:
            self._in_flight = {}
            self._forget_latest(batch)
            self._flushing = None
            if self._pending:
                self._schedule()

    async def _write(self, batch: list[PendingRead]) -> bool:
        """One transaction for the batch; if it fails, one per reader, dropping only bad ones.

        False: the database did not answer; the caller keeps the batch for a later flush.
        """
        try:
            await self._writer(batch)
            self.flushes += 1
            self._unavailable_since, self._retries = None, 0
            return True
        except Exception as error:
            if self._unavailable(error):
                # Kept for later, or (closing, or too long) dropped with one line saying so:
                # writing each read alone would fail the same way.
                return not self._keep_for_later(error, len(batch))
            if len(batch) == 1:
                log.exception("could not record a read of user %s; dropped", batch[0].user_id)
                return True
            log.warning("recording %d buffered reads failed; retrying one by one", len(batch))
        for one in batch:
            try:
                await self._writer([one])
                self.flushes += 1
            except Exception:
                log.exception("could not record a read of user %s; dropped", one.user_id)
        return True

    def _keep_for_later(self, error: Exception, reads: int) -> bool:
        """Whether a batch the database did not answer for is kept and tried again later."""
        if self._closed:
            log.warning(
                "the database is not answering at shutdown (%s); %d reads lost", error, reads
            )
            return False
        now = time.monotonic()
        since = self._unavailable_since = self._unavailable_since or now
        if now - since > KEEP_UNAVAILABLE_S:
            log.error(
                "the database has not answered for %.0f s; dropping %d reads", now - since, reads
            )
            return False
        self._retries += 1
        log.warning("the database did not answer (%s); keeping %d reads for later", error, reads)
        return True

    def _forget_latest(self, written: dict[Key, PendingRead]) -> None:
        for (user_id, story_id), pending in written.items():
            reader = (pending.guild_id, user_id)
            if self._latest.get(reader) == story_id and (user_id, story_id) not in self._pending:
                del self._latest[reader]

    # -- forgetting and closing ---------------------------------------------------------------

    async def discard(self, guild_id: int, user_id: int) -> None:
        """Drop a reader's buffered reads in a guild (`/forget-me`), once no flush is writing.

        Reads already being written are left to their transaction: the caller deletes after
        this returns, which removes them too.
        """
        if self._flushing is not None:
            await asyncio.shield(self._flushing)
        for key in [
            k for k, p in self._pending.items() if (p.guild_id, p.user_id) == (guild_id, user_id)
        ]:
            del self._pending[key]
        self._latest.pop((guild_id, user_id), None)

    async def close(self) -> None:
        """Write everything buffered; from now on every read is written at once."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.flush()
