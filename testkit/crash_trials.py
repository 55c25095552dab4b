"""Crash trials: `kill -9` the bot process at random moments while it posts a 30-page chapter.

Each trial seeds a story and a release that is due now into a new channel (the bot is down),
starts `chapterbot run`, kills it at a moment picked by a seeded RNG, restarts it (sometimes
kills it again), lets it finish, and then checks the channel: every page posted exactly once,
in order, with the stored message id being the posted message. Kill moments:

* `accepted`: inside the emulator, right after it created a page's message and before the
  response goes back - the gap between Discord accepting a message and the DB storing its id;
* `in-flight`: while a page's create request is held by the emulator (it completes after the
  bot died, as Discord would);
* `random`: at a random time after the first page appeared.

Trials run in a few workers, each with its own emulator and database (a SQLite file, or one
PostgreSQL database each), because a start-up takes about 2.5 s (discord.py waits for guilds)
and waiting is cheap. `bench/crash_trials.py` runs 200.

A bot that stops without being killed by the trial (something else on the machine signalled it)
is started again and counted in `outside_exits`: one more interruption, which exactly-once must
survive too. A bot that stops with a traceback and no SIGTERM in its log fails the trial; a
SIGTERM from outside during start-up can end in one, and those logs are kept apart in
`outside_tracebacks`. Waiting for the end is bounded by the time since the last page went out,
not since the start, so a loaded machine is slow, not a failure. A failure reports which pages
went out twice, never, or out of order, the channel's
POST timeline on the emulator and the tail of each bot process's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.publishing.releases import ReleaseRepository
from bot.storage import Database, open_database
from bot.stories.authoring import PreparedStory, prepare_story
from bot.stories.repository import StoryRepository
from testkit import dbcheck
from testkit.botproc import BotProcess, bot_env
from testkit.emulator import DiscordEmulator
from testkit.emulator.model import Channel

STRATEGIES = ("accepted", "in-flight", "random")
PAGES = 30
STALL_TIMEOUT_S = 60.0  # no page out and no release done for this long: the trial failed
READY_TIMEOUT_S = 60.0
MAX_OUTSIDE_EXITS = 5
LOG_TAIL_LINES = 15


@dataclass
class TrialResult:
    """How one trial went; `ok` means exactly once, in order."""

    trial: int
    strategy: str
    kills: int = 0
    posted_at_first_kill: int = 0
    pages: int = 0
    ok: bool = False
    detail: str = ""
    seconds: float = 0.0
    outside_exits: int = 0
    outside_tracebacks: list[str] = field(default_factory=list)  # logs, see `check_exit`


@dataclass
class Worker:
    """One emulator, one database file, trials run one after another."""

    emu: DiscordEmulator
    workdir: Path
    story: PreparedStory
    bot: BotProcess | None = None
    results: list[TrialResult] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)  # the current trial's bot logs, oldest first
    url: str | None = None  # a database URL instead of the worker's own SQLite file

    @property
    def database(self) -> Path | str:
        """The worker's SQLite file, or the database URL it was given."""
        return self.url or self.workdir / "bot.db"

    def env(self) -> dict[str, str]:
        """The bot process's environment."""
        return bot_env(
            token=self.emu.token,
            api_base=self.emu.api_base,
            gateway_url=self.emu.gateway_url,
            database=self.database,
        )


def thirty_page_chapter() -> PreparedStory:
    """A one-chapter story of 30 text pages, imported and paginated like an upload."""
    paragraph = " ".join(f"Sentence {i} of a long and winding paragraph." for i in range(30))
    for paragraphs in range(PAGES, PAGES * 3):  # the paginator balances pages: find the size
        body = "\n\n".join(f"{n}. {paragraph}" for n in range(paragraphs))
        raw = f"# The Long Night\n\n## Chapter 1: Waiting\n\n{body}\n".encode()
        prepared = prepare_story(raw, "long.md", "text")
        if len(prepared.pages[0]) >= PAGES:
            return prepared
    raise AssertionError("could not build a 30-page chapter")


async def seed_trial(worker: Worker, channel: Channel) -> int:
    """Store the story pointed at `channel` and a release of its chapter due now."""
    db = await Database.open(worker.database)
    try:
        stories, releases = StoryRepository(db), ReleaseRepository(db)
        story = await stories.create_story(
            worker.emu.guild.id,
            worker.emu.user("alice").id,
            worker.story.story,
            worker.story.pages,
            "text",
            channel_id=channel.id,
        )
        (chapter,) = await stories.chapters(story.id)
        await releases.create(story.id, chapter.id, int(time.time()), channel.id, "messages")
        return chapter.id
    finally:
        await db.close()


STORED_PAGES = "SELECT content, message_id FROM pages WHERE chapter_id = :c ORDER BY number"
STORED_STATUS = "SELECT status FROM releases WHERE chapter_id = :c ORDER BY id DESC"


async def stored(database: Path | str, chapter_id: int) -> tuple[list[tuple[str, int | None]], str]:
    """(pages as (content, message id), release status) read straight from the database."""
    if isinstance(database, str):  # a PostgreSQL URL
        pages = await dbcheck.rows(database, STORED_PAGES, {"c": chapter_id})
        status = await dbcheck.rows(database, STORED_STATUS, {"c": chapter_id})
        return [(c, m) for c, m in pages], (status[0][0] if status else "none")
    for attempt in range(10):  # a loaded machine can hold the file's lock past the busy timeout
        try:
            with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
                conn.execute("PRAGMA busy_timeout = 5000")
                rows = conn.execute(STORED_PAGES, {"c": chapter_id}).fetchall()
                latest = conn.execute(STORED_STATUS, {"c": chapter_id}).fetchone()
            return [(c, m) for c, m in rows], (latest[0] if latest else "none")
        except sqlite3.OperationalError:
            if attempt == 9:
                raise
            await asyncio.sleep(0.1)
    raise AssertionError("unreachable")


def posted(worker: Worker, channel: Channel) -> list[tuple[str, int]]:
    """The bot's messages in the trial channel as (content, id), oldest first."""
    bot_id = worker.emu.bot_user.id
    return [(m.content, m.id) for m in worker.emu.messages(channel) if m.author_id == bot_id]


class BotCrashed(AssertionError):
    """The bot process stopped with a traceback: a bug, never retried."""


def check_exit(bot: BotProcess, result: TrialResult) -> None:
    """Account for a process that stopped without the trial killing it.

    The trial only ever sends SIGKILL, so a logged SIGTERM came from outside: a traceback after
    it (a shutdown that began during start-up) is counted in `result.outside_tracebacks`. A
    traceback with no SIGTERM is a crash: `BotCrashed`.
    """
    if "Traceback" not in bot.log:
        return
    if "received SIGTERM" not in bot.log:
        raise BotCrashed(f"the bot crashed (exit {bot.returncode}):\n{bot.log}")
    result.outside_tracebacks.append(bot.log)


async def start_bot(worker: Worker, result: TrialResult | None = None) -> BotProcess:
    """A fresh bot process on the worker's database, ready.

    In a trial (`result` given), a process that exits before it is ready without a traceback
    was stopped from outside: it is started again (counted in `result.outside_exits`).
    Without a trial, such an exit fails at once.
    """
    while True:
        bot = BotProcess(worker.env(), worker.workdir)
        worker.bot = bot
        try:
            return await bot.start(timeout=READY_TIMEOUT_S)
        except AssertionError:
            await kill_bot(worker)
            if result is None:
                raise
            check_exit(bot, result)
            result.outside_exits += 1
            if result.outside_exits > MAX_OUTSIDE_EXITS:
                raise


async def kill_bot(worker: Worker) -> None:
    """kill -9 the running bot, if any, and keep its log."""
    if worker.bot is not None:
        bot, worker.bot = worker.bot, None
        await bot.kill()
        worker.logs.append(bot.log)


async def wait_for(condition: object, timeout: float) -> bool:
    """Poll a callable until it returns true; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.01)
    return False


async def wait_until_done(
    worker: Worker, channel: Channel, chapter_id: int, result: TrialResult
) -> bool:
    """Wait for the release to be done while pages keep going out; restart a bot stopped from
    outside. False once nothing happened for STALL_TIMEOUT_S."""
    last_progress, seen = time.monotonic(), -1
    while time.monotonic() - last_progress < STALL_TIMEOUT_S:
        if (await stored(worker.database, chapter_id))[1] == "done":
            return True
        count = len(posted(worker, channel))
        if count != seen:
            last_progress, seen = time.monotonic(), count
        if worker.bot is None or worker.bot.returncode is not None:
            if worker.bot is not None:
                bot = worker.bot
                await kill_bot(worker)  # reaps it and keeps its log
                check_exit(bot, result)
            result.outside_exits += 1
            if result.outside_exits > MAX_OUTSIDE_EXITS:
                return False
            await start_bot(worker, result)
            last_progress = time.monotonic()
        await asyncio.sleep(0.05)
    return False


async def first_kill(worker: Worker, channel: Channel, strategy: str, rng: random.Random) -> None:
    """Kill the bot once, the way `strategy` says."""
    assert worker.bot is not None and worker.bot.proc is not None
    pid = worker.bot.proc.pid
    path = f"/channels/{channel.id}/messages"
    target = rng.randint(1, PAGES - 2)
    if strategy == "accepted":
        seen = 0
        take = worker.emu.faults.take

        def killing_take(kind: str, method: str, req_path: str):  # type: ignore[no-untyped-def]
            nonlocal seen
            if kind == "lose" and method == "POST" and req_path == path:
                seen += 1
                if seen == target:  # the message exists; its id has not reached the bot
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            return take(kind, method, req_path)

        worker.emu.faults.take = killing_take  # type: ignore[method-assign]
        try:
            await wait_for(lambda: seen >= target or worker.bot.returncode is not None, 30)
        finally:
            worker.emu.faults.take = take  # type: ignore[method-assign]
    elif strategy == "in-flight":
        await wait_for(lambda: len(posted(worker, channel)) >= target, 30)
        worker.emu.faults.delay(method="POST", path=path, seconds=1.0, times=1)
        await asyncio.sleep(0.3)
    else:
        await wait_for(lambda: len(posted(worker, channel)) >= 1, 30)
        await asyncio.sleep(rng.uniform(0.0, 2.0))
    await kill_bot(worker)
    worker.emu.faults.clear()


def mismatch(sent: list[tuple[str, int]], pages: list[tuple[str, int | None]]) -> str:
    """What is wrong with the channel, page by page (numbered from 1; 0 is not a page)."""
    number = {content: n for n, (content, _) in enumerate(pages, start=1)}
    order = [number.get(content, 0) for content, _ in sent]
    twice = sorted({n for n in order if n and order.count(n) > 1})
    never = [n for n in range(1, len(pages) + 1) if n not in order]
    firsts = [n for i, n in enumerate(order) if n and n not in order[:i]]
    wrong_ids = [n for n, page in enumerate(pages, start=1) if page not in sent]
    return (
        f"posted twice: {twice}; never posted: {never}; in order: {firsts == sorted(firsts)}; "
        f"stored id missing or not the posted message: {wrong_ids}; posted sequence: {order}"
    )


def timeline(worker: Worker, channel: Channel) -> str:
    """The channel's message creates as the emulator saw them: time, status, nonce."""
    path = f"/channels/{channel.id}/messages"
    rows = []
    for r in worker.emu.requests:
        if r.method == "POST" and r.path.endswith(path):
            nonce = r.body.get("nonce") if isinstance(r.body, dict) else None
            rows.append(f"{r.time:.2f}s {r.status} {nonce}")
    return "; ".join(rows)


def log_tails(worker: Worker) -> str:
    """The end of each bot process's log in this trial."""
    return "\n".join(
        f"--- bot process {i}:\n" + "".join(log.splitlines(keepends=True)[-LOG_TAIL_LINES:])
        for i, log in enumerate(worker.logs, start=1)
    )


async def run_trial(worker: Worker, trial: int, seed: int) -> TrialResult:
    """One trial in its own channel; never raises (failures are in the result)."""
    rng = random.Random(seed * 100_003 + trial)
    strategy = STRATEGIES[trial % len(STRATEGIES)]
    result = TrialResult(trial, strategy)
    began = time.monotonic()
    channel = worker.emu.create_channel(f"trial-{trial}")
    worker.logs = []
    try:
        chapter_id = await seed_trial(worker, channel)
        await start_bot(worker, result)
        await first_kill(worker, channel, strategy, rng)
        result.kills, result.posted_at_first_kill = 1, len(posted(worker, channel))
        while rng.random() < 0.4 and result.kills < 3:  # sometimes again, at a random time
            await start_bot(worker, result)
            await asyncio.sleep(rng.uniform(0.0, 1.5))
            await kill_bot(worker)
            result.kills += 1
        await start_bot(worker, result)
        finished = await wait_until_done(worker, channel, chapter_id, result)
        await kill_bot(worker)
        pages, status = await stored(worker.database, chapter_id)
        sent = posted(worker, channel)
        result.pages = len(pages)
        result.ok = finished and status == "done" and sent == pages
        if not result.ok:
            result.detail = (
                f"status={status} finished={finished} outside_exits={result.outside_exits}; "
                f"{len(sent)} message(s) for {len(pages)} page(s); {mismatch(sent, pages)}"
            )
    except Exception as exc:  # a trial reports, the caller decides
        result.detail = f"{type(exc).__name__}: {exc}"
        await kill_bot(worker)
    if not result.ok:
        result.detail += f"\ntimeline: {timeline(worker, channel)}\n{log_tails(worker)}"
    result.seconds = time.monotonic() - began
    return result


async def run_worker(worker: Worker, trials: list[int], seed: int) -> list[TrialResult]:
    """Run trials one after another on one worker."""
    for trial in trials:
        worker.results.append(await run_trial(worker, trial, seed))
    return worker.results


async def new_worker(
    folder: Path, story: PreparedStory, time_scale: float = 20.0, url: str | None = None
) -> Worker:
    """A worker with a started emulator and a migrated database: a file in `folder`, or the
    (empty) database `url` names."""
    emu = DiscordEmulator(time_scale=time_scale, heartbeat_interval_ms=1000)
    await emu.start()
    folder.mkdir(parents=True, exist_ok=True)
    await (await open_database(url or folder / "bot.db")).close()  # migrate once, up front
    return Worker(emu, folder, story, url=url)


async def run_trials(
    count: int,
    *,
    seed: int,
    workdir: Path,
    workers: int = 4,
    time_scale: float = 20.0,
    urls: list[str] | None = None,
) -> tuple[list[TrialResult], list[str]]:
    """Run `count` trials; returns the results and any Discord API violations the bot caused.

    Each worker has its own SQLite file, or with `urls` its own database of that list."""
    story = thirty_page_chapter()
    crew: list[Worker] = []
    for index in range(min(workers, count)):
        url = urls[index] if urls else None
        crew.append(await new_worker(workdir / f"worker-{index}", story, time_scale, url))
    try:
        plans = [list(range(i, count, len(crew))) for i in range(len(crew))]
        done = await asyncio.gather(
            *(run_worker(w, p, seed) for w, p in zip(crew, plans, strict=True))
        )
    finally:
        for worker in crew:
            await kill_bot(worker)
            await worker.emu.stop()
    violations = [str(v) for w in crew for v in w.emu.unexpected_violations()]
    return sorted((r for rs in done for r in rs), key=lambda r: r.trial), violations
