"""The background crossposter on the run's database, with a fake port: deadlines, order, logs."""

from __future__ import annotations

import asyncio

from bot.publishing.crosspost import RATE_LIMITED, Crossposter
from bot.publishing.port import PostingError
from bot.publishing.releases import ReleaseRepository
from bot.storage import Database
from bot.stories.model import Chapter, Story, plain_paragraph
from bot.stories.repository import StoryRepository

CHANNEL = 700


class CrosspostPort:
    """Crossposts that answer at once, hang (rate-limited) or fail, as told."""

    def __init__(self, *, hang: bool = False, fail: bool = False, went_out: bool = False) -> None:
        self.hang, self.fail, self.went_out = hang, fail, went_out
        self.calls: list[int] = []
        self.cancelled = 0

    async def crosspost(self, channel_id: int, message_id: int) -> None:
        self.calls.append(message_id)
        if self.fail:
            raise PostingError("Discord refused to crosspost.", permanent=True)
        if self.hang:
            try:
                await asyncio.Event().wait()  # like discord.py sleeping out an hour's window
            except asyncio.CancelledError:
                self.cancelled += 1
                raise

    async def is_crossposted(self, channel_id: int, message_id: int) -> bool:
        return self.went_out


async def two_releases(db: Database) -> list[int]:
    """Two releases of a two-chapter story in CHANNEL."""
    story = Story(
        title="T",
        chapters=[Chapter(number=n, title=f"C{n}", blocks=[plain_paragraph("x")]) for n in (1, 2)],
    )
    stories = StoryRepository(db)
    record = await stories.create_story(1, 2, story, [["a"], ["b"]], channel_id=CHANNEL)
    releases = ReleaseRepository(db)
    return [
        (await releases.create(record.id, c.id, 0, CHANNEL, "messages")).id
        for c in await stories.chapters(record.id)
    ]


async def outcomes(db: Database, release_id: int) -> list[tuple[str, str | None]]:
    """The (outcome, detail) crosspost events of a release, oldest first."""
    events = await ReleaseRepository(db).events(release_id)
    return [(e.outcome, e.detail) for e in events if e.outcome.startswith("crosspost")]


async def test_a_crosspost_is_logged(db: Database) -> None:
    (first, _) = await two_releases(db)
    crossposter = Crossposter(ReleaseRepository(db), CrosspostPort(), wait_s=1.0)  # type: ignore[arg-type]
    crossposter.start(first, CHANNEL, 11)
    await crossposter.idle()
    assert await outcomes(db, first) == [("crossposted", "message 11")]


async def test_a_rate_limited_crosspost_is_abandoned_and_the_next_waits_its_turn(
    db: Database,
) -> None:
    first, second = await two_releases(db)
    port = CrosspostPort(hang=True)
    crossposter = Crossposter(ReleaseRepository(db), port, wait_s=0.05)  # type: ignore[arg-type]
    crossposter.start(first, CHANNEL, 11)
    crossposter.start(second, CHANNEL, 12)  # returns at once: nothing waits for Discord here
    await crossposter.idle()
    assert await outcomes(db, first) == [("crosspost skipped", RATE_LIMITED)]
    assert await outcomes(db, second) == [("crosspost skipped", RATE_LIMITED)]
    assert port.calls == [11, 12]  # one after the other, never side by side
    await asyncio.sleep(0)
    assert port.cancelled == 2  # abandoned attempts are cancelled, not left to sleep


async def test_a_crosspost_that_went_out_before_the_limit_bit_counts_as_done(
    db: Database,
) -> None:
    (first, _) = await two_releases(db)
    port = CrosspostPort(hang=True, went_out=True)
    crossposter = Crossposter(ReleaseRepository(db), port, wait_s=0.05)  # type: ignore[arg-type]
    crossposter.start(first, CHANNEL, 11)
    await crossposter.idle()
    ((outcome, detail),) = await outcomes(db, first)
    assert outcome == "crossposted" and "limit is used up" in (detail or "")


async def test_a_refused_crosspost_is_skipped_with_the_reason(db: Database) -> None:
    (first, _) = await two_releases(db)
    port = CrosspostPort(fail=True)
    crossposter = Crossposter(ReleaseRepository(db), port, wait_s=1.0)  # type: ignore[arg-type]
    crossposter.start(first, CHANNEL, 11)
    await crossposter.idle()
    assert await outcomes(db, first) == [("crosspost skipped", "Discord refused to crosspost.")]


async def test_stop_cancels_waiting_crossposts_and_logs_it(db: Database) -> None:
    (first, _) = await two_releases(db)
    crossposter = Crossposter(ReleaseRepository(db), CrosspostPort(hang=True), wait_s=60.0)  # type: ignore[arg-type]
    crossposter.start(first, CHANNEL, 11)
    await asyncio.sleep(0.01)
    await crossposter.stop()
    assert await outcomes(db, first) == [("crosspost skipped", "I was shutting down")]
