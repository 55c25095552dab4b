"""SHARD_COUNT / SHARD_IDS: typed, validated with one-line errors, and the client they build."""

from __future__ import annotations

import pytest
from discord.ext import commands

from bot.client import ChapterBot, ShardedChapterBot, build_bot, startup_line
from bot.config import Settings
from bot.errors import ConfigError
from bot.sharding import ShardSet

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz012345"
PG = "postgresql://bot:s3cret@db/chapterbot"


def settings(**env: str) -> Settings:
    """Settings from exactly `env`, ignoring any real .env file."""
    return Settings.from_env({"DISCORD_TOKEN": TOKEN, **env}, env_file=None)


def test_neither_setting_means_one_unsharded_process() -> None:
    s = settings(SHARD_COUNT="", SHARD_IDS="")
    assert (s.shard_count, s.shard_ids, s.shards) == (None, None, ShardSet.unsharded())


def test_shard_count_alone_serves_every_shard() -> None:
    s = settings(SHARD_COUNT="2")
    assert s.shards == ShardSet(2, (0, 1)) and not s.shards.partial


def test_shard_ids_are_read_and_typed() -> None:
    s = settings(SHARD_COUNT="4", SHARD_IDS=" 1, 3", DATABASE_URL=PG)
    assert (s.shard_count, s.shard_ids, s.shards.partial) == (4, (1, 3), True)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_COUNT"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,x"}, "SHARD_IDS"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2", "DATABASE_URL": PG}, "outside 0..1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1,1", "DATABASE_URL": PG}, "twice"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0"}, "DATABASE_URL"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0", "DATABASE_URL": "data/x.db"}, "DATABASE_URL"),
    ],
)
def test_bad_shard_settings_are_one_line(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(**env)
    message = str(caught.value)
    assert named in message and "\n" not in message and "s3cret" not in message


def test_every_shard_on_sqlite_is_one_process_and_allowed() -> None:
    assert settings(SHARD_COUNT="2", SHARD_IDS="0,1").shards == ShardSet(2, (0, 1))


def test_the_client_identifies_only_its_shards() -> None:
    plain = build_bot(settings())
    sharded = build_bot(settings(SHARD_COUNT="2", SHARD_IDS="1", DATABASE_URL=PG))
    assert type(plain) is ChapterBot and not isinstance(plain, commands.AutoShardedBot)
    assert isinstance(sharded, ShardedChapterBot) and isinstance(sharded, commands.AutoShardedBot)
    assert (sharded.shard_count, sharded.shard_ids) == (2, [1])


def test_the_start_up_line_names_the_database_and_the_shards() -> None:
    pg = settings(SHARD_COUNT="2", SHARD_IDS="0,1", DATABASE_URL="postgresql://bot@db/chapterbot")
    assert startup_line(pg) == "database postgresql://bot@db/chapterbot, shards: 0,1 of 2"
    lite = settings(DATABASE_URL="sqlite:///data/chapterbot.db")
    assert startup_line(lite) == "database data/chapterbot.db, shards: none (unsharded)"
    secret = startup_line(settings(SHARD_COUNT="2", SHARD_IDS="1", DATABASE_URL=PG))
    assert secret == "database postgresql://bot:***@db/chapterbot, shards: 1 of 2"


def test_empty_dev_guild_id_means_global_sync() -> None:
    assert settings(DEV_GUILD_ID="").dev_guild_id is None


def test_redis_url_is_read_and_never_shown() -> None:
    s = settings(REDIS_URL=" redis://:pw-s3cret@cache:6379/2 ")
    assert s.redis_url == "redis://:pw-s3cret@cache:6379/2"
    assert "pw-s3cret" not in repr(s)
    assert settings(REDIS_URL="").redis_url is None and settings().redis_url is None
    assert settings(REDIS_URL="unix:///run/redis.sock").redis_url == "unix:///run/redis.sock"


@pytest.mark.parametrize("url", ["http://:pw-s3cret@cache", "redis://", "cache:6379"])
def test_a_bad_redis_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(REDIS_URL=url)
    assert "REDIS_URL" in str(caught.value) and "pw-s3cret" not in str(caught.value)


async def test_with_redis_url_the_shared_budget_is_in_redis_else_in_the_database() -> None:
    from bot.storage.budget import SharedRateBudget
    from bot.storage.redis_budget import RedisRateBudget, bucket_key

    env = {"DATABASE_URL": PG, "SHARD_COUNT": "2", "SHARD_IDS": "1"}
    bot = build_bot(settings(**env, REDIS_URL="redis://127.0.0.1:6379/15"))
    budget = bot._rate_budget()
    assert isinstance(budget, RedisRateBudget) and budget.key == bucket_key(TOKEN)
    assert budget.per_second == 45
    await budget.close()  # never connected: building it does not touch the server
    plain = build_bot(settings(**env))
    plain.db = sentinel = object()  # type: ignore[assignment]  # the bucket keeps a reference
    in_db = plain._rate_budget()
    assert isinstance(in_db, SharedRateBudget) and in_db.db is sentinel
