"""`db copy` on SQLite alone (runs on every machine): every row moves, a bar only on a terminal."""

from __future__ import annotations

import io
from pathlib import Path

from bot.storage import Database, open_database
from bot.storage.copy import copy_database, list_tables, terminal_progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_appears_only_on_a_terminal() -> None:
    assert terminal_progress(io.StringIO()) is None
    screen = _Terminal()
    show = terminal_progress(screen)
    assert show is not None
    show("pages", 5, 10)
    show("pages", 10, 10)
    assert "\rpages" in screen.getvalue() and "10/10\n" in screen.getvalue()


async def test_sqlite_to_sqlite_copies_every_row_and_reports_progress(tmp_path: Path) -> None:
    async with await open_database(tmp_path / "a.db") as source:
        async with source.transaction() as tx:
            await tx.executemany(
                "INSERT INTO user_settings (user_id, timezone) VALUES (:u, :z)",
                [{"u": n, "z": "UTC"} for n in range(1, 1_201)],
            )
        seen: list[tuple[str, int, int]] = []
        async with await Database.open(tmp_path / "b.db") as target:
            counts = await copy_database(
                source, target, lambda t, done, total: seen.append((t, done, total))
            )
            assert await list_tables(target) == await list_tables(source)
            rows = await target.fetch_all("SELECT user_id FROM user_settings ORDER BY user_id")
    assert [row[0] for row in rows] == list(range(1, 1_201))
    assert {c.table: (c.source, c.target) for c in counts}["user_settings"] == (1_200, 1_200)
    # Batched: the bar moves more than once for a big table, and ends at the total.
    assert [s for s in seen if s[0] == "user_settings"][-1] == ("user_settings", 1_200, 1_200)
    assert len([s for s in seen if s[0] == "user_settings"]) == 3
