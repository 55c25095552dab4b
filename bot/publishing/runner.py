"""Posting one release page by page, exactly once, resumably, through a `PublishPort`.

Exactly once rests on three things: every message carries a deterministic nonce (Discord drops a
repeat within its nonce window); each page's message id is stored as soon as Discord answers; and
when an earlier attempt may have left messages behind (a crash, a lost response, an error), the
target's recent history and its threads are searched for what already went out before anything
is sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from bot.errors import Translates
from bot.events import ChapterReleased, Event, EventBus, PostedMessage, ReleaseFailed
from bot.i18n import SOURCE
from bot.outbox import Outbox
from bot.publishing.crosspost import Crossposter
from bot.publishing.notes import (
    FORUM_POST_UNKNOWN,
    PAGES_FOUND,
    PAGES_POSTED,
    STORY_GONE,
    UNEXPECTED,
    note,
)
from bot.publishing.outcome import DATABASE_UNAVAILABLE, RunResult
from bot.publishing.planner import header_text, pick_tag, target_refusal, thread_name
from bot.publishing.port import ForumPost, PageSend, PostingError, PublishPort, TargetInfo
from bot.publishing.records import ReleaseRecord
from bot.publishing.releases import DEFAULT_LEASE_S, ReleaseRepository
from bot.sharding import ShardSet
from bot.storage import Transaction
from bot.storage.repository import unix_now
from bot.stories.records import ChapterRecord, PageRecord, StoryRecord
from bot.stories.repository import StoryRepository

log = logging.getLogger(__name__)

SEND_RETRIES = 3  # transient failures per attempt before the release is marked failed
RETRY_PAUSE_S = 0.5

Progress = Callable[[int, int, int], Awaitable[None]]
"""`progress(chapter_number, pages_posted, pages_total)`, called after each page."""


def page_nonce(page_id: int) -> str:
    """The nonce of a page's message (Discord allows 25 characters)."""
    return f"cb-p{page_id}"


def header_nonce(release_id: int) -> str:
    """The nonce of a release's header or announcement message."""
    return f"cb-h{release_id}"


@dataclass
class _Job:
    """What one attempt works with."""

    release: ReleaseRecord
    story: StoryRecord
    chapter: ChapterRecord
    info: TargetInfo
    pages: list[PageRecord]
    resuming: bool
    progress: Progress | None


Voice = Callable[[int], Awaitable[Translates]]
"""`voice(guild_id)`: the language a server's public posts are written in."""


class ReleaseRunner:
    """Posts releases; `should_stop` is checked between pages (graceful shutdown)."""

    def __init__(
        self,
        stories: StoryRepository,
        releases: ReleaseRepository,
        port: PublishPort,
        *,
        should_stop: Callable[[], bool] = lambda: False,
        clock: Callable[[], int] = unix_now,
        outbox: Outbox | None = None,
        bus: EventBus | None = None,
        shards: ShardSet | None = None,
        owner: str | None = None,
        lease_s: int = DEFAULT_LEASE_S,
        voice: Voice | None = None,
    ) -> None:
        self.stories, self.releases, self.port = stories, releases, port
        self.shards = shards or ShardSet.unsharded()  # only these guilds' releases are claimed
        # A claimed release is leased to `owner`; each page renews the lease before it is sent.
        self.owner, self.lease_s = owner, lease_s
        # The server's language for the public words of a release (header line, thread name).
        self.voice = voice
        # Events: durable subscribers through the outbox, written with the release's state.
        self.outbox, self.bus = outbox, bus
        self.should_stop = should_stop
        self.clock = clock
        self.crossposter = Crossposter(releases, port)

    async def _voice(self, job: _Job) -> Translates:
        """The story's server's language (English when no voice was given)."""
        return SOURCE if self.voice is None else await self.voice(job.story.guild_id)

    async def run(self, release_id: int, progress: Progress | None = None) -> RunResult:
        """Claim and post one release; a failure is recorded in its history, never raised."""
        release = await self.releases.claim(
            release_id, self.shards, owner=self.owner, lease_s=self.lease_s
        )
        if release is None:
            return RunResult(release_id, 0, "skipped")
        chapter = await self.stories.chapter_by_id(release.chapter_id)
        story = await self.stories.get(release.story_id)
        if chapter is None or story is None:
            await self.releases.fail(release.id, note(STORY_GONE))
            return RunResult(release.id, 0, "failed", error="deleted")
        try:
            return await self._attempt(release, story, chapter, progress)
        except PostingError as exc:
            return await self._failed(release, story, chapter, str(exc))
        except Exception as exc:
            if self.releases.db.is_unavailable(exc):
                # Not the release's fault, and recording a failure would fail too: it stays
                # claimed, and is resumed where it stopped once its lease runs out.
                self.releases.db.log_failure(log, exc, "release %s stopped", release.id)
                return RunResult(
                    release.id, chapter.number, "interrupted", error=DATABASE_UNAVAILABLE
                )
            # A bug must not leave the release 'posting' forever.
            log.exception("release %s failed unexpectedly", release.id)
            error = note(UNEXPECTED, name=type(exc).__name__)
            return await self._failed(release, story, chapter, error)

    async def _failed(
        self, release: ReleaseRecord, story: StoryRecord, chapter: ChapterRecord, error: str
    ) -> RunResult:
        event = ReleaseFailed(
            release.id, story.id, story.guild_id, chapter.number, release.attempts, error
        )
        if await self.releases.fail(release.id, error, also=self._recorder(event)) is not None:
            await self._announce(event)
        return RunResult(release.id, chapter.number, "failed", error=error)

    def _recorder(self, event: Event) -> Callable[[Transaction], Awaitable[object]] | None:
        """What writes `event` to the outbox inside the release's transaction."""
        outbox = self.outbox
        if outbox is None:
            return None

        async def record(tx: Transaction) -> object:
            return await outbox.record(tx, event)

        return record

    async def _announce(self, event: Event) -> None:
        """After the state change committed: drain the outbox soon, tell in-process listeners."""
        if self.outbox is not None:
            self.outbox.kick()
        if self.bus is not None:
            await self.bus.publish(event)

    async def _attempt(
        self,
        release: ReleaseRecord,
        story: StoryRecord,
        chapter: ChapterRecord,
        progress: Progress | None,
    ) -> RunResult:
        info = await self.port.target(release.channel_id, release.channel_mode, story.style)
        refusal = target_refusal(story, info, release.channel_mode)
        if refusal is not None:
            error = note(refusal[0], **refusal[1])
            failed = await self._failed(release, story, chapter, error)
            return replace(failed, reason=refusal)
        pages = await self.stories.pages(chapter.id)
        resuming = (
            release.attempts > 1
            or any(p.posted for p in pages)
            or await self.releases.earlier_attempts(chapter.id, release.id) > 0
        )
        job = _Job(release, story, chapter, info, pages, resuming, progress)
        destination = await self._destination(job)
        if destination is None:
            return self._interrupted(job)
        posted = await self._post_pages(job, destination)
        if posted is None:
            return self._interrupted(job)
        if release.channel_mode == "forum" and story.notify_role_id is not None:
            # A forum post opens with a page, so the announcement follows the pages in the post.
            await self._header(job, destination)
        total = len(pages)
        released = self._released(job, self.clock())
        finished = await self.releases.finish(
            release.id,
            note(PAGES_POSTED, n=total),
            chapter_id=chapter.id,
            released_at=released.released_at,
            also=self._recorder(released),
        )
        if finished is not None:
            await self._announce(released)
        await self._crosspost(job)
        return RunResult(release.id, chapter.number, "done", total, total, None, destination)

    @staticmethod
    def _released(job: _Job, at: int) -> ChapterReleased:
        """The `chapter_released` event of a job whose pages are all posted."""
        messages = tuple(
            PostedMessage(job.chapter.number, p.number, p.channel_id, p.message_id)
            for p in job.pages
            if p.channel_id is not None and p.message_id is not None
        )
        story = job.story
        return ChapterReleased(
            job.release.id, story.id, story.guild_id, (job.chapter.number,), (job.chapter.id,),
            messages, at,
        )  # fmt: skip

    def _interrupted(self, job: _Job) -> RunResult:
        # The release stays 'posting'; start-up puts it back in the queue and it resumes.
        done = sum(1 for p in job.pages if p.posted)
        return RunResult(job.release.id, job.chapter.number, "interrupted", done, len(job.pages))

    # -- where the pages go ---------------------------------------------------------------------

    async def _destination(self, job: _Job) -> int | None:
        """The channel or thread the pages go into, creating header/thread/post as needed."""
        release = job.release
        if release.channel_mode == "messages":
            if job.story.notify_role_id is not None:
                await self._header(job)
            return release.channel_id
        if release.thread_id is not None:
            return release.thread_id
        if self.should_stop():
            return None
        if release.channel_mode == "thread":
            return await self._thread(job)
        return await self._forum_post(job)

    async def _header(self, job: _Job, channel_id: int | None = None) -> int:
        """The header/announcement message, posted once (found again when resuming).

        It goes into the release's channel, or into `channel_id` (a forum post's thread).
        """
        release = job.release
        if release.header_message_id is not None:
            return release.header_message_id
        where = release.channel_id if channel_id is None else channel_id
        t = await self._voice(job)
        text = header_text(job.story, job.chapter, job.story.notify_role_id, t)
        found = None
        if job.resuming:
            recent = await self.port.recent_bot_messages(where, None)
            found = next((m.id for m in reversed(recent) if m.text == text), None)
        message = PageSend(
            text,
            nonce=header_nonce(release.id),
            silent=job.story.silent,
            role_id=job.story.notify_role_id,
        )
        message_id = found or await self.port.send(where, message)
        await self.releases.set_header(release.id, message_id)
        return message_id

    async def _thread(self, job: _Job) -> int:
        """Thread mode: a header in the channel, then a thread started from it.

        A thread started from a message has that message's id, and the port answers a repeated
        create with the existing thread, so resuming needs no search by name.
        """
        header_id = await self._header(job)
        name = thread_name(job.chapter, await self._voice(job))
        thread_id = await self.port.create_thread(job.release.channel_id, header_id, name)
        await self.releases.set_thread(job.release.id, thread_id)
        return thread_id

    async def _forum_post(self, job: _Job) -> int:
        """Forum mode: one post per chapter whose first message is the first unposted page."""
        name = thread_name(job.chapter, await self._voice(job))
        release = job.release
        thread_id = None
        if job.resuming:
            thread_id = await self._earlier_post(job, name)
        if thread_id is not None:
            await self.releases.set_thread(release.id, thread_id)
            return thread_id
        first = next((p for p in job.pages if not p.posted), None)
        if first is None:
            raise PostingError(note(FORUM_POST_UNKNOWN))
        post = ForumPost(name, self._page_send(job, first), pick_tag(job.info, job.story))
        thread_id, message_id = await self.port.create_forum_post(release.channel_id, post)
        await self.releases.set_thread(release.id, thread_id)
        await self._stored(job, first, thread_id, message_id)
        return thread_id

    async def _earlier_post(self, job: _Job, name: str) -> int | None:
        """A post an earlier attempt created: same name, and it opens with one of our pages."""
        thread_id = await self.port.find_thread(job.release.channel_id, name)
        if thread_id is None:
            return None
        opening = await self.port.recent_bot_messages(thread_id, None)
        contents = {p.content for p in job.pages}
        return thread_id if opening and opening[0].text in contents else None

    # -- the pages ------------------------------------------------------------------------------

    def _page_send(self, job: _Job, page: PageRecord) -> PageSend:
        last = page.number == max(p.number for p in job.pages)
        return PageSend(
            page.content,
            style=job.story.style,
            nonce=page_nonce(page.id),
            silent=job.story.silent,
            buttons_for=(job.story.id, job.chapter.number) if last else None,
        )

    async def _post_pages(self, job: _Job, destination: int) -> int | None:
        """Post every unposted page in order; None if asked to stop in between.

        A transient failure (e.g. the connection dropped after Discord created the message)
        is followed by a history lookup before the page is sent again.
        """
        if job.resuming:
            await self._adopt_sent(job, destination)
        retries = 0
        while (page := next((p for p in job.pages if not p.posted), None)) is not None:
            if self.should_stop():
                return None
            if not await self.releases.renew(job.release.id, self.owner, self.lease_s):
                # The lease ran out and another process of this shard took the release over:
                # it posts the rest; sending more here could post a page twice.
                await self.releases.add_event(job.release.id, "lease lost", self.owner)
                return None
            try:
                message_id = await self.port.send(destination, self._page_send(job, page))
            except PostingError as exc:
                if exc.permanent or retries >= SEND_RETRIES or self.should_stop():
                    raise
                retries += 1
                await self.releases.add_event(job.release.id, "retrying", str(exc))
                await asyncio.sleep(RETRY_PAUSE_S * retries)
                await self._adopt_sent(job, destination)
                continue
            await self._stored(job, page, destination, message_id)
        return len(job.pages)

    async def _stored(self, job: _Job, page: PageRecord, channel_id: int, message_id: int) -> None:
        """Record a page's message (readable from now on) and report progress."""
        await self.stories.mark_page_posted(page.id, channel_id, message_id, self.clock())
        job.pages = [
            PageRecord(p.id, p.chapter_id, p.number, p.content, message_id, channel_id, 0)
            if p.id == page.id
            else p
            for p in job.pages
        ]
        if job.progress is not None:
            done = sum(1 for p in job.pages if p.posted)
            await job.progress(job.chapter.number, done, len(job.pages))

    async def _adopt_sent(self, job: _Job, destination: int) -> None:
        """Find pages an earlier attempt sent but never stored, by comparing the bot's messages."""
        unposted = [p for p in job.pages if not p.posted]
        if not unposted:
            return
        known = [p.message_id for p in job.pages if p.posted and p.channel_id == destination]
        after = max((m for m in known if m is not None), default=None)
        recent = await self.port.recent_bot_messages(destination, after)
        adopted = 0
        for message in recent:
            if adopted < len(unposted) and message.text == unposted[adopted].content:
                await self._stored(job, unposted[adopted], destination, message.id)
                adopted += 1
        if adopted:
            await self.releases.add_event(job.release.id, "resumed", note(PAGES_FOUND, n=adopted))

    async def _crosspost(self, job: _Job) -> None:
        """Crosspost the chapter's first message in announcement channels, in the background."""
        if job.info.kind != "announcement" or job.release.channel_mode == "forum":
            return
        release = await self.releases.get(job.release.id)
        first = release.header_message_id if release else None
        if first is None:
            pages = await self.stories.pages(job.chapter.id)
            first = pages[0].message_id if pages else None
        if first is not None:
            self.crossposter.start(job.release.id, job.release.channel_id, first)
