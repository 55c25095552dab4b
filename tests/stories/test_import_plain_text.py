"""Tests for the plain-text importer: the seed story, headers, headings, notes, layout, emphasis."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.errors import ImportRefused
from bot.stories.importers.plain_text import parse_text
from bot.stories.model import Paragraph, SceneBreak, Span, Story

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "corpus" / "kiss-of-blood.txt"


def _seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed corpus ../shared/corpus/{SEED.name} is absent")
    return SEED.read_bytes().decode("utf-8").replace("\r\n", "\n")


def _blocks(story: Story, chapter: int = 0) -> list:
    return story.chapters[chapter].blocks


def _texts(story: Story, chapter: int = 0) -> list[str]:
    return [b.text for b in _blocks(story, chapter) if not isinstance(b, SceneBreak)]


def _kinds(story: Story, chapter: int = 0) -> list[str]:
    return ["break" if isinstance(b, SceneBreak) else b.text for b in _blocks(story, chapter)]


# --- the seed story -------------------------------------------------------------------------


def test_seed_header_and_single_chapter() -> None:
    story = parse_text(_seed_text())
    assert story.title == "Kiss of Blood"
    assert story.authors == ["Tess"]
    assert story.summary is None
    assert len(story.chapters) == 1
    chapter = story.chapters[0]
    assert chapter.number == 1
    assert chapter.title == "They always leave"
    assert chapter.notes == (
        "This is the first part of this story. There are two alternative sequels, let me know "
        "if I should post the,!\nI don't own any of the characters.\n"
        "Thanks to my beta, Nichole for her help."
    )
    assert chapter.end_notes is None


def test_seed_body_and_its_one_scene_break() -> None:
    text = _seed_text()
    chapter = parse_text(text).chapters[0]
    assert chapter.text.startswith("Buffy quietly closed")
    assert chapter.text.endswith("He left. Just like they all did.")
    breaks = [i for i, b in enumerate(chapter.blocks) if isinstance(b, SceneBreak)]
    assert len(breaks) == 1
    # The break sits where the seed has its wider blank gap, before "Buffy knew the way".
    assert chapter.blocks[breaks[0] - 1].text.endswith("Tara said to the empty room.")
    assert chapter.blocks[breaks[0] + 1].text.startswith("Buffy knew the way")
    # Every prose paragraph of the file is in the body, in order, with its curly quotes.
    body_start = text.index("Buffy quietly closed")
    expected = [p.strip() for p in text[body_start:].split("\n\n") if p.strip()]
    assert _texts(parse_text(text)) == expected
    assert "“Hi sweetie.”" in chapter.text


# --- header: title and authors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_line", "title", "authors"),
    [
        ("Kiss of Blood by Tess", "Kiss of Blood", ["Tess"]),
        ("Night Falls by Tess & Jo", "Night Falls", ["Tess", "Jo"]),
        ("Night Falls by Tess and Jo", "Night Falls", ["Tess", "Jo"]),
        ("Night Falls by Tess, Jo", "Night Falls", ["Tess", "Jo"]),
        ("Night Falls by Tess, Jo and Sam", "Night Falls", ["Tess", "Jo", "Sam"]),
        ("Stand by Me by Tess", "Stand by Me", ["Tess"]),
    ],
)
def test_title_by_author_line(first_line: str, title: str, authors: list[str]) -> None:
    story = parse_text(f"{first_line}\n\nShe ran.\n")
    assert (story.title, story.authors) == (title, authors)
    assert _texts(story) == ["She ran."]


def test_title_then_byline_on_next_line() -> None:
    story = parse_text("Night Falls\nby Tess & Jo\n\nShe ran.\n")
    assert (story.title, story.authors) == ("Night Falls", ["Tess", "Jo"])
    assert _texts(story) == ["She ran."]


def test_short_first_line_without_byline_is_the_title() -> None:
    story = parse_text("The Long Night\n\nShe ran into the dark.\n")
    assert (story.title, story.authors) == ("The Long Night", [])
    assert _texts(story) == ["She ran into the dark."]


@pytest.mark.parametrize(
    "text",
    [
        "She ran into the dark, and did not look back once.\n\nThen she stopped.\n",
        "“Run,” she said\n\nThey ran.\n",
        "A line of verse\nand another\n\nMore.\n",
    ],
)
def test_first_line_that_is_not_a_title_stays_in_the_body(text: str) -> None:
    story = parse_text(text)
    assert story.title == "Untitled"
    assert story.authors == []
    assert story.chapters[0].text.split() == text.split()


def test_header_metadata_labels() -> None:
    text = (
        "Night Falls by Tess\nRating: T\nTags: angst, hurt/comfort\nWarnings: none\n"
        "Language: English\n\nSummary:\n\nBuffy waits for dawn.\n\nShe waited.\n"
    )
    story = parse_text(text)
    assert story.rating == "T"
    assert story.tags == ["angst", "hurt/comfort"]
    assert story.warnings == ["none"]
    assert story.language == "English"
    assert story.summary == "Buffy waits for dawn."
    assert _texts(story) == ["She waited."]


# --- chapter headings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "label", "title"),
    [
        ("Chapter 3", "Chapter 3", None),
        ("Chapter Three: The Fall", "Chapter Three", "The Fall"),
        ("CHAPTER III", "CHAPTER III", None),
        ("Chapter 3 - The Fall", "Chapter 3", "The Fall"),
        ("Chapter 3. The Fall", "Chapter 3", "The Fall"),
        ("Chapter Twenty-One", "Chapter Twenty-One", None),
        ("Prologue", None, "Prologue"),
        ("Epilogue", None, "Epilogue"),
        ("Part 2", "Part 2", None),
        ("~ Chapter 3 ~", "Chapter 3", None),
    ],
)
def test_heading_lines_start_chapters(heading: str, label: str | None, title: str | None) -> None:
    story = parse_text(
        f"Tale by Tess\n\nChapter 1\n\nOpening words.\n\n{heading}\n\nLater words.\n"
    )
    assert [c.number for c in story.chapters] == [1, 2]
    # The source's own label is kept apart from the title ("Chapter 3" stays "Chapter 3").
    assert (story.chapters[1].label, story.chapters[1].title) == (label, title)
    assert _texts(story, 1) == ["Later words."]


@pytest.mark.parametrize(
    "line",
    [
        "Part of me wanted to stay.",
        "Part 2 of the plan was simple",
        "Chapter and verse, she thought.",
        "The prologue was long.",
    ],
)
def test_prose_that_resembles_a_heading_is_body(line: str) -> None:
    story = parse_text(f"Tale by Tess\n\nChapter 1\n\nStart.\n\n{line}\n\nEnd.\n")
    assert len(story.chapters) == 1
    assert _texts(story) == ["Start.", line, "End."]


def test_headings_number_chapters_by_position() -> None:
    text = (
        "Tale by Tess\n\nPrologue\n\nA.\n\nChapter 1\n\nB.\n\nChapter 2: Home\n\nC.\n\n"
        "Epilogue\n\nD.\n"
    )
    story = parse_text(text)
    assert [(c.number, c.label, c.title, c.text) for c in story.chapters] == [
        (1, None, "Prologue", "A."),
        (2, "Chapter 1", None, "B."),
        (3, "Chapter 2", "Home", "C."),
        (4, None, "Epilogue", "D."),
    ]


def test_subtitle_on_the_line_after_a_bare_heading() -> None:
    story = parse_text("Tale by Tess\n\nChapter 3\nThe Fall\n\nShe fell.\n")
    assert (story.chapters[0].label, story.chapters[0].title) == ("Chapter 3", "The Fall")
    assert _texts(story) == ["She fell."]


def test_empty_part_heading_folds_into_the_next_chapter() -> None:
    story = parse_text("Tale by Tess\n\nPart One\n\nChapter 1\n\nA.\n\nChapter 2\n\nB.\n")
    assert [(c.label, c.title) for c in story.chapters] == [
        ("Part One — Chapter 1", None),
        ("Chapter 2", None),
    ]


def test_only_headings_gives_chapters_without_blocks() -> None:
    story = parse_text("Tale by Tess\n\nChapter 1\n\nChapter 2\n")
    assert [(c.label, c.title) for c in story.chapters] == [
        ("Chapter 1", None),
        ("Chapter 2", None),
    ]
    assert all(not c.blocks for c in story.chapters)


def test_short_preamble_before_first_heading_is_the_summary() -> None:
    story = parse_text("Tale by Tess\n\nBuffy waits.\n\nChapter 1\n\nShe waited.\n")
    assert story.summary == "Buffy waits."
    assert [c.text for c in story.chapters] == ["She waited."]


def test_long_preamble_before_first_heading_is_an_untitled_chapter() -> None:
    preamble = "\n\n".join(f"Paragraph {i} of the opening." for i in range(5))
    story = parse_text(f"Tale by Tess\n\n{preamble}\n\nChapter 1\n\nShe waited.\n")
    assert story.summary is None
    assert [(c.label, c.title) for c in story.chapters] == [(None, None), ("Chapter 1", None)]
    assert len(_texts(story, 0)) == 5


# --- notes ----------------------------------------------------------------------------------


def test_author_notes_before_and_after_the_body() -> None:
    text = (
        "Tale by Tess\n\nChapter 1\n\nA/N: Thanks for reading!\nDisclaimer: not mine.\n\n"
        "She ran.\n\nA/N: Review please!\n\nChapter 2\n\nDisclaimer: still not mine.\n\nB.\n"
    )
    story = parse_text(text)
    first, second = story.chapters
    assert first.notes == "A/N: Thanks for reading!\nDisclaimer: not mine."
    assert first.end_notes == "A/N: Review please!"
    assert first.text == "She ran."
    assert second.notes == "Disclaimer: still not mine."
    assert second.text == "B."


def test_notes_and_end_notes_sections_drop_their_labels() -> None:
    text = "Tale by Tess\n\nChapter 1\n\nNotes: Short one.\n\nBody.\n\nEnd Notes: Bye.\n"
    chapter = parse_text(text).chapters[0]
    assert (chapter.notes, chapter.end_notes, chapter.text) == ("Short one.", "Bye.", "Body.")


def test_notes_block_followed_by_a_title_paragraph() -> None:
    story = parse_text("Tale by Tess\n\nChapter Notes: Enjoy.\n\nThe Fall\n\nShe fell.\n\nUp.\n")
    chapter = story.chapters[0]
    assert (chapter.notes, chapter.title, chapter.text) == (
        "Enjoy.",
        "The Fall",
        "She fell.\n\nUp.",
    )


# --- layout: paragraphs, line breaks, scene breaks -----------------------------------------


@pytest.mark.parametrize("marker", ["* * *", "***", "~~~", "---", "• • •", "§", "oOo", "#", "-~-"])
def test_scene_break_lines(marker: str) -> None:
    story = parse_text(f"Tale by Tess\n\nBefore.\n\n{marker}\n\nAfter.\n")
    assert _kinds(story) == ["Before.", "break", "After."]


def test_scene_break_line_inside_a_paragraph_splits_it() -> None:
    story = parse_text("Tale by Tess\n\nBefore.\n* * *\nAfter.\n")
    assert _kinds(story) == ["Before.", "break", "After."]


@pytest.mark.parametrize("line", ["“…”", "...", "?!", "“...?”", "😂", "💔💔💔"])
def test_punctuation_or_emoji_only_lines_are_not_breaks(line: str) -> None:
    story = parse_text(f"Tale by Tess\n\nBefore.\n\n{line}\n\nAfter.\n")
    assert _kinds(story) == ["Before.", line, "After."]


def test_wide_gap_is_a_scene_break_when_the_usual_gap_is_one_line() -> None:
    story = parse_text("Tale by Tess\n\nA.\n\nB.\n\n\nC.\n\n\n\nD.\n\nE.\n")
    assert _kinds(story) == ["A.", "B.", "break", "C.", "break", "D.", "E."]


def test_two_blank_lines_everywhere_is_the_normal_gap() -> None:
    story = parse_text("Tale by Tess\n\n\nA.\n\n\nB.\n\n\nC.\n\n\n\nD.\n")
    assert _kinds(story) == ["A.", "B.", "C.", "D."]


def test_lines_of_a_paragraph_keep_their_breaks() -> None:
    verse = "Roses are red,\nViolets are blue,\nSugar is sweet,\nAnd so are you."
    story = parse_text(f"Poem by Tess\n\n{verse}\n\nThe end.\n")
    assert _texts(story) == [verse, "The end."]


def test_hard_wrapped_prose_is_rejoined_but_verse_is_not() -> None:
    sentence = "It was the best of times, it was the worst of times, it was the age of wisdom. "
    paragraphs = [textwrap.fill(sentence * 3 + f"Number {i}.", 70) for i in range(6)]
    verse = "Roses are red,\nViolets are blue,\nSugar is sweet,\nAnd so are you."
    text = "Tale by Dickens\n\n" + "\n\n".join([*paragraphs[:3], verse, *paragraphs[3:]])
    texts = _texts(parse_text(text))
    assert texts[3] == verse
    prose = [t for i, t in enumerate(texts) if i != 3]
    assert prose == [" ".join(p.split("\n")) for p in paragraphs]
    assert all("\n" not in t for t in prose)


def test_one_line_per_paragraph_files() -> None:
    lines = [f"Paragraph {i} " + "goes on and on with many words in it. " * 4 for i in range(6)]
    text = "Tale by Tess\n\n" + "\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:])
    story = parse_text(text)
    assert _kinds(story) == [
        *(s.strip() for s in lines[:3]),
        "break",
        *(s.strip() for s in lines[3:]),
    ]


def test_leading_and_trailing_breaks_are_dropped() -> None:
    story = parse_text("Tale by Tess\n\n* * *\n\nA.\n\n* * *\n\n~~~\n\nB.\n\n* * *\n")
    assert _kinds(story) == ["A.", "break", "B."]


# --- inline emphasis -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("a *b* c", (Span("a "), Span("b", italic=True), Span(" c"))),
        ("a _b_ c", (Span("a "), Span("b", italic=True), Span(" c"))),
        ("a **b c** d", (Span("a "), Span("b c", bold=True), Span(" d"))),
        ("***both***", (Span("both", italic=True, bold=True),)),
        (
            "**a *b* c**",
            (Span("a ", bold=True), Span("b", bold=True, italic=True), Span(" c", bold=True)),
        ),
        ("(*aside*)", (Span("("), Span("aside", italic=True), Span(")"))),
        ("snake_case_name", (Span("snake_case_name"),)),
        ("2*3*4", (Span("2*3*4"),)),
        ("a * b * c", (Span("a * b * c"),)),
        ("*unpaired", (Span("*unpaired"),)),
    ],
)
def test_inline_emphasis_only_when_paired_on_word_boundaries(text: str, spans: tuple) -> None:
    story = parse_text(f"Tale by Tess\n\n{text}\n\nEnd.\n")
    assert _blocks(story)[0] == Paragraph(spans)


def test_emphasis_may_span_a_hard_line_break() -> None:
    story = parse_text("Tale by Tess\n\n*first line\nsecond line* after\n")
    assert _blocks(story)[0].spans == (Span("first line\nsecond line", italic=True), Span(" after"))


# --- robustness -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "她走进了黑暗。\n\n他没有回头。",
        "היא רצה אל החושך.\n\nهو لم ينظر إلى الوراء.",
        "🧛‍♀️ Buffy 💔 Spike 🩸\n\n😂",
        "x" * 200_000,
        ("word " * 50_000).strip(),
        "*" * 10_000 + "_" * 10_000,
    ],
)
def test_unusual_text_does_not_crash(body: str) -> None:
    story = parse_text(f"Tale by Tess\n\n{body}\n")
    assert story.title == "Tale"
    words = [w for b in _blocks(story) if not isinstance(b, SceneBreak) for w in b.text.split()]
    if not set(body) <= {"*", "_"}:
        assert words == body.split()


_TOKENS = st.sampled_from(
    [
        "Chapter", "1", "Three:", "Prologue", "Part", "by", "&", "and", ",", "Summary:", "Notes:",
        "A/N:", "Disclaimer:", "Chapter Notes:", "*", "**", "_", "~~~", "* * *", "§", "“", "”",
        "…", "word", "Title", "\n", "\n", "\n\n", "\n\n\n", " ", "\t", "\u200b", "\ufeff", "é",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), st.lists(_TOKENS, max_size=80).map(" ".join)))
def test_arbitrary_text_never_raises_anything_but_import_refused(text: str) -> None:
    try:
        story = parse_text(text)
    except ImportRefused:
        return
    assert story.title
    assert [c.number for c in story.chapters] == list(range(1, len(story.chapters) + 1))


# Words made of letters that cannot spell a heading keyword, a Roman numeral or a label.
_WORD = st.text(alphabet="aefghjknorstuwyzéßжλ字", min_size=1, max_size=10)
_LINE = st.lists(_WORD, min_size=1, max_size=12).map(" ".join)
_PARAGRAPH = st.lists(_LINE, min_size=1, max_size=4).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=1, max_size=12), st.sampled_from(["\n\n", "\n\n\n"]))
def test_body_words_are_preserved_in_order(paragraphs: list[str], gap: str) -> None:
    assume(all(p.strip() for p in paragraphs))
    story = parse_text("Tale by Tess\n\n" + gap.join(paragraphs) + "\n")
    words = [w for c in story.chapters for w in c.text.split()]
    assert words == " ".join(paragraphs).split()


def test_a_million_words_parse_completely() -> None:
    # Speed is measured by `python -m bench import`; this checks nothing is lost at scale.
    paragraph = (
        "“Hi sweetie.” Tara whispered, offering Buffy a *small* smile. “Where’ve you been?” "
        "Buffy sat down next to Tara and took the spoon the other girl offered her…"
    )
    per = len(paragraph.split())
    chapters = [
        f"Chapter {n}\n\n" + "\n\n".join([paragraph] * 100)
        for n in range(1, 1 + 1_000_000 // (per * 100) + 1)
    ]
    text = "Big Story by Tess\n\n" + "\n\n* * *\n\n".join(chapters)
    story = parse_text(text)
    assert story.word_count >= 1_000_000
    assert len(story.chapters) == len(chapters)
