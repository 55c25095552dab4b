"""Settings: defaults, `.env` loading, and one clear error per bad variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE, Settings
from bot.errors import ConfigError

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz012345"


def settings(**env: str) -> Settings:
    """Settings from exactly `env`, ignoring any real .env file."""
    return Settings.from_env({"DISCORD_TOKEN": TOKEN, **env}, env_file=None)


def test_defaults() -> None:
    s = settings()
    assert s.database_url == "sqlite:///data/chapterbot.db"
    assert s.discord_api_base == DEFAULT_API_BASE
    assert s.discord_gateway_url is None
    assert s.dev_guild_id is None
    assert s.default_timezone == "UTC"
    assert s.log_level == "INFO"


def test_values_are_read_and_typed() -> None:
    s = settings(
        DATABASE_URL="sqlite:////tmp/x.db",
        DISCORD_API_BASE="http://127.0.0.1:9999/api/v10/",
        DISCORD_GATEWAY_URL="ws://127.0.0.1:9999/gateway",
        DEV_GUILD_ID="123456789012345678",
        DEFAULT_TIMEZONE="Europe/Berlin",
        LOG_LEVEL="debug",
    )
    assert s.discord_api_base == "http://127.0.0.1:9999/api/v10"
    assert s.dev_guild_id == 123456789012345678
    assert s.log_level == "DEBUG"
    assert s.log_level_number == 10


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nDEFAULT_TIMEZONE=Asia/Tokyo\nLOG_LEVEL=ERROR\n")
    s = Settings.from_env({"LOG_LEVEL": "WARNING"}, env_file=env_file)
    assert s.discord_token == TOKEN
    assert s.default_timezone == "Asia/Tokyo"
    assert s.log_level == "WARNING"


def test_settings_are_immutable() -> None:
    s = settings()
    with pytest.raises(AttributeError):
        s.log_level = "DEBUG"  # type: ignore[misc]


def test_token_is_not_in_repr() -> None:
    assert TOKEN not in repr(settings())


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"DISCORD_TOKEN": ""}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN does not look like a bot token"),
        ({"DISCORD_API_BASE": "discord.com/api"}, "DISCORD_API_BASE"),
        ({"DISCORD_GATEWAY_URL": "http://x"}, "DISCORD_GATEWAY_URL"),
        ({"DEV_GUILD_ID": "my server"}, "DEV_GUILD_ID"),
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(**env)
    message = str(caught.value)
    assert names in message
    assert "\n" not in message


def test_malformed_token_is_never_echoed() -> None:
    secret = "sk-live-" + "x" * 40
    with pytest.raises(ConfigError) as caught:
        settings(DISCORD_TOKEN=secret)
    assert secret not in str(caught.value)


def test_offline_commands_need_no_token() -> None:
    s = Settings.from_env({}, env_file=None, require_token=False)
    assert s.database_url.startswith("sqlite:")


def test_database_pool_size_defaults_to_ten_and_must_be_positive() -> None:
    assert settings().database_pool_size == 10
    assert settings(DATABASE_POOL_SIZE="3").database_pool_size == 3
    with pytest.raises(ConfigError, match=r"DATABASE_POOL_SIZE.*connections"):
        settings(DATABASE_POOL_SIZE="0")


def test_database_timeout_defaults_to_thirty_seconds_and_must_be_positive() -> None:
    assert settings().database_timeout == 30
    assert settings(DATABASE_TIMEOUT="5").database_timeout == 5
    with pytest.raises(ConfigError, match=r"DATABASE_TIMEOUT.*seconds"):
        settings(DATABASE_TIMEOUT="0")


def test_import_timeout_defaults_to_twenty_seconds_and_must_be_positive() -> None:
    assert settings().import_timeout == 20
    assert settings(IMPORT_TIMEOUT="5").import_timeout == 5
    with pytest.raises(ConfigError, match=r"IMPORT_TIMEOUT.*seconds"):
        settings(IMPORT_TIMEOUT="0")
