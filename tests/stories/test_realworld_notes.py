"""AO3 downloads (HTML and calibre EPUB): notes, end notes, summaries and credits in place.

Expectations were written by reading the files in `../shared/realworld/`.
"""

from __future__ import annotations

import pytest

try:
    from tests.stories.realworld import load
except ImportError:  # collected without the repository root on sys.path
    from realworld import load

LEAKED_LABELS = (
    "Chapter Notes",
    "Chapter Summary",
    "Chapter End Notes",
    "Chapter by",
    "See the end",
)

CAROL_TITLES = [
    "Marley’s Ghost",
    "The First of the Three Spirits",
    "The Second of the Three Spirits",
    "The Last of the Spirits.",  # the author's trailing period is part of the title
    "The End of It",
]


@pytest.mark.parametrize(
    "name", ["ao3-dickens-a-christmas-carol.html", "ao3-dickens-a-christmas-carol.epub"]
)
def test_carol_notes_and_titles(name: str) -> None:
    story = load(name)
    assert story.authors == ["Charles Dickens"]
    assert [c.title for c in story.chapters] == CAROL_TITLES
    assert story.summary and story.summary.startswith("Being a Ghost Story of Christmas")
    assert story.notes and story.notes.startswith("I have endeavoured in this Ghostly little book")
    assert story.end_notes and story.end_notes.startswith("Text of the Standard Ebooks edition")
    first, third, fifth = story.chapters[0], story.chapters[2], story.chapters[4]
    assert first.notes and first.notes.startswith("The first edition called each chapter a stave")
    assert first.end_notes and first.end_notes.startswith("Stave I closes with Scrooge")
    assert third.summary and third.summary.startswith("Scrooge is taken to the Cratchits’")
    assert fifth.notes is None  # only a pointer to the end notes
    assert fifth.end_notes == "Thank you for reading all five staves."
    assert fifth.text.startswith("Yes! and the bedpost was his own.")


@pytest.mark.parametrize("name", ["ao3-grimm-three-tales.html", "ao3-grimm-three-tales.epub"])
def test_grimm_co_authors_and_chapter_credit(name: str) -> None:
    story = load(name)
    # The EPUB's calibre creator is one "Jacob Grimm, Wilhelm Grimm"; the byline has both.
    assert story.authors == ["Jacob Grimm", "Wilhelm Grimm"]
    assert [c.title for c in story.chapters] == [
        "Old Sultan",
        "The Straw, The Coal, And The Bean",
        "The Mouse, The Bird, And The Sausage",
    ]
    old_sultan, straw, mouse = story.chapters
    assert story.summary and story.summary.startswith("An old dog, a bean that laughs")
    assert story.notes is None
    assert story.end_notes and story.end_notes.startswith("Translated by Margaret Hunt (1884)")
    assert old_sultan.summary == "Sultan the old sheepdog and a wolf make a bargain."
    assert straw.notes == "This is why beans have a black seam."
    assert mouse.authors == ["Wilhelm Grimm"]
    assert mouse.summary == "A partnership that ends badly for all three."
    assert mouse.end_notes == "The moral is Grimm’s own, not the translator’s."
    assert mouse.text.startswith("Once upon a time, a mouse, a bird, and a sausage")


def test_one_shot_keeps_work_notes_and_end_notes() -> None:
    story = load("ao3-blake-the-tiger.html")
    assert len(story.chapters) == 1
    assert story.notes and story.notes.startswith("From Songs of Experience, 1794.")
    assert story.end_notes == "The companion poem in Songs of Innocence is The Lamb."
    assert story.chapters[0].text.startswith("Tiger, tiger, burning bright\nIn the forests")


@pytest.mark.parametrize(
    "name",
    [
        "ao3-dickens-a-christmas-carol.html",
        "ao3-dickens-a-christmas-carol.epub",
        "ao3-grimm-three-tales.html",
        "ao3-grimm-three-tales.epub",
        "ao3-blake-the-tiger.html",
    ],
)
def test_no_note_label_leaks_into_a_body(name: str) -> None:
    story = load(name)
    for chapter in story.chapters:
        for label in LEAKED_LABELS:
            assert label not in chapter.text, (chapter.number, label)


@pytest.mark.parametrize("name", ["ff-test1-673-multiauthor.html", "ff-test1-673-multiauthor.epub"])
def test_fanficfare_title_co_authors_and_chapters(name: str) -> None:
    story = load(name)
    assert story.title == "Test Story Title 673"
    assert len(story.authors) == 20  # "Test Author aa" and "Author From List 1".."o"
    assert story.authors[:2] == ["Test Author aa", "Author From List 1"]
    assert story.authors[-1] == "Author From List o"
    titles = [c.title for c in story.chapters]
    assert len(titles) == 9  # Prologue + 8 chapters ("Chapters: 9" in its metadata)
    assert titles[0] and titles[0].startswith("Prologue tests:[bare amp(&)")
    assert titles[1:4] == [
        "Chapter 1, Xenos on Cinnabar",
        "Chapter 2, Sinmay on Kintikin",
        'Chapter 3, "Over" Cinnabar',
    ]


def test_fanficfare_html_title_page_and_contents_are_reported() -> None:
    story = load("ff-test1-673-multiauthor.html")
    reasons = [s.reason for s in story.skipped]
    assert reasons == ["title page", "table of contents"]
