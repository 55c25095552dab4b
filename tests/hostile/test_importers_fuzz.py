"""Hostile and broken uploads: each ends in a clear refusal or a correct story, never a traceback.

The fixed corpus (`tests/hostile/corpus.py`) covers the named cases; hypothesis throws random
bytes, random text and damaged EPUBs at the importers; a few cases go through `/story upload`
end to end to show a refusal stores nothing.
"""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.client import ChapterBot
from bot.errors import ImportRefused
from bot.stories.authoring import PreparedStory, prepare_story
from bot.stories.paginate import STYLE_LIMITS
from bot.stories.repository import StoryRepository
from testkit.emulator import DiscordEmulator
from tests.hostile.corpus import CASES, Case, case, small_epub

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
EXTENSIONS = (".txt", ".md", ".html", ".htm", ".epub", "", ".zip")


def outcome(raw: bytes, filename: str, style: str = "text") -> PreparedStory | ImportRefused:
    """The story an upload becomes, or the refusal; any other exception fails the test."""
    try:
        return prepare_story(raw, filename, style)
    except ImportRefused as refusal:
        return refusal


def assert_clear_refusal(refusal: ImportRefused) -> None:
    """A refusal a user can act on: a sentence, no traceback, no Python internals."""
    text = str(refusal)
    assert len(text) > 20, text
    assert "Traceback" not in text and 'File "' not in text, text
    assert not re.search(r"\b(self|None|0x[0-9a-f]{6,})\b", text), text


def assert_sound_story(prepared: PreparedStory) -> None:
    """A story whose every chapter has pages, each non-empty and within the style's limit."""
    limit = STYLE_LIMITS[prepared.style]
    assert prepared.story.chapters
    assert len(prepared.pages) == len(prepared.story.chapters)
    for pages in prepared.pages:
        assert pages, "a chapter without pages"
        for page in pages:
            assert page.strip(), "an empty page"
            assert len(page) <= limit, len(page)


def squeeze(text: str) -> str:
    """Text without whitespace and Markdown escapes, to find words split across pages."""
    return re.sub(r"\s|\\", "", text)


@pytest.mark.parametrize("item", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("style", ["text", "embed"])
def test_corpus_case_ends_as_specified(item: Case, style: str) -> None:
    result = outcome(item.build(), item.filename, style)
    if item.must_refuse:
        assert isinstance(result, ImportRefused), f"{item.name} was imported"
        assert re.search(item.refusal or "", str(result)), str(result)
        assert_clear_refusal(result)
        return
    assert isinstance(result, PreparedStory), f"{item.name} was refused: {result}"
    assert_sound_story(result)
    everything = squeeze("".join(page for pages in result.pages for page in pages))
    for kept in item.keeps:
        assert squeeze(kept) in everything, f"{item.name} lost {kept[:40]!r}"


def test_deep_html_is_refused_not_truncated() -> None:
    """Deep nesting is refused outright: a partial story would silently lose text."""
    result = outcome(case("deep-html").build(), "deep.html")
    assert isinstance(result, ImportRefused)
    assert "deep" in str(result)


def test_long_word_survives_whole_across_pages() -> None:
    from tests.hostile.corpus import LONG_WORD

    result = outcome(case("long-word").build(), "word.txt")
    assert isinstance(result, PreparedStory)
    joined = squeeze("".join(result.pages[0]))
    assert squeeze(LONG_WORD) in joined
    assert len(result.pages[0]) >= len(LONG_WORD) // STYLE_LIMITS["text"]


@FUZZ
@given(raw=st.binary(max_size=4096), ext=st.sampled_from(EXTENSIONS))
def test_random_bytes_never_crash(raw: bytes, ext: str) -> None:
    result = outcome(raw, f"upload{ext}")
    if isinstance(result, ImportRefused):
        assert_clear_refusal(result)
    else:
        assert_sound_story(result)


@FUZZ
@given(
    text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000),
    ext=st.sampled_from((".txt", ".md", ".html")),
    style=st.sampled_from(("text", "embed")),
)
def test_random_text_never_crashes(text: str, ext: str, style: str) -> None:
    result = outcome(text.encode("utf-8"), f"story{ext}", style)
    if isinstance(result, ImportRefused):
        assert_clear_refusal(result)
    else:
        assert_sound_story(result)


MARKUP = st.sampled_from(
    ["<p>", "</p>", "<div>", "</div>", "<h2>", "</h2>", "<em>", "</em>", "<br>", "<hr>",
     "# ", "## Chapter ", "**", "_", "> ", "\n\n", "* * *", "Chapter 1", "A/N: ", "&amp;",
     "&#0;", "<![CDATA[", "<!--", "-->", "<script>", "||", "`", "@everyone", "<@&1>"]
)  # fmt: skip


@FUZZ
@given(
    parts=st.lists(st.one_of(MARKUP, st.text(max_size=40)), max_size=80),
    ext=st.sampled_from((".txt", ".md", ".html")),
)
def test_random_markup_never_crashes(parts: list[str], ext: str) -> None:
    result = outcome("".join(parts).encode("utf-8", "surrogatepass"), f"story{ext}")
    if isinstance(result, ImportRefused):
        assert_clear_refusal(result)
    else:
        assert_sound_story(result)


@FUZZ
@given(data=st.data())
def test_damaged_epubs_never_crash(data: st.DataObject) -> None:
    raw = bytearray(small_epub())
    for _ in range(data.draw(st.integers(1, 12), label="flips")):
        at = data.draw(st.integers(0, len(raw) - 1), label="at")
        raw[at] = data.draw(st.integers(0, 255), label="byte")
    cut = data.draw(st.integers(len(raw) // 3, len(raw)), label="cut")
    result = outcome(bytes(raw[:cut]), "damaged.epub")
    if isinstance(result, ImportRefused):
        assert_clear_refusal(result)
    else:
        assert_sound_story(result)


# -- through /story upload: a refusal is explained and nothing is stored --------------------------

E2E_CASES = ("zip-bomb-epub", "big-file", "deep-html", "nul-bytes", "only-headings", "empty")


@pytest.mark.e2e
async def test_hostile_uploads_are_refused_and_store_nothing(
    emulator: DiscordEmulator, chapterbot: ChapterBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    alice = emulator.user("alice")
    stories = StoryRepository(chapterbot.database)
    for name in E2E_CASES:
        item = case(name)
        result = await emulator.slash(
            alice, "story upload", file=emulator.upload(item.filename, item.build())
        )
        if result.deferred:
            await result.final(timeout=30.0)
        reply = result.last
        assert reply is not None and reply.ephemeral, name
        assert reply.content.startswith("⚠️"), (name, reply.content)
        assert re.search(item.refusal or "", reply.content), (name, reply.content)
        assert "error id" not in reply.content, (name, reply.content)
        assert await stories.list_for_guild(emulator.guild.id) == [], name
    assert await chapterbot.database.fetch_value("SELECT COUNT(*) FROM pages") == 0
    assert await chapterbot.database.fetch_value("SELECT COUNT(*) FROM chapters") == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # The 50 MB file was refused from its declared size, before any download.
    downloads = emulator.stats.get("cdn_downloads", 0)
    assert downloads == len(E2E_CASES) - 2  # big-file and empty are refused from the size
