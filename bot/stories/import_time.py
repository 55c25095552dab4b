"""Bounded imports: reading an upload gets `IMPORT_TIMEOUT` seconds, then a clear refusal.

The import runs in a worker thread so the gateway heartbeat keeps going. A thread cannot be
stopped from outside, so on time-out the author is answered at once and the worker's result is
thrown away when it finishes; the importers themselves refuse the known pathological inputs
(pathological Markdown, see `importers.markdown`) so such a worker does not run long.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from bot.errors import ImportRefused
from bot.i18n import N_, Quantity

T = TypeVar("T")


async def run_import(work: Callable[[], T], *, filename: str, timeout: float) -> T:
    """`work()` in a thread, or `ImportRefused` when it takes more than `timeout` seconds."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), timeout)
    except TimeoutError:
        raise ImportRefused(
            N_("Reading `{filename}` took longer than {seconds} seconds, so I stopped."),
            hint=N_(
                "Save it again from its source (plain .txt or .epub read fastest), or split it."
            ),
            params={
                "filename": filename,
                "seconds": Quantity(timeout, decimals=0 if float(timeout).is_integer() else 2),
            },
        ) from None
