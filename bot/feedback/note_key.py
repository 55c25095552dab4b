"""The note key: the secret behind `notes.sender_hash`, kept outside the database.

Anonymous notes store no user id, only an HMAC of guild and user under this key, so limits
work without saying who wrote a note. A copy of the database alone must not be enough to link
those hashes back to users, so the key lives elsewhere: `NOTE_KEY` in the environment if set
(it wins), else a key file readable only by its owner (mode 0600), created on first run:
beside the SQLite database (`<db dir>/note.key`), or `NOTE_KEY_FILE` for any backend
(default for PostgreSQL: `data/note.key` under the working directory).

Before migration `note_key_out` drops the old `feedback_secret` table, `carry_key_out` writes
the key stored there into the key file, so hashes stored before keep matching.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError
from bot.feedback.repository import FeedbackRepository
from bot.storage import Database, MigrationHook
from bot.storage.urls import backend_module_for

log = logging.getLogger(__name__)

# The migration (by name, see `apply_migrations`) that drops the table the key used to live in.
NOTE_KEY_MIGRATION = "note_key_out"
KEY_FILE_NAME = "note.key"
DEFAULT_SERVER_KEY_FILE = Path("data") / KEY_FILE_NAME


def sender_hash(key: str, guild_id: int, user_id: int) -> str:
    """A keyed hash standing for a sender: stable for limits, not reversible to a user id."""
    return hmac.new(key.encode(), f"{guild_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def rekeyed(key: str, stored_hash: str) -> str:
    """What a stored sender hash becomes under a rotated key (see `rotate_note_key`)."""
    return hmac.new(key.encode(), stored_hash.encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    """A fresh random key (256 bits, hex)."""
    return secrets.token_hex(32)


def key_file_for(database_url: str, override: Path | None = None) -> Path:
    """Where the key file lives: `override`, else beside a SQLite database, else data/."""
    if override is not None:
        return override
    if backend_module_for(database_url).endswith("sqlite"):
        from bot.storage import sqlite_path_from_url

        return sqlite_path_from_url(database_url).parent / KEY_FILE_NAME
    return DEFAULT_SERVER_KEY_FILE


def read_key_file(path: Path) -> str | None:
    """The key in `path`, or None when there is no such file."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read the note key file {path} ({exc.strerror}).") from exc
    if not text:
        raise ConfigError(
            f"the note key file {path} is empty.",
            hint="Restore it from a backup; deleting it makes a new key (hourly note limits "
            "restart and older anonymous notes no longer group with newer ones).",
        )
    return text


def write_key_file(path: Path, key: str) -> None:
    """Create `path` holding `key`, mode 0600 from the start; fails if it exists."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: never overwrite a key (that would orphan every stored hash); 0o600 at
        # creation so the key is never readable by others, not even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the note key file {path} ({exc.strerror}).",
            hint="Make its folder writable, set NOTE_KEY_FILE to a writable path, or set NOTE_KEY.",
        ) from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)  # a umask cannot widen it, but be explicit for odd filesystems


def resolve_note_key(env_key: str | None, path: Path) -> str:
    """The key to hash with: NOTE_KEY if set, else the key file (created on first run)."""
    if env_key:
        return env_key
    key = read_key_file(path)
    if key is None:
        key = new_key()
        write_key_file(path, key)
        log.info("created the note key file %s (mode 0600)", path)
    return key


def carry_key_out(env_key: str | None, path: Path) -> MigrationHook:
    """The hook run before `note_key_out`: move the database's key into the key file."""

    async def hook(db: Database) -> None:
        stored = await FeedbackRepository(db).legacy_secret_key()
        if stored is None:
            return
        if env_key:
            if env_key != stored:
                log.warning(
                    "NOTE_KEY differs from the key the database held; notes stored before keep "
                    "hashes under the old key (hourly limits restart for their senders)"
                )
            return
        existing = read_key_file(path)
        if existing is None:
            write_key_file(path, stored)
            log.info("moved the note key out of the database into %s (mode 0600)", path)
        elif existing != stored:
            log.warning("kept the existing note key file %s; it differs from the database's", path)

    return hook


@dataclass(frozen=True)
class Rotation:
    """What `rotate_note_key` did."""

    path: Path
    senders: int
    notes: int


async def rotate_note_key(db: Database, env_key: str | None, path: Path) -> Rotation:
    """Replace the key file's key and re-key every stored sender hash.

    Raw user ids of anonymous notes are not stored, so hashes cannot be recomputed from them.
    Each stored hash h becomes HMAC(new key, h): notes that shared a sender still share one,
    and the old key alone no longer links them to a user. New notes are hashed from the user
    id with the new key, so they do not group with notes from before the rotation (and the
    hourly note limit starts afresh). Run it with the bot stopped.
    """
    if env_key:
        raise ConfigError(
            "NOTE_KEY is set, so the key is yours to manage; rotation only rewrites the key file.",
            hint="Unset NOTE_KEY (the key file is then used), or keep NOTE_KEY as it is.",
        )
    if read_key_file(path) is None:
        raise ConfigError(
            f"there is no note key file at {path}; nothing to rotate.",
            hint="Start the bot once (it creates one), or check DATABASE_URL and NOTE_KEY_FILE.",
        )
    key = new_key()
    staged = path.with_name(path.name + ".new")
    staged.unlink(missing_ok=True)
    write_key_file(staged, key)
    # The re-keying does not need the old key, so the order is safe: if we stop between the
    # commit and the rename, stored hashes are re-keyed and new ones still use the old key,
    # which only means what any rotation means (new notes do not group with old ones).
    senders, notes = await FeedbackRepository(db).rekey_senders(_rekey_with(key))
    os.replace(staged, path)
    return Rotation(path, senders, notes)


def _rekey_with(key: str) -> Callable[[str], str]:
    return lambda stored: rekeyed(key, stored)
