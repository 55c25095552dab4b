"""Story lookup by typed text and the authorship rules, on the run's real database."""

from __future__ import annotations

import pytest

from bot.actor import Actor
from bot.errors import NotAllowed, NotFound
from bot.storage import Database
from bot.stories.lookup import find_story, story_choices
from bot.stories.model import Chapter, Story, plain_paragraph
from bot.stories.policy import require_author
from bot.stories.repository import StoryRepository

GUILD, OTHER_GUILD = 1000, 2000
OWNER, COAUTHOR, STRANGER, MOD = 11, 12, 13, 14


@pytest.fixture
def repo(db: Database) -> StoryRepository:
    return StoryRepository(db)


async def add(repo: StoryRepository, title: str, guild: int = GUILD) -> int:
    story = Story(title=title, chapters=[Chapter(1, blocks=[plain_paragraph("Words.")])])
    record = await repo.create_story(guild, OWNER, story, [["Words."]], "text")
    return record.id


async def test_title_lookup_ignores_case_and_whitespace(repo: StoryRepository) -> None:
    story_id = await add(repo, "Kiss of Blood")
    assert (await find_story(repo, GUILD, "  kiss OF blood ")).id == story_id


async def test_autocomplete_value_is_the_id_and_stays_in_its_guild(repo: StoryRepository) -> None:
    mine = await add(repo, "Moby-Dick")
    theirs = await add(repo, "Other Guild Story", guild=OTHER_GUILD)
    assert (await find_story(repo, GUILD, str(mine))).id == mine
    with pytest.raises(NotFound):
        await find_story(repo, GUILD, str(theirs))


async def test_unknown_title_suggests_closest(repo: StoryRepository) -> None:
    await add(repo, "Kiss of Blood")
    with pytest.raises(NotFound) as caught:
        await find_story(repo, GUILD, "Kiss of Blod")
    assert "“Kiss of Blood”" in str(caught.value)


async def test_ambiguous_title_is_refused_with_ids(repo: StoryRepository) -> None:
    first = await add(repo, "Twins")
    second = await add(repo, "twins")
    with pytest.raises(NotFound) as caught:
        await find_story(repo, GUILD, "TWINS")
    assert f"#{first}" in str(caught.value) and f"#{second}" in str(caught.value)


async def test_choices_filter_and_cap(repo: StoryRepository) -> None:
    for n in range(30):
        await add(repo, f"Saga {n:02d}")
    await add(repo, "Unrelated")
    choices = await story_choices(repo, GUILD, "saga")
    assert len(choices) == 25
    assert all(name.startswith("Saga") for name, _ in choices)
    assert all(value.isdigit() for _, value in choices)


async def test_authorship_rules(repo: StoryRepository) -> None:
    story = await repo.get(await add(repo, "Rules"))
    assert story is not None
    await repo.add_author(story.id, COAUTHOR)
    owner = Actor(OWNER, GUILD)
    coauthor = Actor(COAUTHOR, GUILD)
    stranger = Actor(STRANGER, GUILD)
    mod = Actor(MOD, GUILD, manage_guild=True)
    for actor in (owner, coauthor, mod):
        await require_author(repo, story, actor)
    for actor in (owner, mod):
        await require_author(repo, story, actor, owner_only=True)
    with pytest.raises(NotAllowed):
        await require_author(repo, story, stranger)
    with pytest.raises(NotAllowed):
        await require_author(repo, story, coauthor, owner_only=True)
