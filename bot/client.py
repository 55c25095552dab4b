"""`ChapterBot`: the discord.py client, its start-up (`setup_hook`) and its shutdown."""

from __future__ import annotations

import asyncio
import logging
import pkgutil
import sys
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import discord
import yarl
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

import cogs
from bot.app_errors import on_app_command_error
from bot.config import Settings
from bot.feedback.note_key import (
    NOTE_KEY_MIGRATION,
    carry_key_out,
    key_file_for,
    resolve_note_key,
)
from bot.heap import freeze_startup_heap
from bot.i18n import Catalogs, Speaker
from bot.lifecycle.heartbeat import BEAT_S, Heartbeat
from bot.services import Services
from bot.settings.language import ServerLanguages
from bot.storage import Database, open_database
from bot.storage.budget import LocalRateBudget, SharedRateBudget
from bot.storage.redis_budget import RedisRateBudget, bucket_key
from bot.storage.repository import unix_now
from bot.storage.urls import mask_password
from cogs.deadline import answer_in_time
from cogs.decorations import (
    ChapterDecorations,
    ChapterOpeners,
    SettingsExtensions,
    StatsExtensions,
)
from cogs.i18n import CommandTranslator, guild_speaker
from cogs.publishing.discord_port import DiscordPort

# The module of a cog package discord.py loads as its extension, in order of preference.
ENTRY_MODULES = ("commands", "listeners")
log = logging.getLogger(__name__)


def minimal_intents() -> discord.Intents:
    """Only what the bot uses: guilds, message deletions, reactions. No privileged intents."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    intents.dm_reactions = True
    # MESSAGE_DELETE(_BULK) of posted pages; without the (privileged) content intent.
    intents.guild_messages = True
    return intents


def point_discord_at(settings: Settings) -> None:
    """Aim discord.py at the configured REST base and gateway (Discord, a proxy or the emulator).

    discord.py offers no per-client setting for these, only class attributes.
    """
    discord.http.Route.BASE = settings.discord_api_base
    # chapterbot never joins voice; don't warn about voice libraries at every start.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def startup_line(settings: Settings) -> str:
    """The one start-up line naming the database (password masked) and the shards served."""
    shown = mask_password(settings.database_url)
    if shown.startswith("sqlite:///"):
        shown = shown.removeprefix("sqlite:///")  # a SQLite database is shown as its path
    return f"database {shown}, shards: {settings.shards.describe()}"


# Interaction callbacks and followups are outside Discord's global limit.
_EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")


def share_rate_budget(client: discord.Client, budget: SharedRateBudget | RedisRateBudget) -> None:
    """Take a token from `budget` before each REST request of `client`, except interaction
    responses. discord.py has no hook for this; wrapping the HTTP client's request is the seam."""
    request = client.http.request

    async def budgeted(route: discord.http.Route, **kwargs: Any) -> Any:
        if not route.path.startswith(_EXEMPT_PREFIXES):
            await budget.take()
        return await request(route, **kwargs)

    client.http.request = budgeted  # type: ignore[method-assign]


def build_bot(
    settings: Settings, *, clock: Callable[[], int] = unix_now, **client_options: Any
) -> ChapterBot:
    """The bot for these settings: a `ShardedChapterBot` identifying only SHARD_IDS when
    SHARD_COUNT is set, else the plain unsharded `ChapterBot`."""
    shards = settings.shards
    if shards.count is None:
        return ChapterBot(settings, clock=clock, **client_options)
    return ShardedChapterBot(
        settings,
        clock=clock,
        shard_count=shards.count,
        shard_ids=list(shards.ids),
        **client_options,
    )


def cog_extensions() -> list[str]:
    """Each feature package's entry module in `cogs` (one extension per feature): `commands`,
    or `listeners` for a feature that only reacts to gateway events."""
    found = []
    for package in pkgutil.iter_modules(cogs.__path__):
        if not package.ispkg:
            continue
        path = [str(Path(cogs.__path__[0]) / package.name)]
        modules = {m.name for m in pkgutil.iter_modules(path)}
        entry = next((name for name in ENTRY_MODULES if name in modules), None)
        if entry is not None:
            found.append(f"cogs.{package.name}.{entry}")
    return sorted(found)


class ChapterBot(commands.Bot):
    """The bot: owns the database, the scheduler and the cogs."""

    def __init__(
        self, settings: Settings, *, clock: Callable[[], int] = unix_now, **client_options: Any
    ) -> None:
        """`client_options` go to discord.py's Client (tests shorten its gateway timeouts);
        `clock` is the wall clock of the use cases (tests move it to reach far-off runs)."""
        # Before Client.__init__, which is where discord.py logs its voice-support WARNING.
        point_discord_at(settings)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=minimal_intents(),
            help_command=None,
            # Nothing the bot sends pings anyone unless a message opts in explicitly.
            allowed_mentions=discord.AllowedMentions.none(),
            **client_options,
        )
        self.settings = settings
        self.clock = clock
        self.db: Database | None = None
        self._services: Services | None = None
        # What features put under a chapter's last page; their cogs register here at load.
        self.decorations = ChapterDecorations()
        self.settings_extensions = SettingsExtensions()  # other features' /settings commands
        self.chapter_opener = ChapterOpeners()  # the reader, for buttons of other features
        self.stats_extensions = StatsExtensions()  # other features' lines in /stats
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.tree.on_error = on_app_command_error
        self._shutdown: asyncio.Future[None] | None = None
        self._redis_budget: RedisRateBudget | None = None  # closed at shutdown
        self._heap_frozen = False
        self._set_up = False
        self._shutdown_requested = False
        self._outbox_start: asyncio.Task[None] | None = None

    @property
    def database(self) -> Database:
        """The open database; only valid after `setup_hook`."""
        if self.db is None:
            raise RuntimeError("the database is opened in setup_hook")
        return self.db

    @property
    def services(self) -> Services:
        """The use cases every cog shares; only valid after `setup_hook` opened the database."""
        if self._services is None:
            raise RuntimeError("the services are built in setup_hook")
        return self._services

    async def setup_hook(self) -> None:
        """Open the DB, build the services, load cogs, start the scheduler, sync the commands."""
        key_file = key_file_for(self.settings.database_url, self.settings.note_key_file)
        self.db = await open_database(
            self.settings.database_url,
            pool_size=self.settings.database_pool_size,
            timeout=self.settings.database_timeout,
            before={NOTE_KEY_MIGRATION: carry_key_out(self.settings.note_key, key_file)},
        )
        note_key = resolve_note_key(self.settings.note_key, key_file)
        log.info("%s", startup_line(self.settings))
        if self.settings.shards.partial:
            # Other processes of this bot share Discord's global limit: one bucket for all.
            share_rate_budget(self, self._rate_budget())
        else:
            # The only process: releases of many servers post at once, so pace them here too.
            share_rate_budget(self, LocalRateBudget(per_second=self.settings.discord_global_rate))
        # Compiled once from the .po files; the tree's translator localizes what is synced.
        self.catalogs = Catalogs()
        self.server_languages = ServerLanguages(self.db)
        self._services = Services.build(
            self.db,
            DiscordPort(self, self.decorations),
            self.scheduler,
            wait_ready=self.wait_until_ready,
            outbox_lease_s=self.settings.outbox_lease_seconds,
            clock=self.clock,
            retention_days=self.settings.data_retention_days,
            shards=self.settings.shards,
            release_lease_s=self.settings.release_lease_seconds,
            voice=self.server_voice,
            note_key=note_key,
        )
        await self.tree.set_translator(CommandTranslator(self.catalogs))
        for extension in cog_extensions():
            await self.load_extension(extension)
        self.scheduler.add_job(
            self._beat, "interval", seconds=BEAT_S, id="heartbeat", replace_existing=True
        )
        # Started here, not in on_ready: on_ready fires again after every reconnect.
        self.scheduler.start()
        # Subscribers registered as their cogs loaded; deliver what an earlier run left undone.
        self._outbox_start = asyncio.create_task(self._start_outbox(), name="outbox-start")
        await self.sync_commands()
        self._set_up = True
        if self._shutdown_requested:
            self.request_shutdown()

    async def server_voice(self, guild_id: int) -> Speaker:
        """The language of a server's public posts: `/settings language`, else its locale."""
        override = await self.server_languages.get(guild_id)
        return guild_speaker(self.catalogs, self.get_guild(guild_id), override)

    async def _start_outbox(self) -> None:
        """Once Discord is reachable, drain the outbox now and every few seconds."""
        await self.wait_until_ready()
        if self._shutdown is None and self._services is not None:
            self._services.outbox.start()

    def request_shutdown(self) -> None:
        """Close soon (a signal handler's entry point), but never in the middle of start-up.

        Closing the HTTP session while setup_hook still syncs commands or opens the database
        would end in tracebacks; a request during start-up waits until start-up is done.
        """
        if not self._set_up and not self._shutdown_requested:
            self._shutdown_requested = True  # a second signal during start-up closes at once
            return
        asyncio.get_running_loop().create_task(self.close())

    async def sync_commands(self) -> list[discord.app_commands.AppCommand]:
        """Sync slash commands to `DEV_GUILD_ID` when set (instant), else globally."""
        if self.settings.dev_guild_id:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("synced %d application commands", len(synced))
        return synced

    async def on_ready(self) -> None:
        """Log who we are and beat at once; start-up work belongs in setup_hook."""
        log.info("ready as %s in %d guild(s)", self.user, len(self.guilds))
        if not self._heap_frozen:
            # Once, when the guild cache is full: later reconnects must not freeze new garbage.
            self._heap_frozen = True
            log.debug("froze %d start-up objects", freeze_startup_heap())
        await self._beat()

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """A gateway event's handler failed: while the database does not answer, one warning
        line (the event is not recorded: a reaction, a server joining); else discord.py's
        traceback."""
        error = sys.exc_info()[1]
        if self.db is not None and error is not None and self.db.is_unavailable(error):
            log.warning("%s not handled: the database is not answering (%r)", event_method, error)
            return
        await super().on_error(event_method, *args, **kwargs)

    async def _beat(self) -> None:
        """Write the heartbeat `chapterbot health` reads, while connected to Discord."""
        if self.db is None or not self.is_ready() or self.is_closed():
            return
        try:
            await Heartbeat(self.db).beat()
        except Exception:
            log.warning("could not write the heartbeat", exc_info=True)

    def _rate_budget(self) -> SharedRateBudget | RedisRateBudget:
        """The shared bucket: in Redis when REDIS_URL is set, else a row of the database."""
        rate = self.settings.discord_global_rate
        if self.settings.redis_url is None:
            assert self.db is not None
            return SharedRateBudget(self.db, per_second=rate)
        key = bucket_key(self.settings.discord_token)
        self._redis_budget = RedisRateBudget.from_url(
            self.settings.redis_url, key=key, per_second=rate
        )
        return self._redis_budget

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """discord.py's dispatch; every interaction is first armed to be acknowledged in time
        however slow its handler (`cogs.deadline`), and component clicks alone are also
        dispatched as `component_interaction`.

        discord.py starts one task per listener per event: an `on_interaction` listener that
        only cares about button clicks would cost a task on every slash command and
        autocomplete keystroke. Such listeners listen to `on_component_interaction` instead.
        """
        if event_name == "interaction":
            answer_in_time(args[0])  # the handler's task exists but has not started yet
        super().dispatch(event_name, *args, **kwargs)
        if event_name == "interaction" and args[0].type is discord.InteractionType.component:
            super().dispatch("component_interaction", *args, **kwargs)

    async def close(self) -> None:
        """Shut down once, in order; later calls wait for the same shutdown to finish."""
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._shut_down())
        await asyncio.shield(self._shutdown)

    async def _shut_down(self) -> None:
        """Stop the scheduler, let cogs finish their current page, disconnect, close the DB."""
        # Pause first so no new job starts, drain so running jobs stop at a page boundary, and
        # only then shut down: APScheduler cancels coroutine jobs still running at shutdown.
        if self.scheduler.running:
            self.scheduler.pause()
        for cog in list(self.cogs.values()):
            drain = getattr(cog, "drain", None)
            if drain is not None:
                await drain()
        if self._services is not None:
            await self._services.reading.close()  # buffered reads, before the database closes
        if self._outbox_start is not None:
            self._outbox_start.cancel()
        if self._services is not None:
            await self._services.outbox.stop()  # the delivery under way ends; the rest wait
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await super().close()
        if self._redis_budget is not None:
            await self._redis_budget.close()
            self._redis_budget = None
        if self.db is not None:
            await self.db.close()
            self.db = None


class ShardedChapterBot(ChapterBot, commands.AutoShardedBot):
    """The same bot over discord.py's `AutoShardedBot`: one gateway connection per shard in
    SHARD_IDS (all of 0..SHARD_COUNT-1 by default), one process for all of them."""
