"""Typed, immutable settings read once from the environment and `.env`.

`Settings.from_env()` is called in `main()` and the result is passed down; nothing reads the
environment anywhere else, so tests build `Settings` directly.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.errors import ConfigError
from bot.sharding import ShardSet

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_DATABASE_URL = "sqlite:///data/chapterbot.db"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Discord tokens are three base64url segments separated by dots; checking the shape catches
# a pasted client secret or a stray quote before any network call.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment, validated."""

    discord_token: str = field(repr=False)
    database_url: str = DEFAULT_DATABASE_URL
    discord_api_base: str = DEFAULT_API_BASE
    discord_gateway_url: str | None = None
    dev_guild_id: int | None = None
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    # How long a drainer holds an outbox row; after a crash, its rows run again this much later.
    outbox_lease_seconds: int = 30
    # Days a server's data is kept after the bot is removed from it (0 = deleted at once).
    data_retention_days: int = 30
    # Start-up (login, gateway handshake, READY) gives up after this many seconds.
    discord_connect_timeout: int = 60
    # Connections a PostgreSQL database pool may open (SQLite ignores it).
    database_pool_size: int = 10
    # Seconds the running bot waits for PostgreSQL to connect or to answer one statement.
    database_timeout: int = 30
    # SHARD_COUNT / SHARD_IDS: None = one unsharded process serving every guild.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    # Requests/s all processes of this bot share (Discord's global limit is 50): one process
    # paces itself in memory; several shard processes share one token bucket in the database.
    discord_global_rate: int = 45
    # REDIS_URL: when set, that budget is one bucket in Redis instead of a database row.
    redis_url: str | None = field(default=None, repr=False)
    # How long a release being posted stays claimed without renewal (each page renews it);
    # after a crash (sharded) or a database outage, the release resumes this much later at most.
    release_lease_seconds: int = 30
    # An uploaded file must be read within this many seconds, or the upload is refused.
    import_timeout: int = 20
    # The key behind anonymous notes' sender hashes (bot.feedback.note_key); never logged.
    note_key: str | None = field(default=None, repr=False)
    # Where the key file lives when NOTE_KEY is unset (default: beside a SQLite database).
    note_key_file: Path | None = None

    def __post_init__(self) -> None:
        _check_shards(self.shard_count, self.shard_ids, self.database_url)
        _check_token(self.discord_token)
        _check_url("DISCORD_API_BASE", self.discord_api_base, ("http", "https"))
        if self.discord_gateway_url is not None:
            _check_url("DISCORD_GATEWAY_URL", self.discord_gateway_url, ("ws", "wss"))
        if self.redis_url is not None:
            _check_redis_url(self.redis_url)
        _check_zone(self.default_timezone)
        if self.log_level not in _LOG_LEVELS:
            raise ConfigError(
                f"LOG_LEVEL={self.log_level!r} is not a log level.",
                hint=f"Use one of {', '.join(_LOG_LEVELS)}.",
            )

    @property
    def shards(self) -> ShardSet:
        """The shards this process serves (all of 0..SHARD_COUNT-1 unless SHARD_IDS says)."""
        if self.shard_count is None:
            return ShardSet.unsharded()
        ids = self.shard_ids if self.shard_ids is not None else tuple(range(self.shard_count))
        return ShardSet(self.shard_count, ids)

    @property
    def log_level_number(self) -> int:
        """The `logging` module's number for `log_level`."""
        return logging.getLevelName(self.log_level)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        env_file: Path | None = Path(".env"),
        require_token: bool = True,
    ) -> Settings:
        """Read settings from `environ` (default `os.environ`) over the values in `env_file`."""
        values: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        token = values.get("DISCORD_TOKEN", "").strip()
        if not token and not require_token:
            # Commands like `migrate` never talk to Discord; a shaped placeholder keeps the
            # dataclass's invariants without pretending to be a real token.
            token = "offline.placeholder.token-not-used-for-network"
        return cls(
            discord_token=token,
            database_url=values.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            discord_api_base=(values.get("DISCORD_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
            discord_gateway_url=values.get("DISCORD_GATEWAY_URL") or None,
            dev_guild_id=_optional_snowflake("DEV_GUILD_ID", values.get("DEV_GUILD_ID")),
            default_timezone=values.get("DEFAULT_TIMEZONE") or "UTC",
            log_level=(values.get("LOG_LEVEL") or "INFO").upper(),
            outbox_lease_seconds=_positive_int(
                "OUTBOX_LEASE_SECONDS", values.get("OUTBOX_LEASE_SECONDS"), 30
            ),
            discord_connect_timeout=_positive_int(
                "DISCORD_CONNECT_TIMEOUT", values.get("DISCORD_CONNECT_TIMEOUT"), 60
            ),
            data_retention_days=_days("DATA_RETENTION_DAYS", values.get("DATA_RETENTION_DAYS"), 30),
            database_pool_size=_positive_int(
                "DATABASE_POOL_SIZE", values.get("DATABASE_POOL_SIZE"), 10, unit="connections"
            ),
            database_timeout=_positive_int("DATABASE_TIMEOUT", values.get("DATABASE_TIMEOUT"), 30),
            shard_count=_optional_count(values.get("SHARD_COUNT")),
            shard_ids=_shard_ids(values.get("SHARD_IDS")),
            release_lease_seconds=_positive_int(
                "RELEASE_LEASE_SECONDS", values.get("RELEASE_LEASE_SECONDS"), 30
            ),
            discord_global_rate=_positive_int(
                "DISCORD_GLOBAL_RATE", values.get("DISCORD_GLOBAL_RATE"), 45, unit="requests/s"
            ),
            redis_url=(values.get("REDIS_URL") or "").strip() or None,
            import_timeout=_positive_int("IMPORT_TIMEOUT", values.get("IMPORT_TIMEOUT"), 20),
            note_key=_note_key(values.get("NOTE_KEY")),
            note_key_file=Path(values["NOTE_KEY_FILE"]) if values.get("NOTE_KEY_FILE") else None,
        )


def _optional_count(value: str | None) -> int | None:
    """SHARD_COUNT: unset or empty = unsharded; else a whole number of shards, at least 1."""
    if value is None or not value.strip():
        return None
    return _positive_int("SHARD_COUNT", value, 1, unit="shards")


def _shard_ids(value: str | None) -> tuple[int, ...] | None:
    """SHARD_IDS: comma-separated shard numbers (`0,2`), or unset for all of them."""
    if value is None or not value.strip():
        return None
    parts = [part.strip() for part in value.split(",")]
    if not all(part.isdigit() for part in parts):
        raise ConfigError(
            f"SHARD_IDS={value!r} must be shard numbers separated by commas, e.g. 0,1."
        )
    return tuple(int(part) for part in parts)


def _check_shards(count: int | None, ids: tuple[int, ...] | None, database_url: str) -> None:
    """Shard ids need a count and must lie in 0..count-1, once each; a process serving only
    some shards shares the database with the others, which SQLite cannot do."""
    if count is None:
        if ids is not None:
            raise ConfigError("SHARD_IDS is set without SHARD_COUNT; set both, or neither.")
        return
    if count < 1:
        raise ConfigError(f"SHARD_COUNT={count} must be at least 1.")
    if ids is None:
        return
    if not ids:
        raise ConfigError("SHARD_IDS is empty; name at least one shard, or unset it.")
    if len(set(ids)) != len(ids):
        raise ConfigError(f"SHARD_IDS={_ids_text(ids)} names a shard twice.")
    outside = [i for i in ids if not 0 <= i < count]
    if outside:
        raise ConfigError(
            f"SHARD_IDS={_ids_text(ids)} has shard(s) {_ids_text(tuple(outside))} outside "
            f"0..{count - 1} (SHARD_COUNT={count})."
        )
    if len(ids) < count and not _is_postgres(database_url):
        raise ConfigError(
            f"SHARD_IDS={_ids_text(ids)} serves only some of {count} shards, so other processes "
            "share the database: set DATABASE_URL to a postgresql:// database (SQLite is one "
            "process only)."
        )


def _ids_text(ids: tuple[int, ...]) -> str:
    return ",".join(str(i) for i in ids)


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def _positive_int(name: str, value: str | None, default: int, *, unit: str = "seconds") -> int:
    """An optional whole number of `unit` (at least 1)."""
    if value is None or not value.strip():
        return default
    text = value.strip()
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{name}={value!r} must be a whole number of {unit}, at least 1.")
    return int(text)


def _note_key(value: str | None) -> str | None:
    """An optional NOTE_KEY: at least 32 characters so it is not guessable (never echoed)."""
    if value is None or not value.strip():
        return None
    if len(value.strip()) < 32:
        raise ConfigError(
            "NOTE_KEY is too short (at least 32 characters).",
            hint='Make one with: python -c "import secrets; print(secrets.token_hex(32))"',
        )
    return value.strip()


def _days(name: str, value: str | None, default: int) -> int:
    """An optional whole number of days (0 allowed)."""
    if value is None or not value.strip():
        return default
    text = value.strip()
    if not text.isdigit():
        raise ConfigError(f"{name}={value!r} must be a whole number of days (0 or more).")
    return int(text)


def _check_token(token: str) -> None:
    if not token:
        raise ConfigError(
            "DISCORD_TOKEN is not set.",
            hint="Copy .env.example to .env and paste your bot token from the Developer Portal "
            "(Applications > your app > Bot > Reset Token).",
        )
    if token.startswith("offline.placeholder"):
        return
    if not _TOKEN_SHAPE.match(token):
        # Never echo the token itself: it may be a real secret with a typo.
        raise ConfigError(
            "DISCORD_TOKEN does not look like a bot token (expected three dot-separated parts).",
            hint="Copy the token again from the Developer Portal's Bot page, without quotes or "
            "spaces; the OAuth2 client secret is not the token.",
        )


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> None:
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ConfigError(
            f"{name}={value!r} is not a valid URL.",
            hint=f"Use a {' or '.join(schemes)} URL like {schemes[-1]}://host/path, or unset it.",
        )


def _check_redis_url(url: str) -> None:
    """redis://host[:port][/db], rediss:// (TLS) or unix:///path.sock; never echoed, since it
    may carry a password."""
    parsed = urlparse(url)
    where = parsed.path if parsed.scheme == "unix" else parsed.netloc
    if parsed.scheme not in ("redis", "rediss", "unix") or not where:
        raise ConfigError(
            "REDIS_URL is not a Redis URL.",
            hint="Use redis://host:6379/0, rediss://host:6380 or unix:///path/redis.sock, or "
            "unset it to keep the rate budget in the database.",
        )


def _check_zone(zone: str) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"DEFAULT_TIMEZONE={zone!r} is not a known time zone.",
            hint="Use an IANA name such as UTC, Europe/Berlin or America/New_York.",
        ) from exc


def _optional_snowflake(name: str, value: str | None) -> int | None:
    if not value:
        return None
    if not value.strip().isdigit():
        raise ConfigError(
            f"{name}={value!r} is not a Discord id.",
            hint="Enable Developer Mode in Discord, right-click the server and Copy Server ID.",
        )
    return int(value)
