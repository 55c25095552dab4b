"""FanFicFare's chapter numbers (issue 14): with `add_chapter_numbers` every title starts with its
position ("1. Prologue", "8. Chapter 7"); that number is the download's, and a remaining "Chapter
7" is the label. A single title starting with another number is the author's and stays."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from bot.stories.importers import import_story
from bot.stories.importers.numbering import settle_title_numbers
from bot.stories.model import Chapter, Story

try:
    from tests.stories.realworld import REALWORLD, load
except ImportError:  # collected without the repository root on sys.path
    from realworld import REALWORLD, load

# How the nine chapter titles of ff-test1-673 start (the same in every layout's escaping).
_STARTS = [
    "Prologue tests:",
    "Chapter 1, ",
    "Chapter 2, ",
    "Chapter 3, ",
    "Chapter 4 ",
    "Chapter 5 ",
    "Chapter A ",
    "Chapter 7",
    "Chapter 8",
]
# Where a title is written: txt contents lines and (indented) headings; html contents links and
# <h2>; epub's NCX labels, <title> and chapter heading.
_PLACES = {
    "txt": r"(?m)^( *)",
    "html": r'(<a href="#section\d+">|<h2>)',
    "epub": r'(<text>|<title>|<h3 class="fff_chapter_title">)',
}


def _numbered(text: str, kind: str) -> str:
    """`text` with "n. " before the n-th chapter title wherever FanFicFare writes it."""
    for n, start in enumerate(_STARTS, start=1):
        pattern = _PLACES[kind] + re.escape(start)
        text = re.sub(pattern, lambda m, n=n, s=start: f"{m.group(1)}{n}. {s}", text)
    return text


def numbered_download(kind: str) -> bytes:
    """ff-test1-673 as FanFicFare writes it with add_chapter_numbers on."""
    path = REALWORLD / f"ff-test1-673-multiauthor.{kind}"
    if not path.is_file():
        pytest.skip(f"real-world file ../shared/realworld/{path.name} is absent")
    if kind != "epub":
        return _numbered(path.read_bytes().decode(), kind).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith((".ncx", ".xhtml")) and "title_page" not in info.filename:
                data = _numbered(data.decode(), "epub").encode()
            target.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["txt", "html", "epub"])
def test_fanficfare_numbering_goes_and_chapter_n_is_the_label(kind: str) -> None:
    story = import_story(numbered_download(kind), f"ff.{kind}")
    plain = load(f"ff-test1-673-multiauthor.{kind}")
    assert len(story.chapters) == len(plain.chapters) == 9
    assert [c.title for c in story.chapters[:7]] == [c.title for c in plain.chapters[:7]]
    assert [c.label for c in story.chapters[7:]] == ["Chapter 7", "Chapter 8"]
    assert not any(re.match(r"\d+\. ", c.title or "") for c in story.chapters)


def test_a_one_off_number_in_a_title_is_the_authors() -> None:
    # FanFicFare's test story 1000 names its fourth chapter "3. Chapter 3"; no other is numbered.
    story = load("ff-test1-1000-custom.txt")
    assert [(c.label, c.title) for c in story.chapters] == [
        (None, "Prologue"),
        (None, "Chapter 1, Xenos on Cinnabar"),
        (None, "Chapter 2, Sinmay on Kintikin"),
        (None, "3. Chapter 3"),
    ]


def _story(*titles: tuple[str | None, str | None, str | None]) -> Story:
    """Chapters as an importer leaves them: (label, title, numbering read off the heading)."""
    chapters = [
        Chapter(n, title=title, label=label, structure=[numbering] if numbering else [])
        for n, (label, title, numbering) in enumerate(titles, start=1)
    ]
    return Story("T", chapters=chapters)


def test_settle_title_numbers_rules() -> None:
    sequential = _story((None, "The Beginning", "1"), (None, "Chapter 2", "2."))
    settle_title_numbers(sequential)
    assert [(c.label, c.title) for c in sequential.chapters] == [
        (None, "The Beginning"),
        ("Chapter 2", None),
    ]
    one_off = _story((None, "Prologue", None), (None, "Chapter 3", "3"))
    settle_title_numbers(one_off)
    assert [(c.label, c.title, c.structure) for c in one_off.chapters][1] == (
        None,
        "3. Chapter 3",
        [],
    )
    # A number that is the chapter's position, or numbering that skips, is left as read.
    for story in (
        _story((None, "Prologue", None), (None, "Arrival", "2")),
        _story((None, "Chapter 1", "1"), (None, "Chapter 5", "5")),
    ):
        before = [(c.label, c.title) for c in story.chapters]
        settle_title_numbers(story)
        assert [(c.label, c.title) for c in story.chapters] == before
