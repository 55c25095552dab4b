"""The feedback use cases (service, stats, emoji rules) on the run's real database."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from bot.actor import Actor
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.feedback.emoji import DEFAULT_REACTIONS, MAX_REACTIONS, parse_reaction_set
from bot.feedback.service import NOTE_LIMIT, NOTE_MAX_CHARS, FeedbackService, digest_text
from bot.feedback.stats import retention_words, stats_text, story_stats
from bot.reading.repository import ProgressRepository
from bot.storage import Database
from bot.stories.model import Chapter, Story, plain_paragraph
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository
from testkit.clock import Clock

GUILD, OTHER_GUILD = 1, 2
OWNER, BOB, DAVE, EVE, CAROL = 10, 20, 30, 40, 50
OWNER_ACTOR = Actor(user_id=OWNER, guild_id=GUILD)
NOTE_KEY = "k" * 64


@pytest.fixture
def clock() -> Clock:
    return Clock(100_000)


@pytest.fixture
def service(db: Database, clock: Clock) -> FeedbackService:
    return FeedbackService(
        db, clock=clock, digest_periods={"daily": 60, "weekly": 600}, note_key=NOTE_KEY
    )


def msg_id(chapter: int) -> int:
    """The fake message id of a chapter's only page."""
    return 5000 + chapter


async def story_with(db: Database, chapters: int = 4, released: int = 3) -> StoryRecord:
    """A story of one-page chapters, the first `released` of them posted and released."""
    story = Story(
        title="A $5 Tale",
        chapters=[
            Chapter(number=n, title=f"Part {n}", blocks=[plain_paragraph(f"Text {n}.")])
            for n in range(1, chapters + 1)
        ],
    )
    repo = StoryRepository(db)
    pages = [[f"page of {n}"] for n in range(1, chapters + 1)]
    record = await repo.create_story(GUILD, OWNER, story, pages, "text")
    for chapter in (await repo.chapters(record.id))[:released]:
        [page] = await repo.pages(chapter.id)
        await repo.mark_page_posted(page.id, 77, msg_id(chapter.number), 1)
        await repo.mark_chapter_released(chapter.id, 1)
    return record


async def read(db: Database, clock: Clock, user: int, story_id: int, chapter: int) -> None:
    """A page read through the bot, as the readers' code logs it."""
    progress = ProgressRepository(db, clock=clock)
    position = await progress.page_at(story_id, chapter, 1)
    assert position is not None
    await progress.record_read(GUILD, user, position)


# -- reaction sets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["❤️", "❤", "👍🏽", "🇫🇷", "1️⃣", "👨‍👩‍👧", "🏳️‍🌈", "<:blob:42>", "<a:dance:42>"]
)
def test_single_emojis_are_accepted(text: str) -> None:
    assert parse_reaction_set(text, {42}) == (text,)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "not a single emoji"),
        ("❤️😂", "not a single emoji"),
        (":heart:", "not a single emoji"),
        ("<:blob:43>", "not an emoji of this server"),
        ("", "at least one"),
        (" ".join(["🔥", "❤️", "😂", "😢", "😮", "👏", "🎉", "💀", "🥰", "😭", "🤯"]), "at most"),
    ],
)
def test_bad_reaction_sets_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_reaction_set(text, {42})


def test_duplicates_are_dropped_keeping_order() -> None:
    assert parse_reaction_set("🔥 ❤️ 🔥 ❤", set()) == ("🔥", "❤️")
    assert len(DEFAULT_REACTIONS) <= MAX_REACTIONS


async def test_reaction_set_settings_are_for_authors(
    db: Database, service: FeedbackService
) -> None:
    story = await story_with(db)
    assert await service.reaction_set(story.id) == DEFAULT_REACTIONS
    assert await service.auto_react_set(story.id) == ()
    with pytest.raises(NotAllowed):
        await service.set_reactions(Actor(BOB, GUILD), story, "🔥", set())
    await service.set_reactions(OWNER_ACTOR, story, "🔥 🎉", set())
    await service.set_auto_react(Actor(CAROL, GUILD, manage_guild=True), story, True)
    assert await service.auto_react_set(story.id) == ("🔥", "🎉")


# -- reactions -------------------------------------------------------------------------------


async def test_reactions_are_recorded_only_for_our_pages_in_their_guild(
    db: Database, service: FeedbackService, clock: Clock
) -> None:
    story = await story_with(db)
    assert await service.reaction_added(GUILD, msg_id(1), BOB, "❤️") is not None
    assert await service.reaction_added(OTHER_GUILD, msg_id(1), DAVE, "❤️") is None
    assert await service.reaction_added(GUILD, 123, DAVE, "❤️") is None
    assert await service.reaction_added(None, msg_id(1), DAVE, "❤️") is None
    clock.now += 5
    assert await service.reaction_removed(GUILD, msg_id(1), BOB, "❤️")
    assert not await service.reaction_removed(GUILD, msg_id(1), DAVE, "❤️")
    [row] = await service.repo.reactions(story.id)
    assert row.user_id == BOB and row.removed_at == clock.now


# -- notes -----------------------------------------------------------------------------------


async def test_notes_target_only_released_chapters_of_this_guild(
    db: Database, service: FeedbackService
) -> None:
    story = await story_with(db)
    target = await service.note_target(GUILD, story.id, 2)
    assert target.author_ids == (OWNER,) and target.channel_id is None
    with pytest.raises(NotFound):
        await service.note_target(GUILD, story.id, 4)  # not released
    with pytest.raises(NotFound):
        await service.note_target(OTHER_GUILD, story.id, 1)
    with pytest.raises(NotFound):
        await service.note_target(GUILD, 9999, 1)


async def test_anonymous_notes_keep_no_user_id_and_hash_with_the_install_key(
    db: Database, service: FeedbackService
) -> None:
    story = await story_with(db)
    target = await service.note_target(GUILD, story.id, 1)
    anon = await service.submit_note(target, BOB, "  loved it  ", anonymous=True)
    named = await service.submit_note(target, BOB, "me again", anonymous=False)
    assert anon.author_user_id is None and anon.anonymous and anon.text == "loved it"
    assert named.author_user_id == BOB
    # The stored hash is the keyed HMAC below, never the id itself.
    assert anon.sender_hash == named.sender_hash != str(BOB)
    expected = hmac.new(NOTE_KEY.encode(), f"{GUILD}:{BOB}".encode(), hashlib.sha256).hexdigest()
    assert anon.sender_hash == expected
    other = await service.submit_note(target, DAVE, "hi", anonymous=True)
    assert other.sender_hash != anon.sender_hash


async def test_note_limits(db: Database, service: FeedbackService, clock: Clock) -> None:
    story = await story_with(db)
    target = await service.note_target(GUILD, story.id, 1)
    with pytest.raises(InvalidInput, match="empty"):
        await service.submit_note(target, BOB, "   ", anonymous=True)
    with pytest.raises(InvalidInput, match="at most"):
        await service.submit_note(target, BOB, "x" * (NOTE_MAX_CHARS + 1), anonymous=True)
    with pytest.raises(NotAllowed, match="author"):
        await service.submit_note(target, OWNER, "self praise", anonymous=False)
    for _ in range(NOTE_LIMIT):
        await service.submit_note(target, BOB, "x" * NOTE_MAX_CHARS, anonymous=True)
    with pytest.raises(NotAllowed, match="last hour"):
        await service.submit_note(target, BOB, "one more", anonymous=True)
    clock.now += 3601
    await service.submit_note(target, BOB, "later", anonymous=True)


async def test_waiting_notes_are_told_once(db: Database, service: FeedbackService) -> None:
    story = await story_with(db)
    target = await service.note_target(GUILD, story.id, 1)
    first = await service.submit_note(target, BOB, "a", anonymous=True)
    await service.submit_note(target, DAVE, "b", anonymous=True)
    await service.delivered(first, "dm")
    assert await service.tell_pending(story.id) == 1
    assert await service.tell_pending(story.id) == 0


# -- statistics ------------------------------------------------------------------------------


async def test_stats_count_readers_retention_reactions_and_notes(
    db: Database, service: FeedbackService, clock: Clock
) -> None:
    story = await story_with(db, chapters=4, released=3)
    chapters_read = {BOB: [1, 2, 3], DAVE: [1, 2], EVE: [1], CAROL: [3]}
    for user, numbers in chapters_read.items():
        for number in numbers:
            await read(db, clock, user, story.id, number)
    await service.set_reactions(OWNER_ACTOR, story, "❤️ 🔥", set())
    await service.reaction_added(GUILD, msg_id(1), BOB, "❤")  # no variation selector
    await service.reaction_added(GUILD, msg_id(1), DAVE, "❤️")
    await service.reaction_added(GUILD, msg_id(1), EVE, "🦄")
    await service.reaction_added(GUILD, msg_id(2), BOB, "🔥")
    await service.reaction_added(GUILD, msg_id(2), DAVE, "🔥")
    await service.reaction_removed(GUILD, msg_id(2), DAVE, "🔥")
    target = await service.note_target(GUILD, story.id, 3)
    await service.submit_note(target, CAROL, "more!", anonymous=True)

    stats = await story_stats(service, OWNER_ACTOR, story)
    readers = {n: sum(n in chs for chs in chapters_read.values()) for n in (1, 2, 3)}
    assert [(c.number, c.readers) for c in stats.chapters] == sorted(readers.items())
    starters = {u for u, chs in chapters_read.items() if 1 in chs}
    for chapter in stats.chapters:
        reached = {u for u in starters if chapter.number in chapters_read[u]}
        assert chapter.retention == round(100 * len(reached) / len(starters))
    one, two, three = stats.chapters
    assert one.reactions == (("❤️", 2),) and one.other_reactions == 1
    assert two.reactions == (("🔥", 1),) and two.other_reactions == 0
    assert three.notes == 1 and stats.notes_total == 1
    assert stats.reaction_totals == (("❤️", 2), ("🔥", 1)) and stats.other_total == 1

    text = stats_text(stats)
    assert retention_words(stats, three) in text
    assert f"{three.retention} % of readers who started chapter 1 reached chapter 3" in text
    assert "**Ch. 1 — Part 1**: 3 readers · ❤️ 2 other 1 · 0 notes" in text
    assert "Reactions: ❤️ 2 🔥 1 other 1 · Notes received: 1" in text
    assert "Part 4" not in text  # unreleased chapters are not listed


async def test_stats_are_for_authors_only(db: Database, service: FeedbackService) -> None:
    story = await story_with(db)
    with pytest.raises(NotAllowed):
        await story_stats(service, Actor(BOB, GUILD), story)
    assert (await story_stats(service, Actor(CAROL, GUILD, manage_guild=True), story)).chapters


async def test_stats_text_fits_an_embed_for_long_stories(
    db: Database, service: FeedbackService
) -> None:
    story = await story_with(db, chapters=150, released=150)
    stats = await story_stats(service, OWNER_ACTOR, story)
    text = stats_text(stats)
    assert len(text) <= 4096 and text.endswith("more chapters (see the chart).")
    assert len(stats.chapters) == 150


# -- digests ---------------------------------------------------------------------------------


async def test_digest_covers_the_period_and_moves_on(
    db: Database, service: FeedbackService, clock: Clock
) -> None:
    story = await story_with(db)
    await read(db, clock, BOB, story.id, 1)  # before the digest was turned on
    clock.now += 10
    settings = await service.set_digest(OWNER_ACTOR, story, "daily")
    assert settings.last_digest_at == clock.now and settings.next_digest_at == clock.now + 60
    start = clock.now
    clock.now += 5
    await read(db, clock, BOB, story.id, 2)  # active, not new
    await read(db, clock, DAVE, story.id, 1)  # new
    await service.reaction_added(GUILD, msg_id(1), DAVE, "😂")
    target = await service.note_target(GUILD, story.id, 1)
    await service.submit_note(target, DAVE, "nice", anonymous=True)
    clock.now += 60

    digest = await service.run_digest(story.id)
    assert digest is not None and (digest.since, digest.until) == (start, clock.now)
    assert (digest.new_readers, digest.active_readers, digest.notes) == (1, 2, 1)
    assert digest.reactions == (("😂", 1),)
    text = digest_text(digest)
    assert "New readers: 1" in text and "😂 1" in text and "Notes received: 1" in text
    moved = await service.settings(story.id)
    assert moved.last_digest_at == clock.now and moved.next_digest_at == clock.now + 60

    empty = await service.run_digest(story.id)
    assert empty is not None and (empty.new_readers, empty.notes, empty.reactions) == (0, 0, ())
    off = await service.set_digest(OWNER_ACTOR, story, "off")
    assert off.next_digest_at is None and await service.run_digest(story.id) is None
    with pytest.raises(InvalidInput):
        await service.set_digest(OWNER_ACTOR, story, "hourly")
    with pytest.raises(NotAllowed):
        await service.set_digest(Actor(BOB, GUILD), story, "weekly")
