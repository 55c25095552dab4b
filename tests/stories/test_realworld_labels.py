"""The book's own chapter labels, and subtitles under headings, kept from real files.

Labels, titles and subtitles were read from the files in `../shared/` by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.stories.importers import import_story
from bot.stories.importers.titles import split_label
from bot.stories.model import Chapter, Story, plain_paragraph
from bot.stories.render import heading_text, render_chapter

try:
    from tests.stories.realworld import load
except ImportError:  # collected without the repository root on sys.path
    from realworld import load

MOBY = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "moby-dick.epub"


@pytest.fixture(scope="module")
def moby() -> Story:
    if not MOBY.is_file():
        pytest.skip("corpus file ../shared/corpus/moby-dick.epub is absent")
    return import_story(MOBY.read_bytes(), MOBY.name)


def _chapter(story: Story, label: str) -> Chapter:
    return next(c for c in story.chapters if c.label == label)


# (label, title, first paragraph: the subtitle or stage direction printed under the heading)
MOBY_SUBTITLES = [
    ("Chapter 40", "Midnight, Forecastle", "HARPOONEERS AND SAILORS."),
    (
        "Chapter 100",
        "Leg and Arm",
        "The Pequod, of Nantucket, Meets the Samuel Enderby, of London.",
    ),
    ("Chapter 108", "Ahab and the Carpenter", "The Deck—First Night Watch."),
    (
        "Chapter 120",
        "The Deck Towards the End of the First Night Watch",
        "AHAB STANDING BY THE HELM. STARBUCK APPROACHING HIM.",
    ),
]


@pytest.mark.parametrize(("label", "title", "first"), MOBY_SUBTITLES)
def test_moby_dick_labels_and_subtitles(moby: Story, label: str, title: str, first: str) -> None:
    chapter = _chapter(moby, label)
    assert chapter.title == title
    assert chapter.blocks[0].text == first


def test_moby_dick_chapter_40_is_headed_by_its_own_number(moby: Story) -> None:
    chapter = _chapter(moby, "Chapter 40")
    assert chapter.number == 42  # Etymology and Extracts come first; number stays the position
    assert heading_text(chapter) == "Chapter 40: Midnight, Forecastle"
    assert render_chapter(chapter).text.startswith("**Chapter 40: Midnight, Forecastle**")
    assert moby.chapters[0].label is None and moby.chapters[0].title == "ETYMOLOGY"


CAROL_TITLES = [
    "Marley’s Ghost",
    "The First of the Three Spirits",
    "The Second of the Three Spirits",
    "The Last of the Spirits",
    "The End of It",
]


def test_standard_ebooks_stave_hgroups() -> None:
    story = load("se-charles-dickens_a-christmas-carol.epub")
    staves = story.chapters[1:]  # after the (optional) Preface
    assert [c.label for c in staves] == ["Stave I", "Stave II", "Stave III", "Stave IV", "Stave V"]
    assert [c.title for c in staves] == CAROL_TITLES
    assert staves[0].text.startswith("Marley was dead, to begin with.")


def test_gutenberg_stave_with_subtitle_on_a_second_heading() -> None:
    story = load("pg46-christmas-carol-epub3.epub")
    stave_one = _chapter(story, "STAVE ONE")
    assert stave_one.title == "MARLEY’S GHOST"
    assert stave_one.text.startswith("Marley was dead: to begin with.")
    assert heading_text(stave_one) == "STAVE ONE: MARLEY’S GHOST"


def test_frankenstein_letters_then_chapters() -> None:
    story = load("pg84-frankenstein-epub3.epub")
    labels = [c.label for c in story.chapters]
    assert labels[:5] == ["Letter 1", "Letter 2", "Letter 3", "Letter 4", "Chapter 1"]
    assert labels[-1] == "Chapter 24"


@pytest.mark.parametrize(
    ("raw", "label", "title"),
    [
        ("CHAPTER 40. Midnight, Forecastle.", "CHAPTER 40", "Midnight, Forecastle"),
        ("Stave One", "Stave One", None),
        ("Book II Chapter 3: Home", "Book II Chapter 3", "Home"),
        ("Epilogue: After", "Epilogue", "After"),
        ("Prologue", None, "Prologue"),
        ("Preface to the Reader", None, "Preface to the Reader"),
        ("Chapterhouse", None, "Chapterhouse"),
        ("The Storm", None, "The Storm"),
    ],
)
def test_split_label(raw: str, label: str | None, title: str | None) -> None:
    assert split_label(raw) == (label, title)


def test_heading_without_label_keeps_the_interface_numbering() -> None:
    chapter = Chapter(3, title="The Storm", blocks=[plain_paragraph("x")])
    assert heading_text(chapter) == "Chapter 3: The Storm"
    chapter.label = "Stave Three"
    assert heading_text(chapter) == "Stave Three: The Storm"
    chapter.title = None
    assert heading_text(chapter) == "Stave Three"


def test_an_image_caption_does_not_split_a_stave() -> None:
    story = load("pg46-christmas-carol-epub3.epub")
    staves = [c for c in story.chapters if c.label and c.label.startswith("STAVE")]
    assert [c.label for c in staves] == [
        "STAVE ONE",
        "STAVE TWO",
        "STAVE THREE",
        "STAVE FOUR",
        "STAVE FIVE",
    ]
    # The caption file of Stave Four ("The Last of the Spirits") continues the stave.
    assert "“Am I that man who lay upon the bed?” he cried" in staves[3].text
    assert all(c.title != "The Last of the Spirits" for c in story.chapters)
