"""Finding stories by what a user typed: ids, titles in any case, suggestions (discord-free)."""

from __future__ import annotations

import difflib

from bot.errors import NotFound
from bot.i18n import N_
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository
from bot.text import clip

AUTOCOMPLETE_LIMIT = 25
CHOICE_NAME_LIMIT = 100


async def find_story(repo: StoryRepository, guild_id: int, typed: str) -> StoryRecord:
    """The story `typed` names in this guild: an autocomplete id, or a title (any case).

    Unknown and ambiguous titles raise `NotFound` naming the closest matches, so the user can
    pick one instead of guessing again.
    """
    text = typed.strip()
    if not text:
        raise NotFound(
            N_("No story given."), hint=N_("Start typing a title and pick one from the list.")
        )
    if text.isascii() and text.isdigit():  # "²" is a digit to isdigit(), not to int()
        story = await repo.get(int(text))
        if story is not None and story.guild_id == guild_id:
            return story
    matches = await repo.find_by_title(guild_id, text)
    exact = [s for s in matches if s.title.casefold() == text.casefold()]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        listed = ", ".join(f"#{s.id} by <@{s.owner_id}>" for s in exact[:5])
        raise NotFound(
            N_("Several stories are called “{title}”: {listed}."),
            hint=N_("Pick the one you mean from the autocomplete list."),
            params={"title": exact[0].title, "listed": listed},
        )
    suggestions = [s.title for s in matches[:3]] or await _closest_titles(repo, guild_id, text)
    hint = (
        N_("Did you mean {suggestions}?")
        if suggestions
        else N_("See `/story list` for this server's stories.")
    )
    raise NotFound(
        N_("There is no story called “{title}” in this server."),
        hint=hint,
        params={"title": clip(text, 80), "suggestions": " / ".join(f"“{t}”" for t in suggestions)},
    )


async def story_choices(repo: StoryRepository, guild_id: int, typed: str) -> list[tuple[str, str]]:
    """Autocomplete choices `(title, id)` for this guild, filtered by what was typed."""
    if typed.strip():
        stories = await repo.find_by_title(guild_id, typed, limit=AUTOCOMPLETE_LIMIT)
    else:
        stories = (await repo.list_for_guild(guild_id))[:AUTOCOMPLETE_LIMIT]
    return [(clip(s.title, CHOICE_NAME_LIMIT), str(s.id)) for s in stories]


async def _closest_titles(repo: StoryRepository, guild_id: int, text: str) -> list[str]:
    titles = [s.title for s in await repo.list_for_guild(guild_id)]
    return difflib.get_close_matches(text, titles, n=3, cutoff=0.5)


class StoryFinder:
    """The lookup use cases the cogs share: a story by what was typed, by id, its choices."""

    def __init__(self, repo: StoryRepository) -> None:
        self._repo = repo

    async def find(self, guild_id: int, typed: str) -> StoryRecord:
        """The story `typed` names in this guild (see `find_story`)."""
        return await find_story(self._repo, guild_id, typed)

    async def choices(self, guild_id: int, typed: str) -> list[tuple[str, str]]:
        """Autocomplete choices `(title, id)` for this guild."""
        return await story_choices(self._repo, guild_id, typed)

    async def in_guild(self, guild_id: int | None, story_id: int) -> StoryRecord:
        """A story of this guild by id, or `NotFound` (it may have been deleted since)."""
        story = await self._repo.get(story_id)
        if story is None or story.guild_id != guild_id:
            raise NotFound(N_("That story no longer exists."), hint=N_("See `/story list`."))
        return story

    async def first_chapter_number(self, story: StoryRecord) -> int:
        """The number of the story's first chapter, or `NotFound` when it has none."""
        chapters = await self._repo.chapters(story.id)
        if not chapters:
            raise NotFound(N_("This story has no chapters."))
        return chapters[0].number
