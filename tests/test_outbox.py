"""The outbox on a real SQLite file: rows written with the state change, claimed once, retried."""

from __future__ import annotations

import pytest

from bot.events import ChapterReleased, PostedMessage, ReleaseFailed
from bot.outbox import Outbox
from bot.storage import Database
from testkit.clock import Clock

RELEASED = ChapterReleased(7, 3, 10, (2,), (21,), (PostedMessage(2, 1, 500, 9001),), 100)


async def rows(db: Database) -> list[tuple[str, int, int | None]]:
    """(subscriber, attempts, done_at) of every row, oldest first."""
    found = await db.fetch_all("SELECT subscriber, attempts, done_at FROM outbox ORDER BY id")
    return [(r["subscriber"], r["attempts"], r["done_at"]) for r in found]


def recorder(outbox: Outbox, seen: list[tuple[str, int]], name: str) -> None:
    """Subscribe `name` to chapter_released, noting (name, release id) per delivery."""

    async def handler(event: ChapterReleased) -> None:
        seen.append((name, event.release_id))

    outbox.subscribe(ChapterReleased, name, handler)


async def test_a_row_per_subscriber_in_the_callers_transaction_and_only_once(db: Database) -> None:
    outbox, seen = Outbox(db, clock=Clock()), []
    recorder(outbox, seen, "a.one")
    recorder(outbox, seen, "b.two")
    async with db.transaction() as tx:
        assert await outbox.record(tx, RELEASED) == 2
        assert await outbox.record(tx, RELEASED) == 0  # same event again: nothing new
        assert await outbox.record(tx, ReleaseFailed(7, 3, 10, 2, 1, "x")) == 0  # no subscriber

    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await outbox.record(tx, ChapterReleased(8, 3, 10, (3,), (22,), (), 100))
            raise RuntimeError("the state change failed")  # rolls the rows back with it
    assert await outbox.pending() == 2

    assert await outbox.drain() == 2
    assert seen == [("a.one", 7), ("b.two", 7)]
    assert await rows(db) == [("a.one", 1, 1_000), ("b.two", 1, 1_000)]
    assert await outbox.drain() == 0 and len(seen) == 2


async def test_two_drainers_never_claim_the_same_row(db: Database) -> None:
    clock = Clock()
    first, second = Outbox(db, clock=clock, owner="p1"), Outbox(db, clock=clock, owner="p2")
    seen: list[tuple[str, int]] = []
    recorder(first, seen, "s")
    recorder(second, seen, "s")
    async with db.transaction() as tx:
        await first.record(tx, RELEASED)
    claimed = await first.claim()
    assert [d.subscriber for d in claimed] == ["s"]
    assert await second.claim() == []  # held by p1's lease
    assert await second.drain() == 0 and seen == []
    assert await first.deliver(claimed[0])
    assert seen == [("s", 7)]


async def test_a_crash_after_the_effect_redelivers_once_the_lease_lapses(db: Database) -> None:
    clock = Clock()
    dead = Outbox(db, clock=clock, lease_s=30, owner="dead")
    effects: set[tuple[str, int]] = set()  # an idempotent effect: adding twice adds once
    calls: list[int] = []

    async def react(event: ChapterReleased) -> None:
        calls.append(event.release_id)
        effects.add(("❤️", event.messages[0].message_id))

    dead.subscribe(ChapterReleased, "feedback.auto_react", react)
    async with db.transaction() as tx:
        await dead.record(tx, RELEASED)
    [delivery] = await dead.claim()
    await react(delivery.event)  # the effect happened; the process dies before "done"

    alive = Outbox(db, clock=clock, lease_s=30, owner="alive")
    alive.subscribe(ChapterReleased, "feedback.auto_react", react)
    assert await alive.drain() == 0  # the dead drainer's lease still holds
    clock.now += 30
    assert await alive.drain() == 1
    assert calls == [7, 7] and effects == {("❤️", 9001)}
    assert await rows(db) == [("feedback.auto_react", 2, clock.now)]
    assert not await dead.done(delivery)  # a late "done" from the old claim changes nothing


async def test_a_failing_subscriber_is_retried_later_and_given_up_after_max_attempts(
    db: Database,
) -> None:
    clock = Clock()
    outbox = Outbox(db, clock=clock, max_attempts=3)
    attempts: list[int] = []

    async def flaky(event: ChapterReleased) -> None:
        attempts.append(clock.now)
        raise ConnectionError("Discord is down")

    outbox.subscribe(ChapterReleased, "flaky", flaky)
    async with db.transaction() as tx:
        await outbox.record(tx, RELEASED)
    assert await outbox.drain() == 0
    assert await outbox.drain() == 0 and len(attempts) == 1  # waiting out its pause
    clock.now += 2
    await outbox.drain()
    clock.now += 4
    await outbox.drain()
    assert len(attempts) == 3
    row = await db.fetch_one("SELECT attempts, done_at, last_error FROM outbox")
    assert row is not None
    assert (row["attempts"], row["done_at"]) == (3, clock.now)
    assert "Discord is down" in row["last_error"]
    clock.now += 1_000
    assert await outbox.drain() == 0 and len(attempts) == 3


async def test_rows_of_an_unknown_subscriber_wait_for_it(db: Database) -> None:
    writer, seen = Outbox(db, clock=Clock()), []
    recorder(writer, seen, "followers.notify")
    async with db.transaction() as tx:
        await writer.record(tx, RELEASED)
    other = Outbox(db, clock=Clock())  # a process without that feature
    recorder(other, seen, "feedback.auto_react")
    assert await other.drain() == 0 and await other.pending() == 1
    assert await writer.drain() == 1 and seen == [("followers.notify", 7)]


async def test_done_rows_are_pruned_after_a_week(db: Database) -> None:
    clock = Clock()
    outbox, seen = Outbox(db, clock=clock), []
    recorder(outbox, seen, "s")
    async with db.transaction() as tx:
        await outbox.record(tx, RELEASED)
        await outbox.record(tx, ChapterReleased(8, 3, 10, (3,), (22,), (), 100))
    [first, _] = await outbox.claim()
    await outbox.deliver(first)
    clock.now += 7 * 86_400 - 1
    assert await outbox.prune() == 0
    clock.now += 2
    assert await outbox.prune() == 1  # the undone row stays, however old
    assert await outbox.pending() == 1 and await rows(db) == [("s", 1, None)]


async def test_a_shard_process_delivers_only_its_guilds_events(db: Database) -> None:
    from bot.sharding import ShardSet

    on_0, on_1 = (2 << 22) | 5, (3 << 22) | 5  # guilds on shards 0 and 1 of 2
    shard_0, seen_0 = Outbox(db, clock=Clock(), shards=ShardSet(2, (0,))), []
    shard_1, seen_1 = Outbox(db, clock=Clock(), shards=ShardSet(2, (1,))), []
    recorder(shard_0, seen_0, "a.one")
    recorder(shard_1, seen_1, "a.one")
    async with db.transaction() as tx:
        await shard_0.record(tx, ChapterReleased(1, 3, on_0, (2,), (21,), (), 100))
        await shard_0.record(tx, ChapterReleased(2, 4, on_1, (2,), (22,), (), 100))
    assert await shard_0.drain() == 1 and seen_0 == [("a.one", 1)]  # never shard 1's event
    assert await shard_1.drain() == 1 and seen_1 == [("a.one", 2)]
    assert await shard_0.drain() == 0 and await shard_1.drain() == 0
