"""Posting lanes: other stories' releases into other channels post side by side; one story's,
or one channel's, go one after the other in the order asked; the backlog and shutdown post
alone."""

from __future__ import annotations

import asyncio

from bot.publishing.lanes import PostingLanes


class Trace:
    """Runs "releases" through the lanes and records who was inside at once, and the order."""

    def __init__(self, lanes: PostingLanes) -> None:
        self.lanes = lanes
        self.inside: set[str] = set()
        self.most_at_once = 0
        self.order: list[str] = []

    async def post(self, name: str, story: int, channel: int | None, hold: float = 0.02) -> None:
        async with self.lanes.lane(story, channel):
            self.order.append(name)
            self.inside.add(name)
            self.most_at_once = max(self.most_at_once, len(self.inside))
            await asyncio.sleep(hold)
            self.inside.discard(name)


async def test_other_stories_in_other_channels_post_side_by_side() -> None:
    trace = Trace(PostingLanes())
    await asyncio.gather(*(trace.post(f"s{n}", n, 100 + n, hold=0.05) for n in range(30)))
    assert trace.most_at_once == 30


async def test_one_storys_releases_go_one_at_a_time_in_the_order_asked() -> None:
    trace = Trace(PostingLanes())
    # Chapters of story 1, some aimed at other channels: still one after the other, in order.
    await asyncio.gather(*(trace.post(f"c{n}", 1, 100 + n % 2) for n in range(6)))
    assert trace.most_at_once == 1 and trace.order == [f"c{n}" for n in range(6)]


async def test_one_channels_releases_never_interleave() -> None:
    trace = Trace(PostingLanes())
    await asyncio.gather(*(trace.post(f"s{n}", n, 100) for n in range(5)))
    assert trace.most_at_once == 1 and trace.order == [f"s{n}" for n in range(5)]


async def test_exclusive_waits_for_posts_under_way_and_holds_new_ones_back() -> None:
    lanes = PostingLanes()
    trace = Trace(lanes)
    events: list[str] = []
    running = asyncio.create_task(trace.post("early", 1, 10, hold=0.05))
    await asyncio.sleep(0.01)

    async def backlog() -> None:
        async with lanes.exclusive():
            events.append(f"backlog with {sorted(trace.inside)} inside")
            await asyncio.sleep(0.05)
            events.append("backlog done")

    task = asyncio.create_task(backlog())
    await asyncio.sleep(0.005)
    late = asyncio.create_task(trace.post("late", 2, 20))
    await asyncio.gather(running, task, late)
    assert events == ["backlog with [] inside", "backlog done"]
    assert trace.order == ["early", "late"] and lanes.active == 0


async def test_locks_are_forgotten_once_nobody_uses_them() -> None:
    lanes = PostingLanes()
    await asyncio.gather(*(Trace(lanes).post(f"s{n}", n, n + 1000) for n in range(50)))
    assert lanes._locks == {} and lanes._users == {}
