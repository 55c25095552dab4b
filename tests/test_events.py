"""The typed events and the in-process bus: order, isolation of failures, JSON round trips."""

from __future__ import annotations

import json

import pytest

from bot.events import (
    EVENT_TYPES,
    ChapterReleased,
    EarlyAccessOpened,
    EventBus,
    PostedMessage,
    ReaderProgressed,
    ReleaseFailed,
    StoryDeleted,
    from_payload,
    to_payload,
)

RELEASED = ChapterReleased(
    release_id=7,
    story_id=3,
    guild_id=10,
    chapters=(2,),
    chapter_ids=(21,),
    messages=(PostedMessage(2, 1, 500, 9001), PostedMessage(2, 2, 500, 9002)),
    released_at=1_700_000_000,
)


async def test_handlers_run_in_order_and_only_for_their_type() -> None:
    bus, seen = EventBus(), []

    async def first(event: ChapterReleased) -> None:
        seen.append(("first", event.release_id))

    async def second(event: ChapterReleased) -> None:
        seen.append(("second", event.release_id))

    async def deleted(event: StoryDeleted) -> None:
        seen.append(("deleted", event.story_id))

    bus.subscribe(ChapterReleased, first)
    bus.subscribe(ChapterReleased, second)
    bus.subscribe(StoryDeleted, deleted)
    assert await bus.publish(RELEASED) == 2
    assert seen == [("first", 7), ("second", 7)]
    bus.unsubscribe(ChapterReleased, first)
    bus.unsubscribe(ChapterReleased, first)  # a second time is a no-op
    assert await bus.publish(StoryDeleted(3, 10)) == 1
    assert await bus.publish(RELEASED) == 1
    assert seen[-2:] == [("deleted", 3), ("second", 7)]


async def test_a_failing_handler_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus, seen = EventBus(), []

    async def broken(event: ChapterReleased) -> None:
        raise RuntimeError("boom")

    async def fine(event: ChapterReleased) -> None:
        seen.append(event.key)

    bus.subscribe(ChapterReleased, broken)
    bus.subscribe(ChapterReleased, fine)
    assert await bus.publish(RELEASED) == 1
    assert seen == ["release:7"]
    assert "chapter_released handler failed" in caplog.text


@pytest.mark.parametrize(
    "event",
    [
        RELEASED,
        ReleaseFailed(7, 3, 10, 2, 1, "Missing Permissions"),
        StoryDeleted(3, 10),
        ReaderProgressed(10, 44, 3, 2, 1, 1_700_000_000),
    ],
)
def test_every_event_survives_a_json_round_trip(event: object) -> None:
    payload = json.loads(json.dumps(to_payload(event)))  # type: ignore[arg-type]
    assert from_payload(event.kind, payload) == event  # type: ignore[attr-defined]


def test_kinds_and_keys() -> None:
    assert set(EVENT_TYPES) == {
        "chapter_released",
        "release_failed",
        "story_deleted",
        "reader_progressed",
        "guild_removed",
        "guild_returned",
        "story_channel_lost",
        "schedule_paused",
        "early_access_opened",
    }
    opened = EarlyAccessOpened(3, 10, 55, 1_000, (4, 5))
    assert opened.key == "story:3:early:1000"  # once per run
    assert from_payload(opened.kind, to_payload(opened)) == opened
    assert ReleaseFailed(7, 3, 10, 2, 1, "x").key != ReleaseFailed(7, 3, 10, 2, 2, "x").key
    many = ChapterReleased(
        1,
        3,
        10,
        (1, 2),
        (11, 12),
        (
            PostedMessage(1, 1, 5, 100),
            PostedMessage(1, 2, 5, 101),
            PostedMessage(2, 1, 5, 102),
        ),
        0,
    )
    assert [m.message_id for m in many.last_messages()] == [101, 102]
