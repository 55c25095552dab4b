"""The `chapterbot` command line: run | preview | migrate | backup | db copy | when."""

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
    sub.add_parser("migrate", help="apply database migrations and exit")
    backup = sub.add_parser("backup", help="copy the database consistently, even while running")
    backup.add_argument("path", type=Path)
    backup.add_argument("--overwrite", action="store_true")
    db = sub.add_parser("db", help="database tools").add_subparsers(
        dest="db_command", required=True
    )
    copy = db.add_parser("copy", help="copy every row into an empty database (e.g. to PostgreSQL)")
    copy.add_argument("from_url", metavar="FROM_URL")
    copy.add_argument("to_url", metavar="TO_URL")
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

            return run_preview(args.file, style=args.style, as_json=args.json)
        settings = Settings.from_env(env_file=args.env_file, require_token=args.command == "run")
        setup_logging(settings.log_level_number, settings.discord_token)
        if args.command == "run":
            return asyncio.run(run_bot(settings))
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
        if args.command == "db":
            from bot.db_copy_command import run_copy

            return asyncio.run(run_copy(args.from_url, args.to_url, settings.database_pool_size))
        if args.command == "backup":
            return asyncio.run(backup(settings, args.path, overwrite=args.overwrite))
    except UserError as exc:
        print(f"chapterbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


async def run_bot(settings: Settings) -> int:
    """Run the bot until it is closed, shutting down cleanly on SIGTERM or SIGINT."""
    import aiohttp
    import discord

    from bot.client import ChapterBot

    bot = ChapterBot(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(sig, lambda s=sig: _request_shutdown(bot, s))
    try:
        async with bot:
            await bot.start(settings.discord_token)
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
    return 0


def _request_shutdown(bot: ChapterBot, sig: signal.Signals) -> None:
    log.info("received %s, shutting down after the current page", sig.name)
    bot.request_shutdown()


async def migrate(settings: Settings) -> int:
    """Apply pending migrations to the configured database."""
    from bot.storage import Database, apply_migrations, current_version

    db = await Database.open(settings.database_url, pool_size=settings.database_pool_size)
    try:
        applied = await apply_migrations(db)
        version = await current_version(db)
    finally:
        await db.close()
    print(f"database at version {version}" + (f" (applied {applied})" if applied else ""))
    return 0


async def backup(settings: Settings, target: Path, *, overwrite: bool) -> int:
    """Copy the configured database to `target` with SQLite's online backup."""
    # Backups copy a SQLite file; a server database is backed up with its own tools.
    from bot.storage import backup_database, sqlite_path_from_url

    source = sqlite_path_from_url(settings.database_url)
    await backup_database(source, target, overwrite=overwrite)
    print(f"backed up {source} to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
