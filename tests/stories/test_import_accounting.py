"""Lossless accounting (issue 14): every word the importer reads is posted, kept or skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.stories.accounting import account, count_words, leftover_text
from bot.stories.importers import import_story
from bot.stories.model import Chapter, Skipped, Story, plain_paragraph
from bot.stories.preview import run_preview

try:
    from tests.stories.realworld import REALWORLD, load
except ImportError:  # collected without the repository root on sys.path
    from realworld import REALWORLD, load

STORY_SUFFIXES = (".txt", ".md", ".html", ".epub")
REALWORLD_FILES = sorted(
    path.name
    for path in (REALWORLD.iterdir() if REALWORLD.is_dir() else ())
    if path.suffix in STORY_SUFFIXES
)
CORPUS = REALWORLD.parent / "corpus"
CORPUS_FILES = sorted(
    path.name
    for path in (CORPUS.iterdir() if CORPUS.is_dir() else ())
    if path.suffix in STORY_SUFFIXES
)


@pytest.mark.skipif(not REALWORLD_FILES, reason="../shared/realworld is absent")
@pytest.mark.parametrize("name", REALWORLD_FILES)
def test_every_word_of_a_realworld_file_is_accounted_for(name: str) -> None:
    story = load(name)
    words = account(story)
    assert words is not None
    assert words.source_words > 100  # the source text was really read
    assert words.unaccounted == 0, (name, words)


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is absent")
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_word_of_a_corpus_file_is_accounted_for(name: str) -> None:
    words = account(import_story((CORPUS / name).read_bytes(), name))
    assert words is not None and words.source_words > 100
    assert words.unaccounted == 0, (name, words)


def test_a_word_the_import_dropped_is_unaccounted() -> None:
    story = Story(
        title="Tale",
        chapters=[Chapter(1, title="One", blocks=[plain_paragraph("It was a dark night.")])],
    )
    story.source_text = lambda: "Tale\n\nOne\n\nIt was a dark and stormy night."
    words = account(story)
    assert words is not None
    assert (words.source_words, words.imported_words, words.unaccounted) == (9, 7, 2)


def test_skipped_text_and_structure_account_for_their_words() -> None:
    story = Story(title="Tale", structure=["by"], authors=["Ann Lee"])
    story.chapters = [Chapter(1, blocks=[plain_paragraph("Once.")])]
    story.skipped = [Skipped("licence", "boilerplate", 3, "Some licence text")]
    story.source_text = lambda: "Tale by Ann Lee\n\nOnce.\n\nSome licence text"
    assert account(story).unaccounted == 0  # type: ignore[union-attr]


def test_punctuation_is_no_word_and_case_or_stops_do_not_matter() -> None:
    assert count_words("* * * — Hello, world!") == 2
    assert leftover_text("CHAPTER I. Down the Rabbit-Hole.", ["Down the rabbit-hole"]) == (
        "CHAPTER I."
    )


def test_markup_scripts_and_navigation_are_not_source_words() -> None:
    page = (
        b"<html><head><title>T</title><style>p{color:red}</style></head><body>"
        b"<nav><a href='#a'>Contents entry</a></nav><script>var x = 1;</script>"
        b"<h1>T</h1><h2>One</h2><p>Some <i>story</i> text.</p></body></html>"
    )
    story = import_story(page, "t.html")
    words = account(story)
    assert words is not None
    assert words.source_words == 5  # T, One, Some, story, text.
    assert words.unaccounted == 0


def test_an_epub_title_page_is_reported_not_lost() -> None:
    story = load("se-charles-dickens_a-christmas-carol.epub")
    reasons = {part.title: part.reason for part in story.skipped}
    assert reasons.get("Colophon") == "front or back matter"
    assert account(story).unaccounted == 0  # type: ignore[union-attr]


def test_preview_json_and_summary_carry_the_word_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tale.txt"
    path.write_text("The Tale\nby Ann Lee\n\nChapter 1\n\nIt was a dark night.\n")
    assert run_preview(path, as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source_words"] == 12
    assert data["imported_words"] == 12
    assert run_preview(path, summary=True) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("total: 1 chapters, 1 pages")
    assert lines[-1] == "source: 12 words, 12 accounted for (none lost)"
