"""SQL text for PostgreSQL: `:name` (and `?`) parameters become asyncpg's `$1..$n`.

Repositories write `:name` with a dict (the portable form, see `bot.storage.database`); asyncpg
only knows `$n`. The rewrite skips string literals, quoted identifiers, comments and `::` casts,
binds one name to one number however often it appears, and is cached per SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from bot.storage.database import MigrationError, Params
from bot.storage.rows import ROWS, RowsPart, RowsStatement

# Order matters: things to skip first, then parameters. `::` is a cast, not a parameter.
_TOKENS = re.compile(
    r"""(?P<skip>'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|::)"""
    r"""|:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<qmark>\?)""",
    re.DOTALL,
)


@lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, tuple[str, ...], int]:
    """`sql` with `$n` placeholders, the names in `$n` order, and the count of `?` marks."""
    names: list[str] = []
    qmarks = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal qmarks
        if match.group("skip"):
            return match.group(0)
        name = match.group("name")
        if name is not None:
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"
        qmarks += 1
        return f"${qmarks}"

    text = _TOKENS.sub(replace, sql)
    if names and qmarks:
        raise ValueError("SQL mixes :name and ? parameters")
    return text, tuple(names), qmarks


def bind(sql: str, params: Params) -> tuple[str, list[Any]]:
    """The `$n` SQL and the argument list for asyncpg."""
    text, names, qmarks = translate(sql)
    if names:
        if not isinstance(params, Mapping):
            raise TypeError("SQL with :name parameters needs a dict of values")
        try:
            return text, [params[name] for name in names]
        except KeyError as exc:
            raise KeyError(f"no value for parameter :{exc.args[0]}") from None
    if isinstance(params, Mapping):
        return text, []
    values = list(params) if isinstance(params, Sequence) else []
    if len(values) != qmarks:
        raise ValueError(f"SQL has {qmarks} ? parameters but {len(values)} values were given")
    return text, values


@lru_cache(maxsize=64)
def unnest_sql(statement: RowsStatement, first: int = 1) -> str:
    """`statement` run once over all its rows: `{rows}` is `unnest` of one array per column
    (parameters numbered from `first`)."""
    arrays = ", ".join(
        f"${n}::{statement.type_of(name)}[]" for n, name in enumerate(statement.columns, first)
    )
    return statement.sql.replace(ROWS, f"unnest({arrays}) AS r({', '.join(statement.columns)})")


def one_statement(parts: Sequence[RowsPart]) -> tuple[str, list[list[Any]]]:
    """Independent parts as ONE statement and its arrays: all but the last part become
    data-modifying `WITH` queries of the last. They all see the same snapshot, so this is only
    right for parts that do not read what the others write (see `Database.write_rows`)."""
    texts: list[str] = []
    args: list[list[Any]] = []
    for statement, rows in parts:
        texts.append(unnest_sql(statement, first=len(args) + 1))
        args.extend(statement.column_values(rows))
    *before, last = texts
    if before:
        last = "WITH " + ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(before)) + " " + last
    return last, args


def rowcount(status: str) -> int:
    """The rows a command changed, from asyncpg's status string (`UPDATE 3`, `INSERT 0 1`)."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_STATEMENT_PARTS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|;""", re.DOTALL)


def split_script(script: str) -> list[str]:
    """Split a PostgreSQL migration into statements at `;` outside strings and comments.

    Dollar-quoted bodies (functions) are not supported: chapterbot's migrations have none.
    """
    statements: list[str] = []
    start = 0
    for match in _STATEMENT_PARTS.finditer(script):
        if match.group(0) != ";":
            continue
        statement = script[start : match.end()].strip()
        if _COMMENTS.sub("", statement).strip(" \t\r\n;"):
            statements.append(statement)
        start = match.end()
    if _COMMENTS.sub("", script[start:]).strip(" \t\r\n;"):
        raise MigrationError("the script ends with a statement that has no closing ';'")
    return statements
