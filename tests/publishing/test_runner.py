"""The runner on the run's real database with a small fake port: order, nonces, stop, resume."""

from __future__ import annotations

from bot.publishing.port import ForumPost, PageSend, PostingError, SentMessage, TargetInfo
from bot.publishing.releases import ReleaseRepository
from bot.publishing.runner import ReleaseRunner, page_nonce
from bot.storage import Database
from bot.stories.model import Chapter, Story, plain_paragraph
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository

CHANNEL = 500


class FakePort:
    """Remembers sent messages per channel; can fail or lose chosen sends."""

    def __init__(self) -> None:
        self.sent: dict[int, list[tuple[int, PageSend]]] = {}
        self.next_id = 1000
        self.lose: set[int] = set()  # send numbers whose answer is lost (message kept)
        self.calls = 0

    async def target(self, channel_id: int, mode: str, style: str) -> TargetInfo:
        return TargetInfo(channel_id, "text", name="general")

    async def send(self, channel_id: int, message: PageSend) -> int:
        self.calls += 1
        self.next_id += 1
        self.sent.setdefault(channel_id, []).append((self.next_id, message))
        if self.calls in self.lose:
            raise PostingError("connection lost")
        return self.next_id

    async def create_thread(self, channel_id: int, message_id: int, name: str) -> int:
        return message_id

    async def create_forum_post(self, forum_id: int, post: ForumPost) -> tuple[int, int]:
        raise NotImplementedError

    async def crosspost(self, channel_id: int, message_id: int) -> None:
        return None

    async def is_crossposted(self, channel_id: int, message_id: int) -> bool:
        return False

    async def recent_bot_messages(
        self, channel_id: int, after_id: int | None, limit: int = 100
    ) -> list[SentMessage]:
        found = [SentMessage(i, m.text) for i, m in self.sent.get(channel_id, [])]
        return [m for m in found if after_id is None or m.id > after_id][-limit:]

    async def find_thread(self, parent_id: int, name: str) -> int | None:
        return None


async def stored(db: Database) -> StoryRecord:
    """A one-chapter story of five pages, aimed at CHANNEL."""
    story = Story(
        title="T", chapters=[Chapter(number=1, title="One", blocks=[plain_paragraph("x")])]
    )
    pages = [[f"page {n}" for n in range(1, 6)]]
    repo = StoryRepository(db)
    record = await repo.create_story(1, 2, story, pages, channel_id=CHANNEL)
    return record


async def test_pages_go_out_in_order_with_their_nonces(db: Database) -> None:
    story, port = await stored(db), FakePort()
    stories, releases = StoryRepository(db), ReleaseRepository(db)
    (chapter,) = await stories.chapters(story.id)
    release = await releases.create(story.id, chapter.id, 0, CHANNEL, "messages")
    seen: list[tuple[int, int]] = []

    async def progress(number: int, done: int, total: int) -> None:
        seen.append((done, total))

    result = await ReleaseRunner(stories, releases, port).run(release.id, progress)
    assert result.status == "done"
    pages = await stories.pages(chapter.id)
    assert [m.text for _, m in port.sent[CHANNEL]] == [p.content for p in pages]
    assert [m.nonce for _, m in port.sent[CHANNEL]] == [page_nonce(p.id) for p in pages]
    assert port.sent[CHANNEL][-1][1].buttons_for == (story.id, 1)
    assert seen[-1] == (5, 5) and (await stories.chapter_by_id(chapter.id)).released  # type: ignore[union-attr]


async def test_stop_between_pages_then_resume_posts_the_rest_once(db: Database) -> None:
    story, port = await stored(db), FakePort()
    stories, releases = StoryRepository(db), ReleaseRepository(db)
    (chapter,) = await stories.chapters(story.id)
    release = await releases.create(story.id, chapter.id, 0, CHANNEL, "messages")
    stop = False

    async def progress(number: int, done: int, total: int) -> None:
        nonlocal stop
        stop = done == 2

    runner = ReleaseRunner(stories, releases, port, should_stop=lambda: stop)
    assert (await runner.run(release.id, progress)).status == "interrupted"
    assert len(port.sent[CHANNEL]) == 2
    await releases.requeue_interrupted()
    port.lose = {port.calls + 1}  # the next send reaches Discord but its answer is lost
    stop = False
    result = await ReleaseRunner(stories, releases, port).run(release.id)
    assert result.status == "done"
    assert [m.text for _, m in port.sent[CHANNEL]] == [f"page {n}" for n in range(1, 6)]
    history = [e.outcome for e in await releases.history(story.id)]
    assert "retrying" in history and "resumed" in history
