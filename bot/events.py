"""What happened, as typed events, and the in-process bus that tells the features that care.

A feature that does something others may react to publishes an event; the features that react
subscribe. Nobody imports anybody sideways: publishing does not know that feedback adds
reactions under a released chapter, it only says the chapter was released.

Two ways to hear an event:

* `EventBus.subscribe`: in-process and at most once. A handler runs right after the state
  change committed; a crash before it runs loses it. Good for caches and log lines.
* `bot.outbox.Outbox.subscribe`: durable. The event is written to the `outbox` table in the
  same transaction as the state change and delivered (again after a crash) until the handler
  succeeds. Good for effects users see (reactions under a chapter, follower notifications).

Events are frozen dataclasses of plain values so they serialise to JSON for the outbox
(`to_payload` / `from_payload`); each has a `kind` (its topic) and a `key` that is unique per
occurrence (the outbox's idempotency key).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base of every event: `kind` names the topic, `key` one occurrence of it."""

    kind: ClassVar[str] = "event"

    @property
    def key(self) -> str:
        """What makes this occurrence unique (the same event published twice has one key)."""
        raise NotImplementedError


@dataclass(frozen=True)
class PostedMessage:
    """A message a release posted: which chapter and page it holds, and where it is."""

    chapter_number: int
    page_number: int
    channel_id: int  # the channel, thread or forum post the message is in
    message_id: int


@dataclass(frozen=True)
class ChapterReleased(Event):
    """A release finished: its chapters are readable and every page is posted.

    `messages` lists every page's message in order; `last_messages()` gives the one under which
    buttons and reactions go.
    """

    kind: ClassVar[str] = "chapter_released"

    release_id: int
    story_id: int
    guild_id: int
    chapters: tuple[int, ...]  # chapter numbers
    chapter_ids: tuple[int, ...]
    messages: tuple[PostedMessage, ...]
    released_at: int

    @property
    def key(self) -> str:
        """A release is done at most once."""
        return f"release:{self.release_id}"

    def last_messages(self) -> tuple[PostedMessage, ...]:
        """The last page's message of each chapter, in chapter order."""
        last: dict[int, PostedMessage] = {}
        for message in self.messages:
            held = last.get(message.chapter_number)
            if held is None or message.page_number > held.page_number:
                last[message.chapter_number] = message
        return tuple(last[number] for number in sorted(last))


@dataclass(frozen=True)
class ReleaseFailed(Event):
    """An attempt at a release failed (it may be retried); `error` is what the history says."""

    kind: ClassVar[str] = "release_failed"

    release_id: int
    story_id: int
    guild_id: int
    chapter_number: int
    attempt: int
    error: str

    @property
    def key(self) -> str:
        """Each attempt fails at most once."""
        return f"release:{self.release_id}:attempt:{self.attempt}"


@dataclass(frozen=True)
class StoryDeleted(Event):
    """A story and everything hanging off it were deleted."""

    kind: ClassVar[str] = "story_deleted"

    story_id: int
    guild_id: int

    @property
    def key(self) -> str:
        """A story is deleted once."""
        return f"story:{self.story_id}"


@dataclass(frozen=True)
class ReaderProgressed(Event):
    """A reader read a page (their progress moved)."""

    kind: ClassVar[str] = "reader_progressed"

    guild_id: int
    user_id: int
    story_id: int
    chapter_number: int
    page_number: int
    at: int

    @property
    def key(self) -> str:
        """One read of one page at one moment."""
        return (
            f"read:{self.user_id}:{self.story_id}:{self.chapter_number}:"
            f"{self.page_number}:{self.at}"
        )


@dataclass(frozen=True)
class GuildRemoved(Event):
    """The bot was removed from a server (not an outage): its schedules stop, its data waits."""

    kind: ClassVar[str] = "guild_removed"

    guild_id: int
    removed_at: int

    @property
    def key(self) -> str:
        """One removal of one server."""
        return f"guild:{self.guild_id}:removed:{self.removed_at}"


@dataclass(frozen=True)
class GuildReturned(Event):
    """The bot was added back to a server before its data was purged: everything resumes."""

    kind: ClassVar[str] = "guild_returned"

    guild_id: int
    returned_at: int

    @property
    def key(self) -> str:
        """One return of one server."""
        return f"guild:{self.guild_id}:returned:{self.returned_at}"


@dataclass(frozen=True)
class StoryChannelLost(Event):
    """A story's channel (or the thread it was posting into) was deleted: its schedules paused.

    Durable subscribers tell the owner once; `title` is carried so the message can name it.
    """

    kind: ClassVar[str] = "story_channel_lost"

    story_id: int
    guild_id: int
    owner_id: int
    channel_id: int
    title: str

    @property
    def key(self) -> str:
        """One story losing one channel."""
        return f"story:{self.story_id}:lost:{self.channel_id}"


@dataclass(frozen=True)
class SchedulePaused(Event):
    """A scheduled release failed (e.g. the bot lost a permission): the story's schedules paused
    so the failure happens once, not at every run. Durable subscribers tell the owner.
    """

    kind: ClassVar[str] = "schedule_paused"

    story_id: int
    guild_id: int
    owner_id: int
    title: str
    release_id: int
    chapter_number: int
    error: str

    @property
    def key(self) -> str:
        """One pause per failed release."""
        return f"story:{self.story_id}:paused:{self.release_id}"


@dataclass(frozen=True)
class EarlyAccessOpened(Event):
    """A scheduled run's chapters opened to a story's early-access role (`run_at` minus the
    story's hours). Durable subscribers tell the followers holding the role."""

    kind: ClassVar[str] = "early_access_opened"

    story_id: int
    guild_id: int
    role_id: int
    run_at: int  # the run's scheduled public release
    chapter_numbers: tuple[int, ...]

    @property
    def key(self) -> str:
        """Early access opens once per run."""
        return f"story:{self.story_id}:early:{self.run_at}"


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        ChapterReleased,
        ReleaseFailed,
        StoryDeleted,
        ReaderProgressed,
        GuildRemoved,
        GuildReturned,
        StoryChannelLost,
        SchedulePaused,
        EarlyAccessOpened,
    )
}

E = TypeVar("E", bound=Event)
Handler = Callable[[E], Awaitable[None]]


def to_payload(event: Event) -> dict[str, Any]:
    """An event as JSON-ready data (tuples become lists)."""
    return asdict(event)


def from_payload(kind: str, payload: dict[str, Any]) -> Event:
    """The event a `to_payload` result describes; `KeyError` for an unknown kind."""
    cls = EVENT_TYPES[kind]
    values: dict[str, Any] = {}
    for field in fields(cls):
        value = payload[field.name]
        if field.name == "messages":
            value = tuple(PostedMessage(**item) for item in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[field.name] = value
    return cls(**values)


class EventBus:
    """In-process publish/subscribe by event type; handlers run in subscription order.

    A failing handler is logged and does not stop the others or the publisher: the state change
    already happened, and what reacts to it must not undo or fail it.
    """

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Callable[[Any], Awaitable[None]]]] = {}

    def subscribe(self, event_type: type[E], handler: Handler[E]) -> None:
        """Call `handler(event)` for every published event of `event_type`."""
        self._handlers.setdefault(event_type, []).append(handler)

    def unsubscribe(self, event_type: type[E], handler: Handler[E]) -> None:
        """Stop calling `handler` (a no-op if it was not subscribed)."""
        handlers = self._handlers.get(event_type, [])
        if handler in handlers:
            handlers.remove(handler)

    def has_subscribers(self, event_type: type[Event]) -> bool:
        """Whether anything listens to `event_type` (lets hot paths skip building events)."""
        return bool(self._handlers.get(event_type))

    async def publish(self, event: Event) -> int:
        """Run every handler of the event's type; returns how many succeeded."""
        succeeded = 0
        for handler in list(self._handlers.get(type(event), [])):
            try:
                await handler(event)
            except Exception:
                log.exception("a %s handler failed", event.kind)
                continue
            succeeded += 1
        return succeeded
