"""`RowsStatement` and `Database.write_rows`: many rows of one shape in one transaction."""

from __future__ import annotations

import pytest

from bot.storage import Database
from bot.storage.pg_sql import one_statement, unnest_sql
from bot.storage.rows import RowsStatement

# An upsert whose WHERE skips some rows, as the write-behind flush skips reads of a story deleted
# since (the WHERE also tells SQLite that ON CONFLICT is the upsert's).
SETTINGS = RowsStatement(
    "INSERT INTO user_settings (user_id, timezone) SELECT r.user_id, r.timezone FROM {rows}"
    " WHERE r.user_id <> 13"
    " ON CONFLICT (user_id) DO UPDATE SET timezone = excluded.timezone",
    ("user_id", "timezone"),
    types=(("timezone", "TEXT"),),
)
PLAIN = RowsStatement(
    "INSERT INTO user_settings (user_id, timezone) SELECT r.user_id, r.timezone FROM {rows}",
    ("user_id", "timezone"),
    types=(("timezone", "TEXT"),),
)


def test_the_one_row_form_binds_each_column_by_name() -> None:
    assert SETTINGS.per_row().startswith(
        "INSERT INTO user_settings (user_id, timezone) SELECT r.user_id, r.timezone FROM"
        " (SELECT :user_id AS user_id, :timezone AS timezone) AS r WHERE"
    )
    assert SETTINGS.column_values([{"user_id": 1, "timezone": "UTC", "extra": 0}]) == [
        [1],
        ["UTC"],
    ]


def test_postgresql_takes_one_array_per_column() -> None:
    assert "FROM unnest($1::BIGINT[], $2::TEXT[]) AS r(user_id, timezone) WHERE" in unnest_sql(
        SETTINGS
    )


def test_a_statement_names_its_rows_once() -> None:
    with pytest.raises(ValueError, match="exactly once"):
        RowsStatement("INSERT INTO t SELECT 1", ("a",))


async def test_write_rows_writes_every_part_in_order(db: Database) -> None:
    await db.write_rows(
        [
            (PLAIN, [{"user_id": 1, "timezone": "UTC"}, {"user_id": 2, "timezone": "UTC"}]),
            (
                SETTINGS,
                [
                    {"user_id": 2, "timezone": "Asia/Tokyo"},  # updates the row just written
                    {"user_id": 13, "timezone": "UTC"},  # skipped by the WHERE
                    {"user_id": 14, "timezone": "Europe/Paris"},
                ],
            ),
            (SETTINGS, []),  # nothing to write is fine
        ]
    )
    stored = await db.fetch_all("SELECT user_id, timezone FROM user_settings ORDER BY user_id")
    assert [tuple(row) for row in stored] == [(1, "UTC"), (2, "Asia/Tokyo"), (14, "Europe/Paris")]


async def test_write_rows_is_one_transaction(db: Database) -> None:
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await db.write_rows(
            [
                (SETTINGS, [{"user_id": 5, "timezone": "UTC"}]),
                (PLAIN, [{"user_id": 6, "timezone": "UTC"}, {"user_id": 5, "timezone": "UTC"}]),
            ]
        )
    assert await db.fetch_value("SELECT count(*) FROM user_settings") == 0


def test_independent_parts_become_one_postgresql_statement() -> None:
    text, args = one_statement(
        [
            (SETTINGS, [{"user_id": 1, "timezone": "UTC"}]),
            (PLAIN, [{"user_id": 2, "timezone": "UTC"}]),
        ]
    )
    assert text.startswith("WITH w0 AS (INSERT INTO user_settings")
    assert "unnest($1::BIGINT[], $2::TEXT[])" in text and "unnest($3::BIGINT[], $4::TEXT[])" in text
    assert args == [[1], ["UTC"], [2], ["UTC"]]


async def test_independent_parts_are_written_together_or_not_at_all(db: Database) -> None:
    await db.write_rows([(PLAIN, [{"user_id": 7, "timezone": "UTC"}])])
    ok = [
        (SETTINGS, [{"user_id": 8, "timezone": "UTC"}]),
        (PLAIN, [{"user_id": 9, "timezone": "UTC"}]),
    ]
    await db.write_rows(ok, independent=True)
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await db.write_rows(
            [
                (SETTINGS, [{"user_id": 10, "timezone": "UTC"}]),
                (PLAIN, [{"user_id": 7, "timezone": "UTC"}]),  # already there
            ],
            independent=True,
        )
    stored = await db.fetch_all("SELECT user_id FROM user_settings ORDER BY user_id")
    assert [row[0] for row in stored] == [7, 8, 9]
