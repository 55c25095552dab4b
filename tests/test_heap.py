"""The start-up heap freeze: later full collections skip what start-up left alive."""

from __future__ import annotations

import gc

from bot.heap import freeze_startup_heap


def test_freezing_exempts_live_objects_and_later_garbage_is_still_collected() -> None:
    kept = [object() for _ in range(1000)]
    try:
        frozen = freeze_startup_heap()
        assert frozen >= len(kept)

        class Cycle:
            """A reference cycle only the collector can free."""

            def __init__(self) -> None:
                self.me = self

        Cycle()
        assert gc.collect() >= 1  # garbage made after the freeze is still found
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
