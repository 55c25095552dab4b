"""The `chapterbot` command line.

run | preview | export | migrate | health | backup | db copy | when | rotate-note-key.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.errors import UserError
from bot.logs import setup_logging

if TYPE_CHECKING:
    from bot.client import ChapterBot

log = logging.getLogger("chapterbot")


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = argparse.ArgumentParser(
        prog="chapterbot", description="A Discord bot that serializes stories."
    )
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="default: ./.env")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="connect to Discord and serve (token from .env or DISCORD_TOKEN)")
    preview = sub.add_parser("preview", help="show how a story file would be posted")
    preview.add_argument("file", type=Path)
    preview.add_argument("--style", choices=("text", "embed"), default="text")
    preview.add_argument("--json", action="store_true", help="machine-readable output")
    preview.add_argument(
        "--summary", action="store_true", help="one line per chapter, skipped parts, totals"
    )
    export = sub.add_parser("export", help="write a story (file or stored) as EPUB, HTML or MD")
    export.add_argument("file", type=Path, nargs="?", help="a story file to convert")
    export.add_argument("--db", metavar="URL", help="read a stored story from this database")
    export.add_argument("--story", metavar="ID_OR_TITLE", help="the stored story (with --db)")
    export.add_argument("--guild", type=int, metavar="ID", help="the server of a story title")
    export.add_argument("--released-only", action="store_true", help="a reader's copy")
    export.add_argument("--format", choices=("epub", "html", "md"), required=True)
    export.add_argument("-o", "--output", type=Path, default=None, help="the file to write")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sub.add_parser(
        "health", help="exit 0 if the running bot's heartbeat is fresh, else 1 (creates nothing)"
    )
    backup = sub.add_parser("backup", help="copy the database consistently, even while running")
    backup.add_argument("path", type=Path, help="the backup file to write")
    backup.add_argument(
        "--overwrite", action="store_true", help="replace the backup file if it exists"
    )
    backup.add_argument(
        "--parents", action="store_true", help="create the backup file's directory if missing"
    )
    db = sub.add_parser("db", help="database tools").add_subparsers(
        dest="db_command", required=True
    )
    copy = db.add_parser("copy", help="copy every row into an empty database (e.g. to PostgreSQL)")
    copy.add_argument("from_url", metavar="FROM_URL")
    copy.add_argument("to_url", metavar="TO_URL")
    sub.add_parser(
        "rotate-note-key",
        help="replace the key file behind anonymous notes' sender hashes and re-key them "
        "(stop the bot first)",
    )
    # Parsed by `bot.when_command` (one-line errors, no usage text); listed here for --help.
    sub.add_parser("when", help="show how a schedule is understood: chapterbot when WHEN ...")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `chapterbot` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["when"]:
        from bot.when_command import run_when

        return run_when(arguments[1:])
    args = build_parser().parse_args(arguments)
    try:
        if args.command == "preview":
            from bot.stories.preview import run_preview

            return run_preview(args.file, style=args.style, as_json=args.json, summary=args.summary)
        if args.command == "export":
            return _export(args)
        settings = Settings.from_env(env_file=args.env_file, require_token=args.command == "run")
        setup_logging(settings.log_level_number, settings.discord_token)
        if args.command == "run":
            return asyncio.run(run_bot(settings))
        if args.command == "health":
            return asyncio.run(health(settings))
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
        if args.command == "rotate-note-key":
            return asyncio.run(rotate_note_key(settings))
        if args.command == "db":
            from bot.db_copy_command import run_copy

            return asyncio.run(run_copy(args.from_url, args.to_url, settings.database_pool_size))
        if args.command == "backup":
            return asyncio.run(
                backup(settings, args.path, overwrite=args.overwrite, parents=args.parents)
            )
    except UserError as exc:
        print(f"chapterbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _export(args: argparse.Namespace) -> int:
    from bot.stories.export_command import run_export, run_export_stored

    if (args.file is None) == (args.db is None) or (args.db is not None) != bool(args.story):
        raise UserError("export takes either FILE, or --db URL with --story ID_OR_TITLE")
    if args.file is not None:
        return run_export(args.file, args.format, args.output)
    return asyncio.run(
        run_export_stored(
            args.db,
            args.story,
            args.guild,
            args.format,
            args.output,
            released_only=args.released_only,
        )
    )


# After SIGTERM during start-up, start-up may finish (then the bot closes cleanly) for this long;
# past it, what is left of start-up is abandoned, so a stop always takes less than 10 s.
STOP_GRACE_S = 8.0


async def run_bot(settings: Settings) -> int:
    """Run the bot until it is closed, shutting down cleanly on SIGTERM or SIGINT.

    Start-up (login, gateway handshake, READY) must finish within DISCORD_CONNECT_TIMEOUT;
    an endpoint that accepts connections and never answers ends in one line and exit 1.
    """
    import aiohttp
    import discord

    from bot.client import build_bot

    bot = build_bot(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(sig, lambda s=sig: _request_shutdown(bot, s, stop))
    try:
        async with bot:
            start = asyncio.create_task(bot.start(settings.discord_token), name="start")
            outcome = await _start_up(bot, start, stop, settings.discord_connect_timeout)
            if outcome == "timeout":
                print(_no_answer(bot, settings), file=sys.stderr)
                await _abandon(bot, start)
                return 1
            if outcome == "stopped":
                done, _ = await asyncio.wait({start}, timeout=STOP_GRACE_S)
                if not done:
                    await _abandon(bot, start)
                    return 0
            await start  # until the gateway closes (or start-up's error, handled below)
            # start() returns as soon as the gateway closes; the rest of the shutdown (closing
            # the database) must finish before asyncio.run() cancels what is left.
            await bot.close()
    except (aiohttp.ClientConnectorError, OSError) as exc:
        print(
            f"chapterbot: cannot reach Discord at {settings.discord_api_base} "
            f"({exc.__class__.__name__}). Check the network, or DISCORD_API_BASE if you set it.",
            file=sys.stderr,
        )
        return 1
    except discord.LoginFailure:
        print(
            "chapterbot: Discord refused the token. Reset it on the Developer Portal's Bot page "
            "and put the new one in .env as DISCORD_TOKEN.",
            file=sys.stderr,
        )
        return 2
    except discord.PrivilegedIntentsRequired:
        print("chapterbot: Discord refused the gateway intents.", file=sys.stderr)
        return 2
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return 0


async def _start_up(
    bot: ChapterBot, start: asyncio.Task[None], stop: asyncio.Event, timeout: float
) -> str:
    """Wait for READY: "ready", "ended" (start returned or failed), "stopped" or "timeout"."""
    ready = asyncio.create_task(bot.wait_until_ready(), name="ready")
    stopped = asyncio.create_task(stop.wait(), name="stopped")
    try:
        done, _ = await asyncio.wait(
            {start, ready, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        for task in (ready, stopped):
            task.cancel()
    if start in done:
        return "ended"
    if ready in done:
        return "ready"
    return "stopped" if stopped in done else "timeout"


def _no_answer(bot: ChapterBot, settings: Settings) -> str:
    """The one line for a start-up that timed out, naming the endpoint that did not answer."""
    if bot.user is None:  # still logging in over REST
        where = settings.discord_api_base
    else:
        where = settings.discord_gateway_url or "Discord's gateway"
    return (
        f"chapterbot: no answer from {where} within {settings.discord_connect_timeout} s; "
        "giving up (DISCORD_CONNECT_TIMEOUT). Check the network and DISCORD_API_BASE."
    )


async def _abandon(bot: ChapterBot, start: asyncio.Task[None]) -> None:
    """Give up on a start-up that never finished: cancel it, then close what was opened."""
    start.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await start
    with contextlib.suppress(Exception):
        await asyncio.wait_for(bot.close(), STOP_GRACE_S / 2)


def _request_shutdown(bot: ChapterBot, sig: signal.Signals, stop: asyncio.Event) -> None:
    log.info("received %s, shutting down after the current page", sig.name)
    stop.set()
    bot.request_shutdown()


async def migrate(settings: Settings) -> int:
    """Apply pending migrations to the configured database."""
    from bot.feedback.note_key import NOTE_KEY_MIGRATION, carry_key_out, key_file_for
    from bot.storage import Database, apply_migrations, current_version

    key_file = key_file_for(settings.database_url, settings.note_key_file)
    db = await Database.open(settings.database_url, pool_size=settings.database_pool_size)
    try:
        hook = carry_key_out(settings.note_key, key_file)
        applied = await apply_migrations(db, before={NOTE_KEY_MIGRATION: hook})
        version = await current_version(db)
    finally:
        await db.close()
    print(f"database at version {version}" + (f" (applied {applied})" if applied else ""))
    return 0


async def rotate_note_key(settings: Settings) -> int:
    """Re-key anonymous notes' sender hashes under a new key file (see bot.feedback.note_key)."""
    from bot.feedback import note_key
    from bot.storage import open_database

    key_file = note_key.key_file_for(settings.database_url, settings.note_key_file)
    hook = note_key.carry_key_out(settings.note_key, key_file)
    db = await open_database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        before={note_key.NOTE_KEY_MIGRATION: hook},
    )
    try:
        done = await note_key.rotate_note_key(db, settings.note_key, key_file)
    finally:
        await db.close()
    print(
        f"new note key in {done.path}; re-keyed {done.notes} notes from {done.senders} senders "
        "(they still group per sender; new notes start a new group and a new hourly limit)"
    )
    return 0


async def health(settings: Settings) -> int:
    """One line: healthy (exit 0) or why not (exit 1)."""
    from bot.lifecycle.heartbeat import check_health

    verdict = await check_health(settings.database_url)
    print(f"chapterbot: {verdict.line}", file=sys.stdout if verdict.healthy else sys.stderr)
    return 0 if verdict.healthy else 1


async def backup(settings: Settings, target: Path, *, overwrite: bool, parents: bool) -> int:
    """Copy the configured database to `target` with SQLite's online backup."""
    # Backups copy a SQLite file; a server database is backed up with its own tools.
    from bot.storage import backup_database, sqlite_path_from_url

    source = sqlite_path_from_url(settings.database_url)
    await backup_database(source, target, overwrite=overwrite, parents=parents)
    print(f"backed up {source} to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
