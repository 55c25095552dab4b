"""Authoring use cases on the run's real database (no Discord involved)."""

from __future__ import annotations

import pytest

from bot.actor import Actor
from bot.errors import ImportRefused, InvalidInput, NotAllowed, NotFound
from bot.storage import Database
from bot.stories.authoring import (
    Authoring,
    ChannelFacts,
    PreparedStory,
    check_upload,
    prepare_story,
    split_list,
)
from bot.stories.importers import import_story
from bot.stories.paginate import paginate_story
from bot.stories.records import StoryRecord

GUILD = 10
OWNER = Actor(user_id=1, guild_id=GUILD)
COAUTHOR = Actor(user_id=2, guild_id=GUILD)
STRANGER = Actor(user_id=3, guild_id=GUILD)
MANAGER = Actor(user_id=4, guild_id=GUILD, manage_guild=True)


def chapters_md(*bodies: str) -> bytes:
    """A Markdown story with one chapter per body."""
    parts = ["# A Test Story\n"]
    parts += [f"## Chapter {n}\n\n{body}\n" for n, body in enumerate(bodies, start=1)]
    return "\n".join(parts).encode()


@pytest.fixture
def service(db: Database) -> Authoring:
    """The use cases over the test database."""
    return Authoring(db)


@pytest.fixture
async def story(service: Authoring) -> StoryRecord:
    """A three-chapter story owned by OWNER with COAUTHOR as co-author."""
    prepared = prepare_story(chapters_md("One.", "Two.", "Three."), "s.md", "text")
    summary = await service.upload(OWNER, prepared)
    await service.add_author(OWNER, summary.story, COAUTHOR.user_id)
    return summary.story


def test_uploads_are_checked_before_download() -> None:
    with pytest.raises(ImportRefused, match="limit is 10 MB"):
        check_upload("big.txt", 11 * 1024 * 1024)
    with pytest.raises(ImportRefused, match="empty"):
        check_upload("nothing.txt", 0)
    with pytest.raises(ImportRefused, match="unsupported type"):
        check_upload("story.docx", 100)
    check_upload("story.EPUB", 100)
    check_upload("README", 100)


def test_prepare_story_pages_are_the_paginator_s() -> None:
    raw = chapters_md("Alpha.", "Beta.")
    prepared = prepare_story(raw, "s.md", "embed")
    assert prepared.pages == paginate_story(import_story(raw, "s.md"), "embed")
    warned = prepare_story(raw, "s.md", "text", warnings=["Major Character Death"])
    assert "||Major Character Death||" in warned.pages[0][0]
    assert "Warnings" not in warned.pages[1][0]
    with pytest.raises(ValueError, match="unknown style"):
        prepare_story(raw, "s.md", "scroll")


def test_split_list() -> None:
    assert split_list(" a, b ,,c ") == ["a", "b", "c"]
    assert split_list("none") == split_list("-") == []


async def test_upload_stores_everything_and_counts(service: Authoring, story: StoryRecord) -> None:
    summary = await service.summary(story)
    assert summary.author_ids == (OWNER.user_id, COAUTHOR.user_id)
    assert (summary.counts.chapters, summary.counts.released) == (3, 0)
    assert summary.counts.words == 3
    assert summary.counts.pages == 3
    assert [s.story.id for s in await service.list_stories(GUILD)] == [story.id]


async def test_the_author_role_limits_uploads(service: Authoring) -> None:
    await service.set_author_role(MANAGER, 77)
    prepared = prepare_story(chapters_md("Text."), "s.md", "text")
    with pytest.raises(NotAllowed, match="<@&77>"):
        await service.upload(STRANGER, prepared)
    writer = Actor(user_id=5, guild_id=GUILD, role_ids=frozenset({77}))
    assert (await service.upload(writer, prepared)).story.owner_id == 5
    assert (await service.upload(MANAGER, prepared)).story.owner_id == MANAGER.user_id
    with pytest.raises(NotAllowed, match="Manage Server"):
        await service.set_author_role(OWNER, None)


async def test_update_keeps_released_chapters_and_page_ids(
    service: Authoring, story: StoryRecord
) -> None:
    repo = service.stories
    one, two, three = await repo.chapters(story.id)
    await repo.mark_chapter_released(one.id, 100)
    # Chapter 2 is half-posted (a page has a message, no release date yet): it is locked too.
    two_pages = await repo.pages(two.id)
    await repo.mark_page_posted(two_pages[0].id, 5, 6, 100)
    three_ids = [p.id for p in await repo.pages(three.id)]

    new = prepare_story(chapters_md("New one.", "New two.", "New three.", "Four."), "s.md", "text")
    sync = await service.update(COAUTHOR, story, new)
    assert (sync.kept, sync.replaced, sync.appended, sync.removed) == ((1, 2), (3,), (4,), ())
    after = await repo.chapters(story.id)
    assert [c.number for c in after] == [1, 2, 3, 4]
    assert after[0].body == one.body and after[1].body == two.body
    assert [(p.id, p.content) for p in await repo.pages(two.id)] == [
        (p.id, p.content) for p in two_pages
    ]
    assert [p.id for p in await repo.pages(three.id)] == three_ids
    assert [p.content for p in await repo.pages(three.id)] == new.pages[2]

    shorter = prepare_story(chapters_md("x", "y"), "s.md", "text")
    sync = await service.update(OWNER, story, shorter)
    assert (sync.kept, sync.removed) == ((1, 2), (3, 4))
    assert [c.number for c in await repo.chapters(story.id)] == [1, 2]
    with pytest.raises(NotAllowed):
        await service.update(STRANGER, story, shorter)


async def test_edit_rerenders_only_unreleased_chapter_one(
    service: Authoring, story: StoryRecord
) -> None:
    repo = service.stories
    updated, rerendered = await service.edit(
        COAUTHOR, story, title=" New Title ", rating="Explicit", warnings="Violence", tags="a, b"
    )
    assert (updated.title, updated.rating, updated.warnings, updated.tags) == (
        "New Title",
        "Explicit",
        ("Violence",),
        ("a", "b"),
    )
    assert rerendered
    first = (await repo.chapters(story.id))[0]
    assert "||Violence||" in (await repo.pages(first.id))[0].content

    await repo.mark_chapter_released(first.id, 100)
    before = await repo.pages(first.id)
    _, rerendered = await service.edit(OWNER, updated, warnings="none")
    assert not rerendered and await repo.pages(first.id) == before

    for bad in ({"title": "  "}, {"rating": "PG-13"}, {}):
        with pytest.raises(InvalidInput):
            await service.edit(OWNER, updated, **bad)
    with pytest.raises(NotAllowed):
        await service.edit(STRANGER, updated, summary="x")


async def test_delete_and_authors_are_for_the_owner(service: Authoring, story: StoryRecord) -> None:
    for action in (
        service.delete(COAUTHOR, story),
        service.add_author(COAUTHOR, story, 9),
        service.remove_author(COAUTHOR, story, COAUTHOR.user_id),
    ):
        with pytest.raises(NotAllowed, match="Only the owner"):
            await action
    with pytest.raises(InvalidInput, match="Bots"):
        await service.add_author(OWNER, story, 9, is_bot=True)
    with pytest.raises(InvalidInput, match="already"):
        await service.add_author(OWNER, story, COAUTHOR.user_id)
    with pytest.raises(InvalidInput, match="owner cannot be removed"):
        await service.remove_author(MANAGER, story, OWNER.user_id)
    with pytest.raises(NotFound):
        await service.remove_author(OWNER, story, STRANGER.user_id)
    await service.remove_author(MANAGER, story, COAUTHOR.user_id)
    await service.delete(MANAGER, story)
    assert await service.stories.get(story.id) is None


async def test_preview_is_for_authors(service: Authoring, story: StoryRecord) -> None:
    preview = await service.preview(COAUTHOR, story, 2)
    assert preview.chapter.number == 2 and preview.chapter_numbers == [1, 2, 3]
    assert [p.content for p in preview.pages] == [
        p.content for p in await service.stories.pages(preview.chapter.id)
    ]
    with pytest.raises(NotFound, match="no chapter 7"):
        await service.preview(OWNER, story, 7)
    with pytest.raises(NotAllowed):
        await service.preview(STRANGER, story, 1)


def facts(kind: str = "text", *, nsfw: bool = False, can_post: bool = True) -> ChannelFacts:
    """A channel as the cog would describe it."""
    return ChannelFacts(id=55, kind=kind, nsfw=nsfw, member_can_post=can_post)  # type: ignore[arg-type]


async def test_channel_rules(service: Authoring, story: StoryRecord) -> None:
    assert (await service.set_channel(OWNER, story, facts(), "thread")).channel_mode == "thread"
    assert (await service.set_channel(OWNER, story, facts("forum"), "forum")).channel_id == 55
    with pytest.raises(InvalidInput, match="not a forum"):
        await service.set_channel(OWNER, story, facts("text"), "forum")
    with pytest.raises(InvalidInput, match="text or announcement"):
        await service.set_channel(OWNER, story, facts("forum"), "messages")
    with pytest.raises(NotAllowed, match="cannot post"):
        await service.set_channel(OWNER, story, facts(can_post=False), "messages")
    mature, _ = await service.edit(OWNER, story, rating="Mature")
    with pytest.raises(NotAllowed, match="age-restricted"):
        await service.set_channel(OWNER, mature, facts(), "messages")
    assert (await service.set_channel(OWNER, mature, facts(nsfw=True), "messages")).channel_id
    with pytest.raises(NotAllowed):
        await service.set_channel(STRANGER, story, facts(), "messages")


async def test_notify_role_silent_and_zones(service: Authoring, story: StoryRecord) -> None:
    assert (await service.set_notify_role(OWNER, story, 8)).notify_role_id == 8
    with pytest.raises(NotAllowed, match="not mentionable"):
        await service.set_notify_role(OWNER, story, 9, may_mention=False)
    with pytest.raises(InvalidInput, match="@everyone"):
        await service.set_notify_role(OWNER, story, GUILD)
    assert (await service.set_notify_role(OWNER, story, None)).notify_role_id is None
    assert (await service.set_silent(COAUTHOR, story, True)).silent

    assert await service.set_user_timezone(STRANGER, "new york") == "America/New_York"
    assert (await service.settings.get_user(STRANGER.user_id)).timezone == "America/New_York"
    with pytest.raises(InvalidInput, match="Did you mean"):
        await service.set_user_timezone(STRANGER, "Europe/Berln")
    with pytest.raises(NotAllowed):
        await service.set_server_timezone(OWNER, "UTC")
    assert await service.set_server_timezone(MANAGER, "europe/berlin") == "Europe/Berlin"
    await service.set_missed_releases(MANAGER, "latest")
    with pytest.raises(InvalidInput):
        await service.set_missed_releases(MANAGER, "some")
    guild = await service.settings.get_guild(GUILD)
    assert (guild.timezone, guild.missed_release_policy) == ("Europe/Berlin", "latest")


def test_prepared_story_page_count() -> None:
    prepared: PreparedStory = prepare_story(chapters_md("a", "b"), "s.md", "text")
    assert prepared.page_count == sum(len(p) for p in prepared.pages)
    assert [c.pages for c in prepared.new_chapters()] == [tuple(p) for p in prepared.pages]
