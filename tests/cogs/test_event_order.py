"""`InOrder`: blocks sharing a key run in the order they asked, whatever their own pace."""

from __future__ import annotations

import asyncio

from cogs.event_order import InOrder


async def test_blocks_of_one_key_run_in_call_order_and_other_keys_do_not_wait() -> None:
    order = InOrder()
    ran: list[str] = []

    async def block(key: str, name: str, pause: float) -> None:
        async with order.turn(key):
            ran.append(f"{name} start")
            await asyncio.sleep(pause)
            ran.append(f"{name} end")

    # "add" is slow (its database lookup, say); "remove" came second and must not overtake it.
    await asyncio.gather(
        block("reaction", "add", 0.05), block("reaction", "remove", 0), block("other", "x", 0)
    )
    mine = [step for step in ran if not step.startswith("x")]
    assert mine == ["add start", "add end", "remove start", "remove end"]
    assert ran.index("x end") < ran.index("add end")  # another key never waited
    assert len(order) == 0  # nothing kept once the blocks ended


async def test_a_waiter_cancelled_in_line_keeps_the_order_of_those_behind_it() -> None:
    order = InOrder()
    ran: list[str] = []
    gate = asyncio.Event()

    async def block(name: str, wait: asyncio.Event | None = None) -> None:
        async with order.turn("key"):
            if wait is not None:
                await wait.wait()
            ran.append(name)

    first = asyncio.create_task(block("first", gate))
    second = asyncio.create_task(block("second"))
    third = asyncio.create_task(block("third"))
    await asyncio.sleep(0.01)
    second.cancel()
    await asyncio.sleep(0.01)
    assert ran == []  # third still waits for first, although second left the line
    gate.set()
    await asyncio.gather(first, third, return_exceptions=True)
    assert ran == ["first", "third"] and second.cancelled()
    assert len(order) == 0
