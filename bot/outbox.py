"""The outbox: events that must reach their subscribers even if the bot dies right after.

`Outbox.record(tx, event)` writes one row per durable subscriber of the event's kind inside the
caller's transaction, so the rows exist exactly when the state change they follow does. The
drainer (`drain`, run at start-up, after each write via `kick`, and every few seconds) claims
each undone row with a conditional UPDATE (a lease: `claimed_until`), runs its subscriber and
marks it done. A crash between a subscriber's effect and "done" leaves the claim to expire and
the row runs again, so subscribers make their effects idempotent (adding a reaction twice is
one reaction; anything counted is rebuilt from the database). A failing subscriber is retried
with a growing pause and given up after `max_attempts` (the row is closed with its error).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.events import Event, from_payload, to_payload
from bot.sharding import ShardSet
from bot.storage import Database, Transaction
from bot.storage.repository import shard_sql, unix_now

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = 30
DEFAULT_INTERVAL_S = 5.0
MAX_ATTEMPTS = 8
BATCH = 50
KEEP_DONE_S = 7 * 86_400  # done rows are kept a week (to see what happened), then deleted
PRUNE_EVERY_S = 3_600.0
STOP_WAIT_S = 10.0  # on shutdown, how long the delivery under way may take to finish

OutboxHandler = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    """A claimed row: which subscriber gets which event, and how many tries this is."""

    id: int
    subscriber: str
    event: Event
    attempts: int


@dataclass(frozen=True)
class _Subscriber:
    name: str
    kind: str
    handler: OutboxHandler


def drainer_name() -> str:
    """A name for this process's drainer (host, pid and a random part: never reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Outbox:
    """Durable subscribers, the rows written for them, and the drainer that delivers them."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], int] = unix_now,
        lease_s: int = DEFAULT_LEASE_S,
        max_attempts: int = MAX_ATTEMPTS,
        owner: str | None = None,
        shards: ShardSet | None = None,
    ) -> None:
        self.db = db
        # A shard process delivers only its guilds' events (and those about no guild).
        self._mine = "(guild_id IS NULL OR " + shard_sql("guild_id", shards or ShardSet()) + ")"
        self.clock = clock
        self.lease_s = max(1, int(lease_s))
        self.max_attempts = max_attempts
        self.owner = owner or drainer_name()
        self._subscribers: dict[str, _Subscriber] = {}
        self._drain_lock = asyncio.Lock()
        self._again = False
        self._kicked: asyncio.Task[None] | None = None
        self._loop: asyncio.Task[None] | None = None
        self._stopping = False

    # -- subscribers ------------------------------------------------------------------------

    def subscribe(self, event_type: type[Event], name: str, handler: OutboxHandler) -> None:
        """Deliver every recorded event of `event_type` to `handler`, once done, under `name`.

        The name is stored in each row: keep it stable across versions, or rows written for
        the old name wait until a subscriber of that name exists again.
        """
        self._subscribers[name] = _Subscriber(name, event_type.kind, handler)

    def unsubscribe(self, name: str) -> None:
        """Forget a subscriber (rows already written for it wait for its return)."""
        self._subscribers.pop(name, None)

    def subscribers_of(self, kind: str) -> list[str]:
        """The names of the durable subscribers of an event kind."""
        return sorted(s.name for s in self._subscribers.values() if s.kind == kind)

    # -- writing ----------------------------------------------------------------------------

    async def record(self, tx: Transaction, event: Event) -> int:
        """Write the event for each of its subscribers in the caller's transaction.

        Recording the same event twice (same kind and key) adds nothing. Returns the number of
        rows written.
        """
        payload = json.dumps(to_payload(event), separators=(",", ":"))
        written = 0
        for name in self.subscribers_of(event.kind):
            written += await tx.execute(
                "INSERT INTO outbox (event_key, kind, payload, subscriber, created_at, guild_id)"
                " VALUES (:event_key, :kind, :payload, :subscriber, :now, :guild)"
                " ON CONFLICT (event_key, subscriber) DO NOTHING",
                {
                    "event_key": f"{event.kind}:{event.key}",
                    "kind": event.kind,
                    "payload": payload,
                    "subscriber": name,
                    "now": self.clock(),
                    "guild": getattr(event, "guild_id", None),
                },
            )
        return written

    # -- draining ---------------------------------------------------------------------------

    async def claim(self, limit: int = BATCH) -> list[Delivery]:
        """Claim up to `limit` undone rows of known subscribers whose claim is free or expired.

        Each row is taken with a conditional UPDATE: if another drainer took it in between,
        the UPDATE changes nothing and the row is not ours.
        """
        names = sorted(self._subscribers)
        if not names:
            return []
        now = self.clock()
        marks = ", ".join(f":s{i}" for i in range(len(names)))
        params: dict[str, Any] = {f"s{i}": name for i, name in enumerate(names)}
        rows = await self.db.fetch_all(
            "SELECT id FROM outbox WHERE done_at IS NULL"
            " AND (claimed_until IS NULL OR claimed_until <= :now)"
            f" AND subscriber IN ({marks}) AND {self._mine} ORDER BY id LIMIT :limit",
            {**params, "now": now, "limit": limit},
        )
        claimed: list[Delivery] = []
        for row in rows:
            async with self.db.transaction() as tx:
                taken = await tx.fetch_one(
                    "UPDATE outbox SET claimed_by = :owner, claimed_until = :until,"
                    " attempts = attempts + 1"
                    f" WHERE id = :id AND done_at IS NULL AND {self._mine}"
                    " AND (claimed_until IS NULL OR claimed_until <= :now)"
                    " RETURNING id, kind, payload, subscriber, attempts",
                    {"owner": self.owner, "until": now + self.lease_s, "id": row["id"], "now": now},
                )
            if taken is not None:
                event = from_payload(taken["kind"], json.loads(taken["payload"]))
                claimed.append(Delivery(taken["id"], taken["subscriber"], event, taken["attempts"]))
        return claimed

    async def done(self, delivery: Delivery) -> bool:
        """Mark a claimed row delivered; False if the claim was lost (another drainer has it)."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE outbox SET done_at = :now, claimed_by = NULL, claimed_until = NULL,"
                " last_error = NULL WHERE id = :id AND claimed_by = :owner AND done_at IS NULL",
                {"now": self.clock(), "id": delivery.id, "owner": self.owner},
            )
        return changed > 0

    async def failed(self, delivery: Delivery, error: str) -> None:
        """Release a claim after a failure: retried after a pause, or closed once out of tries."""
        now = self.clock()
        give_up = delivery.attempts >= self.max_attempts
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET claimed_by = NULL, claimed_until = :retry_at,"
                " last_error = :error, done_at = :done_at"
                " WHERE id = :id AND claimed_by = :owner AND done_at IS NULL",
                {
                    "retry_at": now + min(300, 2**delivery.attempts),
                    "error": error[:500],
                    "done_at": now if give_up else None,
                    "id": delivery.id,
                    "owner": self.owner,
                },
            )
        if give_up:
            log.error("outbox row %s (%s) given up: %s", delivery.id, delivery.subscriber, error)

    async def deliver(self, delivery: Delivery) -> bool:
        """Run one claimed row's subscriber and record how it went; True if it succeeded."""
        subscriber = self._subscribers.get(delivery.subscriber)
        if subscriber is None:  # unsubscribed since the claim: let the claim lapse
            return False
        try:
            await subscriber.handler(delivery.event)
        except Exception as exc:
            log.warning(
                "outbox subscriber %s failed on %s (attempt %d)",
                delivery.subscriber,
                delivery.event.kind,
                delivery.attempts,
                exc_info=True,
            )
            await self.failed(delivery, f"{type(exc).__name__}: {exc}")
            return False
        return await self.done(delivery)

    async def drain(self) -> int:
        """Deliver every claimable row now; returns how many were delivered.

        One drain runs at a time in a process; a drain asked for meanwhile runs right after.
        """
        delivered = 0
        async with self._drain_lock:
            while not self._stopping:
                batch = await self.claim()
                if not batch:
                    break
                for delivery in batch:
                    if self._stopping:
                        break  # the rest are claimed by us: their claims lapse and they rerun
                    delivered += await self.deliver(delivery)
        return delivered

    def kick(self) -> None:
        """Drain soon, in the background (after a write that recorded events)."""
        if self._stopping:
            return
        if self._kicked is not None and not self._kicked.done():
            self._again = True
            return
        self._kicked = asyncio.create_task(self._kick(), name="outbox-drain")

    async def _kick(self) -> None:
        self._again = True
        while self._again and not self._stopping:
            self._again = False
            try:
                await self.drain()
            except Exception as error:
                self.db.log_failure(log, error, "outbox drain failed")

    def start(self, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        """Drain now and then every `interval_s` seconds (rows whose pause ended, lapsed claims)."""
        if self._loop is None or self._loop.done():
            self._stopping = False
            self._loop = asyncio.create_task(self._every(interval_s), name="outbox-loop")

    async def _every(self, interval_s: float) -> None:
        loop = asyncio.get_running_loop()
        pruned_at = loop.time()
        while not self._stopping:
            self.kick()
            if loop.time() - pruned_at >= PRUNE_EVERY_S:
                pruned_at = loop.time()
                try:
                    await self.prune()
                except Exception as error:
                    self.db.log_failure(log, error, "outbox prune failed")
            await asyncio.sleep(interval_s)

    async def prune(self, keep_s: int = KEEP_DONE_S) -> int:
        """Delete rows done more than `keep_s` seconds ago; returns how many."""
        async with self.db.transaction() as tx:
            return await tx.execute(
                "DELETE FROM outbox WHERE done_at IS NOT NULL AND done_at < :before",
                {"before": self.clock() - keep_s},
            )

    async def stop(self, wait_s: float = STOP_WAIT_S) -> None:
        """Stop draining: the delivery under way may finish (up to `wait_s`), the rest wait
        for the next start (a delivery cut short runs again then: subscribers are idempotent).
        """
        self._stopping = True
        if self._loop is not None and not self._loop.done():
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._loop
        kicked = self._kicked
        if kicked is not None and not kicked.done():
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(kicked), wait_s)
            if not kicked.done():
                kicked.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await kicked

    async def pending(self) -> int:
        """How many rows are not done yet (for /doctor-style checks and tests)."""
        value = await self.db.fetch_value("SELECT COUNT(*) FROM outbox WHERE done_at IS NULL")
        return int(value or 0)
