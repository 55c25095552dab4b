"""The runner's events: written to the outbox with the release's state, told to the bus after."""

from __future__ import annotations

import json

from bot.events import ChapterReleased, Event, EventBus, ReleaseFailed
from bot.outbox import Outbox
from bot.publishing.port import PageSend, PostingError
from bot.publishing.releases import ReleaseRepository
from bot.publishing.runner import ReleaseRunner
from bot.storage import Database
from bot.stories.repository import StoryRepository
from tests.publishing.test_runner import CHANNEL, FakePort, stored


async def ignore(event: Event) -> None:
    """A durable subscriber that does nothing (the rows are what is checked)."""


class RefusingPort(FakePort):
    """Discord refuses every message."""

    async def send(self, channel_id: int, message: PageSend) -> int:
        raise PostingError("Missing Permissions", permanent=True)


async def test_a_done_release_records_chapter_released_with_every_page(db: Database) -> None:
    story, port = await stored(db), FakePort()
    stories, releases = StoryRepository(db), ReleaseRepository(db)
    (chapter,) = await stories.chapters(story.id)
    release = await releases.create(story.id, chapter.id, 0, CHANNEL, "messages")
    outbox, bus, heard = Outbox(db), EventBus(), []
    outbox.subscribe(ChapterReleased, "test.released", ignore)

    async def listen(event: ChapterReleased) -> None:
        # In-process listeners hear it after the commit: the chapter is already readable.
        chapter_now = await stories.chapter_by_id(chapter.id)
        heard.append((event, chapter_now is not None and chapter_now.released))

    bus.subscribe(ChapterReleased, listen)
    runner = ReleaseRunner(stories, releases, port, outbox=outbox, bus=bus)
    assert (await runner.run(release.id)).status == "done"
    await outbox.stop()  # no background drain: look at the row as written

    row = await db.fetch_one("SELECT event_key, kind, payload, subscriber FROM outbox")
    assert row is not None
    assert (row["event_key"], row["kind"], row["subscriber"]) == (
        f"chapter_released:release:{release.id}",
        "chapter_released",
        "test.released",
    )
    payload = json.loads(row["payload"])
    pages = await stories.pages(chapter.id)
    assert payload["chapters"] == [1] and payload["story_id"] == story.id
    assert [m["message_id"] for m in payload["messages"]] == [p.message_id for p in pages]
    [(event, readable)] = heard
    assert readable and event.guild_id == story.guild_id
    assert event.last_messages()[0].message_id == pages[-1].message_id


async def test_a_failed_attempt_records_release_failed(db: Database) -> None:
    story = await stored(db)
    stories, releases = StoryRepository(db), ReleaseRepository(db)
    (chapter,) = await stories.chapters(story.id)
    release = await releases.create(story.id, chapter.id, 0, CHANNEL, "messages")
    outbox = Outbox(db)
    outbox.subscribe(ReleaseFailed, "test.failed", ignore)
    outbox.subscribe(ChapterReleased, "test.released", ignore)
    runner = ReleaseRunner(stories, releases, RefusingPort(), outbox=outbox)
    assert (await runner.run(release.id)).status == "failed"
    await outbox.stop()
    rows = await db.fetch_all("SELECT kind, payload FROM outbox")
    assert [r["kind"] for r in rows] == ["release_failed"]
    payload = json.loads(rows[0]["payload"])
    assert payload["attempt"] == 1 and "Missing Permissions" in payload["error"]
