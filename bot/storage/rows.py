"""`RowsStatement`: one statement written for many parameter rows, which a backend may send at once.

The write-behind flush of `/next` writes hundreds of rows of the same shape. `executemany` sends
them in one trip, but PostgreSQL still runs the statement once per row: a flush of 200 reads
(progress upserts and read-log rows) held a server core for about 35 ms, and every `/next`
answered in that window waited behind it. Written over `unnest()` of one array per column, the
same rows are two statements and take half that time.

The SQL names its source of rows `{rows}`: a table aliased `r` whose columns are `columns`.
Each backend turns it into what it runs best: a one-row `SELECT` of `:column` parameters run
once per row (the portable form, and SQLite's: its `executemany` loops in C) or, on PostgreSQL,
`unnest($1::bigint[], ...) AS r(...)` run once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ROWS = "{rows}"


@dataclass(frozen=True)
class RowsStatement:
    """A statement over `{rows}`, the rows `r(columns...)` it is run for."""

    sql: str
    columns: tuple[str, ...]
    # (column, SQL type) of the columns that are not BIGINT: PostgreSQL types its arrays.
    types: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.sql.count(ROWS) != 1:
            raise ValueError("a RowsStatement names its rows `{rows}` exactly once")

    def type_of(self, column: str) -> str:
        """The SQL type of `column` (BIGINT unless `types` says otherwise)."""
        return dict(self.types).get(column, "BIGINT")

    def per_row(self) -> str:
        """The statement for one row of `:column` parameters, for `executemany`."""
        select = ", ".join(f":{name} AS {name}" for name in self.columns)
        return self.sql.replace(ROWS, f"(SELECT {select}) AS r")

    def column_values(self, rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
        """The rows as one list of values per column, in `columns` order."""
        return [[row[name] for row in rows] for name in self.columns]


# What `Database.write_rows` takes: each statement with the parameter rows it is run for.
RowsPart = tuple[RowsStatement, Sequence[Mapping[str, Any]]]
