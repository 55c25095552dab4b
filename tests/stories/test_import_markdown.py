"""Tests for the Markdown importer: title and byline, chapters, emphasis, breaks, quotes, notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.errors import ImportRefused
from bot.stories.importers.markdown import parse_markdown
from bot.stories.model import BlockQuote, Paragraph, SceneBreak, Span, Story

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "corpus" / "kiss-of-blood.txt"


def _kinds(story: Story, chapter: int = 0) -> list[str]:
    return [
        "break" if isinstance(b, SceneBreak) else b.text for b in story.chapters[chapter].blocks
    ]


def _first_block(markdown: str) -> Paragraph | BlockQuote | SceneBreak:
    return parse_markdown(f"# Tale\n\n## One\n\n{markdown}\n").chapters[0].blocks[0]


# --- title, byline, chapters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("by Tess", ["Tess"]),
        ("by Tess & Jo", ["Tess", "Jo"]),
        ("by Tess and Jo", ["Tess", "Jo"]),
        ("by Tess, Jo", ["Tess", "Jo"]),
        ("*by Tess*", ["Tess"]),
    ],
)
def test_title_and_byline(byline: str, authors: list[str]) -> None:
    story = parse_markdown(f"# Night Falls\n{byline}\n\n## Chapter 1\n\nShe ran.\n")
    assert (story.title, story.authors) == ("Night Falls", authors)
    assert [(c.number, c.label, c.title, c.text) for c in story.chapters] == [
        (1, "Chapter 1", None, "She ran.")
    ]


def test_level_two_headings_are_chapters_and_deeper_ones_bold_paragraphs() -> None:
    text = "# Tale\n\n## The Start\n\nA.\n\n### A moment later\n\nB.\n\n## The End\n\nC.\n"
    story = parse_markdown(text)
    assert [(c.number, c.title) for c in story.chapters] == [(1, "The Start"), (2, "The End")]
    assert story.chapters[0].blocks[1] == Paragraph((Span("A moment later", bold=True),))
    assert story.chapters[1].text == "C."


def test_first_heading_that_reads_like_a_chapter_is_not_the_title() -> None:
    story = parse_markdown("# Chapter 1\n\nA.\n\n# Chapter 2\n\nB.\n")
    assert story.title == "Untitled"
    assert [(c.label, c.title) for c in story.chapters] == [
        ("Chapter 1", None),
        ("Chapter 2", None),
    ]


def test_without_a_title_heading_a_byline_line_gives_the_title() -> None:
    story = parse_markdown("Night Falls by Tess\n\nShe ran.\n")
    assert (story.title, story.authors) == ("Night Falls", ["Tess"])
    assert story.chapters[0].text == "She ran."


def test_no_headings_is_one_untitled_chapter() -> None:
    story = parse_markdown("She ran.\n\nShe hid.\n")
    assert story.title == "Untitled"
    assert [(c.title, c.text) for c in story.chapters] == [(None, "She ran.\n\nShe hid.")]


def test_only_headings_gives_chapters_without_blocks() -> None:
    story = parse_markdown("# Tale\n\n## One\n\n## Two\n")
    assert [c.title for c in story.chapters] == ["One", "Two"]
    assert all(not c.blocks for c in story.chapters)


# --- preamble and notes ---------------------------------------------------------------------


def test_preamble_quote_is_the_summary_and_labels_fill_metadata() -> None:
    text = (
        "# Tale\nby Tess\n\n> Buffy waits\n> for dawn.\n\nRating: T\n\nTags: angst, fluff\n\n"
        "## Chapter 1\n\nShe waited.\n"
    )
    story = parse_markdown(text)
    assert story.summary == "Buffy waits for dawn."
    assert (story.rating, story.tags) == ("T", ["angst", "fluff"])
    assert [c.text for c in story.chapters] == ["She waited."]


def test_summary_label_in_preamble() -> None:
    story = parse_markdown("# Tale\n\nSummary: Buffy waits.\n\n## One\n\nShe waited.\n")
    assert story.summary == "Buffy waits."


def test_long_preamble_is_an_untitled_first_chapter() -> None:
    preamble = "\n\n".join(f"Paragraph {i} of the opening." for i in range(5))
    story = parse_markdown(f"# Tale\n\n{preamble}\n\n## One\n\nShe waited.\n")
    assert story.summary is None
    assert [c.title for c in story.chapters] == [None, "One"]


def test_author_notes_before_and_after_the_body() -> None:
    text = "# Tale\n\n## One\n\nA/N: *Thanks* for reading!\n\nShe ran.\n\nDisclaimer: not mine.\n"
    chapter = parse_markdown(text).chapters[0]
    assert chapter.notes == "A/N: Thanks for reading!"
    assert chapter.end_notes == "Disclaimer: not mine."
    assert chapter.text == "She ran."


def test_seed_layout_in_markdown_gets_the_same_title_and_notes() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed corpus ../shared/corpus/{SEED.name} is absent")
    seed = SEED.read_text(encoding="utf-8")
    _, rest = seed.split("\n", 1)
    story = parse_markdown("# Kiss of Blood\nby Tess\n" + rest)
    assert (story.title, story.authors) == ("Kiss of Blood", ["Tess"])
    chapter = story.chapters[0]
    assert chapter.title == "They always leave"
    assert chapter.notes is not None
    assert chapter.notes.splitlines() == [
        "This is the first part of this story. There are two alternative sequels, let me know "
        "if I should post the,!",
        "I don't own any of the characters.",
        "Thanks to my beta, Nichole for her help.",
    ]
    assert chapter.text.startswith("Buffy quietly closed")
    assert chapter.text.endswith("He left. Just like they all did.")


# --- inline ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "spans"),
    [
        ("a *b* c", (Span("a "), Span("b", italic=True), Span(" c"))),
        ("a _b_ c", (Span("a "), Span("b", italic=True), Span(" c"))),
        ("a **b** c", (Span("a "), Span("b", bold=True), Span(" c"))),
        ("a __b__ c", (Span("a "), Span("b", bold=True), Span(" c"))),
        ("a ~~b~~ c", (Span("a "), Span("b", strike=True), Span(" c"))),
        ("a <u>b</u> c", (Span("a "), Span("b", underline=True), Span(" c"))),
        ("***b***", (Span("b", italic=True, bold=True),)),
        ("snake_case_name", (Span("snake_case_name"),)),
        ("use `code` here", (Span("use code here"),)),
        ("see [the site](https://example.com)", (Span("see the site"),)),
    ],
)
def test_inline_styles(markdown: str, spans: tuple[Span, ...]) -> None:
    assert _first_block(markdown) == Paragraph(spans)


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("one  \ntwo", "one\ntwo"),
        ("one\\\ntwo", "one\ntwo"),
        ("one<br>two", "one\ntwo"),
        ("one\ntwo", "one two"),
    ],
)
def test_hard_breaks_are_kept_and_soft_breaks_are_spaces(markdown: str, text: str) -> None:
    block = _first_block(markdown)
    assert isinstance(block, Paragraph)
    assert block.text == text


def test_curly_quotes_and_dashes_kept_as_written() -> None:
    block = _first_block('“Where’ve you been?” — she asked… "plain" -- too')
    assert block.text == '“Where’ve you been?” — she asked… "plain" -- too'


# --- blocks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["---", "***", "* * *", "<hr>", "~~~", "• • •", "§", "###"])
def test_scene_breaks(marker: str) -> None:
    story = parse_markdown(f"# Tale\n\n## One\n\nBefore.\n\n{marker}\n\nAfter.\n")
    assert _kinds(story) == ["Before.", "break", "After."]


def test_setext_underline_under_prose_is_a_scene_break() -> None:
    story = parse_markdown("# Tale\n\n## One\n\nShe left the room.\n---\n\nAfter.\n")
    assert [c.title for c in story.chapters] == ["One"]
    assert _kinds(story) == ["She left the room.", "break", "After."]


def test_blockquotes_become_block_quotes() -> None:
    story = parse_markdown("# Tale\n\n## One\n\nShe read:\n\n> Dear Buffy,\n>\n> *Come home.*\n")
    quote = story.chapters[0].blocks[1]
    assert quote == BlockQuote(
        (Paragraph((Span("Dear Buffy,"),)), Paragraph((Span("Come home.", italic=True),)))
    )


def test_lists_and_code_keep_their_text() -> None:
    text = "# Tale\n\n## One\n\n- milk\n- eggs\n\n3. three\n4. four\n\n```\nline 1\nline 2\n```\n"
    assert _kinds(parse_markdown(text)) == [
        "• milk",
        "• eggs",
        "3. three",
        "4. four",
        "line 1\nline 2",
    ]


# --- robustness -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "她走进了黑暗。\n\n他没有回头。",
        "היא רצה אל החושך.\n\nهو لم ينظر إلى الوراء.",
        "🧛‍♀️ Buffy 💔 Spike 🩸",
        "x" * 100_000,
        "> " * 500 + "deep",
        "*a " * 5_000,
        "<div><p>html <b>block</b></p></div>",
    ],
)
def test_unusual_markdown_does_not_crash(body: str) -> None:
    story = parse_markdown(f"# Tale\n\n{body}\n")
    assert story.title == "Tale"
    assert story.chapters


_TOKENS = st.sampled_from(
    [
        "#", "##", "###", "Chapter", "1", "by", "&", "Summary:", "A/N:", "*", "**", "_", "__", "~~",
        "~~~", "---", "* * *", ">", "-", "1.", "`", "```", "<u>", "</u>", "<br>", "<hr>", "[", "]",
        "(", ")", "\\", "  \n", "\n", "\n\n", "word", "Title", "§", "é", "😂",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), st.lists(_TOKENS, max_size=80).map(" ".join)))
def test_arbitrary_markdown_never_raises_anything_but_import_refused(text: str) -> None:
    try:
        story = parse_markdown(text)
    except ImportRefused:
        return
    assert story.title
    assert [c.number for c in story.chapters] == list(range(1, len(story.chapters) + 1))


# Plain words: letters only, none of which can spell a heading keyword or a label.
_WORD = st.text(alphabet="aefghjknorstuwyzéßжλ字", min_size=1, max_size=10)
_PARAGRAPH = st.lists(_WORD, min_size=1, max_size=20).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=1, max_size=12))
def test_body_words_are_preserved_in_order(paragraphs: list[str]) -> None:
    assume(all(p.strip() for p in paragraphs))
    story = parse_markdown("# Tale\n\n## One\n\n" + "\n\n".join(paragraphs) + "\n")
    words = [w for c in story.chapters for w in c.text.split()]
    assert words == " ".join(paragraphs).split()


def test_a_large_markdown_story_parses_completely() -> None:
    # Speed is measured by `python -m bench import`; this checks nothing is lost at scale.
    paragraph = (
        "“Hi sweetie.” Tara whispered, offering Buffy a *small* smile. “Where’ve you been?” "
        "Buffy sat down next to Tara and took the spoon the other girl offered her…"
    )
    chapter_count = 200_000 // (len(paragraph.split()) * 100) + 1
    chapter_body = "\n\n".join([paragraph] * 100)
    chapters = [f"## Chapter {n}\n\n{chapter_body}" for n in range(1, chapter_count + 1)]
    text = "# Big Story\nby Tess\n\n" + "\n\n---\n\n".join(chapters)
    story = parse_markdown(text)
    assert story.word_count >= 200_000
    assert len(story.chapters) == chapter_count


def test_a_labelled_chapter_named_like_the_story_is_no_title_page() -> None:
    story = parse_markdown("# Night Falls\n\n## Chapter 1: Night Falls\n\nShe ran.\n")
    assert [(c.label, c.title, c.text) for c in story.chapters] == [
        ("Chapter 1", "Night Falls", "She ran.")
    ]
    assert story.skipped == []
