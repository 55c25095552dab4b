"""The EPUB importer: the shared corpus books, synthetic and fan-fiction EPUBs, hostile archives."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest

from bot.stories.importers import import_story
from bot.stories.importers.titles import clean_title
from bot.stories.model import Paragraph, Story

try:
    from tests.stories.ao3_epub_builders import (
        Ao3Chapter,
        Ao3Work,
        guided_epub,
        opf,
        simple_epub,
        xhtml,
        zip_epub,
    )
    from tests.stories.fanfic_epub_builders import ao3_calibre_epub, fanficfare_epub
except ImportError:  # collected without the repository root on sys.path
    from ao3_epub_builders import (
        Ao3Chapter,
        Ao3Work,
        guided_epub,
        opf,
        simple_epub,
        xhtml,
        zip_epub,
    )
    from fanfic_epub_builders import ao3_calibre_epub, fanficfare_epub

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def corpus_bytes(name: str) -> bytes:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file ../shared/corpus/{path.name} is absent")
    return path.read_bytes()


def corpus_member(name: str, member: str) -> str:
    """A file inside a corpus EPUB, for deriving expectations independently of the importer."""
    with zipfile.ZipFile(io.BytesIO(corpus_bytes(name))) as archive:
        return archive.read(member).decode("utf-8")


@pytest.fixture(scope="module")
def moby() -> Story:
    return import_story(corpus_bytes("moby-dick.epub"), "moby-dick.epub")


# --- The corpus -------------------------------------------------------------------------------


def test_moby_dick_metadata_and_speed() -> None:
    raw = corpus_bytes("moby-dick.epub")
    started = time.perf_counter()
    story = import_story(raw, "moby-dick.epub")
    elapsed = time.perf_counter() - started
    print(f"Moby-Dick import: {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0
    assert story.title == "Moby-Dick"
    assert story.authors == ["Herman Melville"]
    assert story.source_format == "epub"
    assert story.language == "en-US"


def test_moby_dick_has_its_numbered_chapters_in_order_then_the_epilogue(moby: Story) -> None:
    # The table of contents says "Chapter N. Title." for each numbered chapter.
    toc = corpus_member("moby-dick.epub", "OPS/toc.xhtml")
    numbered = re.findall(r">Chapter (\d+)\. (.+?)</a>", toc)
    assert [int(n) for n, _ in numbered] == list(range(1, 136))
    expected = [title.removesuffix(".") for _, title in numbered]

    titles = [c.title for c in moby.chapters]
    start = titles.index("Loomings")
    assert titles[start : start + 135] == expected
    assert titles[start + 135 :] == ["Epilogue"]
    # Only Etymology and Extracts may come first: no title page, notes or copyright.
    assert titles[:start] == ["ETYMOLOGY", "EXTRACTS (Supplied by a Sub-Sub-Librarian)"]
    assert [c.number for c in moby.chapters] == list(range(1, len(titles) + 1))


def test_moby_dick_chapter_bodies_start_after_their_headings(moby: Story) -> None:
    loomings = next(c for c in moby.chapters if c.title == "Loomings")
    assert loomings.blocks[0].text.startswith("Call me Ishmael. Some years ago—never mind")
    assert "Chapter 1." not in loomings.text
    epilogue = moby.chapters[-1]
    assert epilogue.blocks[0].text == "“AND I ONLY AM ESCAPED ALONE TO TELL THEE”"
    assert epilogue.text.endswith("only found another orphan.")
    assert not any("Project Gutenberg" in c.text for c in moby.chapters)


def test_the_waste_land_has_five_sections_and_the_notes() -> None:
    story = import_story(corpus_bytes("wasteland.epub"), "wasteland.epub")
    labels = re.findall(
        r'#(?:ch\d|rearnotes)">([^<]+)</a>',
        corpus_member("wasteland.epub", "EPUB/wasteland-nav.xhtml"),
    )
    assert len(labels) == 6
    assert [c.title for c in story.chapters] == [
        re.sub(r"^[IVX]+\. ", "", label) for label in labels
    ]
    assert story.chapters[0].title == "THE BURIAL OF THE DEAD"
    assert story.title == "The Waste Land" and story.authors == ["T.S. Eliot"]
    # Verse keeps its lines; margin line numbers and the title page stay out.
    first = story.chapters[0].blocks[0].text
    assert first.startswith("April is the cruellest month, breeding\nLilacs out of the dead")
    assert "into the Hofgarten,\nAnd drank coffee" in first
    assert not any("Ezra Pound" in c.text for c in story.chapters)


def test_childrens_literature_has_one_chapter_per_numbered_tale() -> None:
    story = import_story(corpus_bytes("childrens-literature.epub"), "children.epub")
    assert story.title == "Children's Literature"
    assert story.authors == ["Charles Madison Curry", "Erle Elsworth Clippinger"]
    assert "Children's literature -- Study and teaching" in story.tags
    numbered = [c for c in story.chapters if c.title and re.match(r"\d{3} ", c.title)]
    assert [int(c.title[:3]) for c in numbered] == list(range(190, 205))
    others = {c.title for c in story.chapters} - {c.title for c in numbered}
    assert others <= {"BIBLIOGRAPHY", "INTRODUCTORY"}
    clover = numbered[0]
    # Its (hidden) sub-entries stay inside it, their headings as bold paragraphs.
    assert "1. The Rabbi and The Diadem\n\nGreat was the alarm in the palace" in clover.text
    # Page numbers printed in the text ("169") are not paragraphs.
    assert not any(
        isinstance(b, Paragraph) and b.text.isdigit() for c in story.chapters for b in c.blocks
    )


# --- Titles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Chapter 1. Loomings.", "Loomings"),
        ("Chapter 135. The Chase.—Third Day.", "The Chase.—Third Day"),
        ("CHAPTER IV: The Storm", "The Storm"),
        ("Chapter Twelve", None),
        ("Chapter 2", None),
        ("1. Arrival", "Arrival"),
        ("IV. DEATH BY WATER", "DEATH BY WATER"),
        ("190 A FOUR-LEAVED CLOVER", "190 A FOUR-LEAVED CLOVER"),
        ("Epilogue", "Epilogue"),
        ("Wait...", "Wait..."),
        ("Meet Mr.", "Meet Mr."),
        ("1984", "1984"),
        ("  ", None),
    ],
)
def test_clean_title_rule(raw: str, clean: str | None) -> None:
    assert clean_title(raw) == clean


# --- Synthetic EPUBs --------------------------------------------------------------------------


@pytest.mark.parametrize("toc", ["nav", "ncx", None])
def test_simple_epub_metadata_titles_and_front_matter(toc: str | None) -> None:
    chapters = [("Chapter 1. The Start.", "<p>First words.</p>"), ("Chapter 2", "<p>More.</p>")]
    story = import_story(simple_epub(chapters, toc=toc or "none"), "small.epub")
    assert story.title == "A Small Book" and story.authors == ["Ann Author"]
    assert story.summary == "A tiny book."
    assert story.tags == ["Testing", "Fiction"]
    assert story.language == "en"
    # Without a table of contents the headings give the titles, cleaned by the same rule.
    assert [c.title for c in story.chapters] == ["The Start", None]
    assert [c.text for c in story.chapters] == ["First words.", "More."]


def _single_file_epub(body: str, entries: str) -> bytes:
    nav = xhtml(f'<nav epub:type="toc"><ol>{entries}</ol></nav>')
    files = {
        "OEBPS/book.xhtml": xhtml(body),
        "OEBPS/nav.xhtml": nav,
        "OEBPS/content.opf": opf(
            title="One File",
            authors=["A"],
            spine=["b"],
            manifest={"b": "book.xhtml"},
            nav="nav.xhtml",
        ),
    }
    return zip_epub(files)


def test_one_file_is_split_at_anchors_and_parts_are_opened() -> None:
    intro = " ".join(["word"] * 50)
    body = (
        '<section epub:type="titlepage"><h1>One File</h1><p>by A</p></section>'
        f'<section id="p1"><h1>Part One</h1><p>{intro}</p>'
        '<section id="c1"><h2>Chapter 1</h2><p>one</p></section>'
        '<section id="c2"><h2>Chapter 2</h2><p>two</p></section></section>'
        '<section id="p2"><h1>Part Two</h1>'
        '<section id="c3"><h2>Chapter 3</h2><p>three</p></section>'
        '<p>still three <a id="c4"/></p><h2>Chapter 4</h2><p>four</p></section>'
    )
    entries = (
        '<li><a href="book.xhtml#p1">Part One</a><ol>'
        '<li><a href="book.xhtml#c1">Chapter 1. Alpha</a></li>'
        '<li><a href="book.xhtml#c2">Chapter 2. Beta</a></li></ol></li>'
        '<li><a href="book.xhtml#p2">Part Two</a><ol>'
        '<li><a href="book.xhtml#c3">Chapter 3. Gamma</a></li>'
        '<li><a href="book.xhtml#c4">Chapter 4. Delta</a></li></ol></li>'
    )
    story = import_story(_single_file_epub(body, entries), "one.epub")
    # Part One has prose of its own, so it stays; "Part One" is its label, as the book says.
    assert [c.title for c in story.chapters] == [None, "Alpha", "Beta", "Gamma", "Delta"]
    assert [c.label for c in story.chapters] == [
        "Part One",
        "Chapter 1",
        "Chapter 2",
        "Chapter 3",
        "Chapter 4",
    ]
    assert [c.text for c in story.chapters[1:]] == ["one", "two", "three\n\nstill three", "four"]


def test_scene_entries_under_chapters_are_not_chapters() -> None:
    body = "".join(
        f'<section id="c{i}"><h2>Ch {i}</h2><p id="s{i}a">a{i}</p><p id="s{i}b">b{i}</p></section>'
        for i in (1, 2, 3)
    )
    entries = "".join(
        f'<li><a href="book.xhtml#c{i}">Night {i}</a><ol>'
        f'<li><a href="book.xhtml#s{i}a">Scene a</a></li>'
        f'<li><a href="book.xhtml#s{i}b">Scene b</a></li></ol></li>'
        for i in (1, 2, 3)
    )
    story = import_story(_single_file_epub(body, entries), "scenes.epub")
    assert [c.title for c in story.chapters] == ["Night 1", "Night 2", "Night 3"]
    assert story.chapters[0].text == "a1\n\nb1"


def test_unlisted_file_continues_its_chapter_and_guide_front_matter_is_dropped() -> None:
    bodies = {
        "c1": "<h2>One</h2><p>start</p>",
        "c1b": "<p>continued</p>",
        "legal": "<p>All rights reserved. Printed somewhere nice.</p>",
        "c2": "<h2>Two</h2><p>next</p>",
    }
    data = guided_epub(bodies, [("One", "c1"), ("Two", "c2")], "legal")
    story = import_story(data, "t.epub")
    assert [(c.title, c.text) for c in story.chapters] == [
        ("One", "start\n\ncontinued"),
        ("Two", "next"),
    ]


def test_one_file_without_table_of_contents_splits_at_headings() -> None:
    body = "<h1>Book</h1><h2>First</h2><p>a</p><h2>Second</h2><p>b</p>"
    files = {
        "OEBPS/all.xhtml": xhtml(body),
        "OEBPS/content.opf": opf(title="B", authors=[], spine=["a"], manifest={"a": "all.xhtml"}),
    }
    story = import_story(zip_epub(files), "b.epub")
    assert [c.title for c in story.chapters] == ["First", "Second"]


def test_sloppy_xhtml_is_read_as_html() -> None:
    sloppy = "<p>para&nbsp;one" + "<p>more" * 300 + "<br>last"
    story = import_story(simple_epub([("One", sloppy)], front_matter=False), "sloppy.epub")
    blocks = story.chapters[0].blocks
    assert len(blocks) == 301
    assert blocks[0].text == "para\xa0one"
    assert blocks[-1].text == "more\nlast"


def test_ao3_calibre_epub_reads_the_preface_and_chapter_notes() -> None:
    work = Ao3Work(
        chapters=[
            Ao3Chapter(
                "<p>It <em>rained</em>.</p>",
                title="The Storm",
                summary="<p>Rain.</p>",
                notes="<p>Hi!</p>",
                end_notes="<p>Bye!</p>",
            ),
            Ao3Chapter("<p>Sun.</p>"),
        ]
    )
    story = import_story(ao3_calibre_epub(work), "ao3.epub")
    assert (story.title, story.authors, story.rating) == (work.title, work.authors, work.rating)
    assert story.warnings == work.warnings
    assert story.tags == work.fandoms + work.relationships + work.characters + work.freeforms
    assert (story.notes, story.end_notes) == ("Thanks to my beta!", "Comments make my day.")
    assert [c.title for c in story.chapters] == ["The Storm", None]
    first = story.chapters[0]
    assert (first.summary, first.notes, first.end_notes) == ("Rain.", "Hi!", "Bye!")
    assert first.text == "It rained."  # labels, quotes and "see the end" pointers are gone


@pytest.mark.parametrize("table", [False, True], ids=["lines", "table"])
def test_fanficfare_title_page_is_read_like_a_preface(table: bool) -> None:
    work = Ao3Work(chapters=[Ao3Chapter("<p>One.</p>", title="Start"), Ao3Chapter("<p>Two.</p>")])
    story = import_story(fanficfare_epub(work, table=table), "fff.epub")
    assert story.rating == work.rating and story.warnings == work.warnings
    assert story.tags == work.fandoms + work.relationships + work.characters + work.freeforms
    assert story.summary == "Two strangers, one storm. Note: an AU."
    assert [c.title for c in story.chapters] == ["Start", None]
