"""Database URLs: backend choice, password masking, and PostgreSQL parameter translation."""

from __future__ import annotations

import logging

import pytest

from bot.errors import ConfigError
from bot.storage import Database
from bot.storage.pg_sql import bind, rowcount, split_script, translate
from bot.storage.urls import backend_module_for, mask_password


@pytest.mark.parametrize(
    ("url", "module"),
    [
        ("postgresql://bot@db/chapterbot", "bot.storage.postgres"),
        ("postgres://bot:pw@db:5433/chapterbot", "bot.storage.postgres"),
        ("POSTGRESQL://bot@db/x", "bot.storage.postgres"),
        ("sqlite:///data/chapterbot.db", "bot.storage.sqlite"),
        ("data/chapterbot.db", "bot.storage.sqlite"),
    ],
)
def test_the_url_scheme_picks_the_backend(url: str, module: str) -> None:
    assert backend_module_for(url) == module


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bot:hunter2@db:5432/chapterbot", "postgresql://bot:***@db:5432/chapterbot"),
        ("postgres://bot:p%40ss@db/x?sslmode=require", "postgres://bot:***@db/x?sslmode=require"),
        ("postgresql://bot@db/chapterbot", "postgresql://bot@db/chapterbot"),
        ("data/chapterbot.db", "data/chapterbot.db"),
    ],
)
def test_passwords_are_masked(url: str, shown: str) -> None:
    assert mask_password(url) == shown


def test_a_masked_url_in_a_log_line_never_holds_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("database %s", mask_password("postgresql://u:s3cret@h/db"))
    assert "s3cret" not in caplog.text and "u:***@h" in caplog.text


def test_named_parameters_become_numbered_once_per_name() -> None:
    text, args = bind(
        "SELECT :a, :b, :a, ':not_a_param', x::text -- :nor_this\nFROM t WHERE y = :b",
        {"a": 1, "b": 2, "extra": 3},
    )
    assert text == "SELECT $1, $2, $1, ':not_a_param', x::text -- :nor_this\nFROM t WHERE y = $2"
    assert args == [1, 2]
    assert bind("SELECT ? + ?", (4, 5)) == ("SELECT $1 + $2", [4, 5])
    with pytest.raises(KeyError, match="missing"):
        bind("SELECT :missing", {})
    assert translate("SELECT 1")[1:] == ((), 0)


def test_status_strings_give_row_counts_and_scripts_split_outside_strings() -> None:
    assert (rowcount("UPDATE 3"), rowcount("INSERT 0 1"), rowcount("CREATE TABLE")) == (3, 1, 0)
    assert split_script("CREATE TABLE a (x TEXT DEFAULT 'a;b'); -- c;\nSELECT 1;") == [
        "CREATE TABLE a (x TEXT DEFAULT 'a;b');",
        "-- c;\nSELECT 1;",
    ]


async def test_an_unreachable_server_is_a_config_error_without_the_password() -> None:
    with pytest.raises(ConfigError, match="Could not connect") as info:
        await Database.open("postgresql://bot:s3cret@127.0.0.1:1/chapterbot")
    assert "s3cret" not in str(info.value) and "bot:***@127.0.0.1:1" in str(info.value)
