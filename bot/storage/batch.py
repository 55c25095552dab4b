"""`Database.write_batch` in as few trips as possible: a run of the same statement becomes one
`executemany`.

The write-behind flush of `/next` sends two statements per buffered reader; one trip per
statement (and, on PostgreSQL, one network round trip each) made the flush cost more than the
reads it records. `executemany` sends a run at once (asyncpg pipelines it; sqlite3 loops in C).
A statement with `RETURNING` keeps its own trip, since `executemany` returns no rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.storage.database import Params

_RETURNING = re.compile(r"\bRETURNING\b")


def statement_runs(statements: Sequence[tuple[str, Params]]) -> list[tuple[str, list[Params]]]:
    """Consecutive statements with the same SQL, grouped, in order."""
    runs: list[tuple[str, list[Params]]] = []
    for sql, params in statements:
        if runs and runs[-1][0] == sql:
            runs[-1][1].append(params)
        else:
            runs.append((sql, [params]))
    return runs


def returns_rows(sql: str) -> bool:
    """True for a statement whose rows the caller gets back (a query or `RETURNING`)."""
    words = sql.lstrip().upper()
    return words.startswith(("SELECT", "WITH", "PRAGMA")) or _RETURNING.search(words) is not None
