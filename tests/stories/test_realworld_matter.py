"""Front and back matter of real downloads: not posted as chapters, but reported as skipped.

Chapter counts and boundaries were checked by reading each file in `../shared/realworld/`.
"""

from __future__ import annotations

import pytest

from bot.stories.importers.matter import PG_HEADER, PG_LICENCE, separate_matter
from bot.stories.model import Chapter, Story, plain_paragraph

try:
    from tests.stories.realworld import load
except ImportError:  # collected without the repository root on sys.path
    from realworld import load

ALICE_TITLES = [
    "Down the Rabbit-Hole",
    "The Pool of Tears",
    "A Caucus-Race and a Long Tale",
    "The Rabbit Sends in a Little Bill",
    "Advice from a Caterpillar",
    "Pig and Pepper",
    "A Mad Tea-Party",
    "The Queen’s Croquet-Ground",
    "The Mock Turtle’s Story",
    "The Lobster Quadrille",
    "Who Stole the Tarts?",
    "Alice’s Evidence",
]

# (file, chapters the book has, text its last chapter ends with)
GUTENBERG_BOOKS = [
    ("pg11-alice-epub3.epub", 12, "THE END"),
    ("pg11-alice-epub2.epub", 12, "THE END"),
    ("pg1952-yellow-wallpaper-epub3.epub", 1, "so that I had to creep over him every time!"),
    ("pg219-heart-of-darkness-epub3.epub", 3, "into the heart of an immense darkness."),
    ("pg84-frankenstein-epub3.epub", 28, "lost in darkness and distance."),  # 4 letters + 24
    ("pg1342-pride-and-prejudice-epub2-2012.epub", 61, "the means of uniting them."),
    ("pg1661-sherlock-holmes-epub3.epub", 12, "has met with considerable success."),
    ("pg1080-modest-proposal-epub3.epub", 1, "past child-bearing."),
]


@pytest.mark.parametrize(("name", "count", "ending"), GUTENBERG_BOOKS)
def test_gutenberg_frame_is_skipped_not_posted(name: str, count: int, ending: str) -> None:
    story = load(name)
    assert len(story.chapters) == count
    assert story.chapters[-1].text.rstrip().endswith(ending)
    reasons = {skipped.title for skipped in story.skipped}
    assert {PG_HEADER, PG_LICENCE} <= reasons
    licence = next(s for s in story.skipped if s.title == PG_LICENCE)
    assert licence.words > 2000
    for chapter in story.chapters:
        assert "Project Gutenberg" not in chapter.text, chapter.number


@pytest.mark.parametrize("name", ["pg11-alice-epub3.epub", "pg11-alice-epub2.epub"])
def test_alice_licence_not_glued_to_chapter_twelve(name: str) -> None:
    story = load(name)
    assert [c.title for c in story.chapters] == ALICE_TITLES
    last = story.chapters[-1]
    assert last.text.startswith("“Here!” cried Alice")
    assert "START: FULL LICENSE" not in last.text


def test_title_page_with_contents_is_skipped() -> None:
    story = load("pg1342-pride-and-prejudice-epub2-2012.epub")
    assert story.chapters[0].text.startswith("It is a truth universally acknowledged")
    assert any(s.reason == "title page" for s in story.skipped)


def test_title_page_and_publisher_lines_are_skipped() -> None:
    story = load("pg345-dracula-epub3.epub")
    assert story.chapters[0].text.startswith("(Kept in shorthand.)")
    assert any(s.title == "D R A C U L A" and s.reason == "title page" for s in story.skipped)


def test_list_of_illustrations_and_edition_note_are_skipped() -> None:
    story = load("pg46-christmas-carol-epub3.epub")
    reasons = {s.reason for s in story.skipped}
    assert {"list of illustrations", "edition note"} <= reasons
    assert all("Artist." not in c.text for c in story.chapters)


@pytest.mark.parametrize(
    "name",
    [
        "txt-pg16-peter-pan-bom.txt",
        "txt-pg1952-yellow-wallpaper-old-header.txt",
        "txt-pg43-jekyll-hyde-cp1252.txt",
        "txt-pg46-christmas-carol-cp1252.txt",
        "txt-pg64317-great-gatsby-cp1252.txt",
    ],
)
def test_gutenberg_text_frame_is_skipped(name: str) -> None:
    story = load(name)
    assert {PG_HEADER, PG_LICENCE} <= {s.title for s in story.skipped}
    for chapter in story.chapters:
        assert "*** START OF" not in chapter.text
        assert "Project Gutenberg License" not in chapter.text


@pytest.mark.parametrize("name", ["txt-pg11-alice-no-licence.txt", "txt-pg16-peter-pan-bom.txt"])
def test_contents_lines_are_one_skipped_table_not_empty_chapters(name: str) -> None:
    story = load(name)
    assert all(chapter.blocks for chapter in story.chapters)
    contents = [s for s in story.skipped if s.reason == "table of contents"]
    assert len(contents) == 1 and contents[0].words > 0


def test_words_of_the_frame_are_counted() -> None:
    story = Story(
        title="T",
        chapters=[
            Chapter(1, blocks=[plain_paragraph("header words here")]),
            Chapter(
                2,
                title="One",
                blocks=[
                    plain_paragraph("*** START OF THE PROJECT GUTENBERG EBOOK T ***"),
                    plain_paragraph("Once upon a time."),
                    plain_paragraph("*** END OF THE PROJECT GUTENBERG EBOOK T ***"),
                    plain_paragraph("licence text"),
                ],
            ),
        ],
    )
    separate_matter(story)
    assert [c.text for c in story.chapters] == ["Once upon a time."]
    header, licence = story.skipped
    assert (header.title, header.words) == (PG_HEADER, 3 + 9)
    assert (licence.title, licence.words) == (PG_LICENCE, 9 + 2)
