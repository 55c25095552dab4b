"""Indented verse lines (issue 14): read from indent classes, `i1` spans, no-break spaces and
Markdown's leading spaces, kept in the model as no-break spaces, and written back so that
export -> import keeps them in EPUB, HTML and Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.stories.exporters import EXPORT_FORMATS, export_story
from bot.stories.importers import import_story
from bot.stories.model import Chapter, Paragraph, Span, Story, plain_paragraph
from bot.stories.verse import INDENT_CHARS, held_indents

NB = "\u00a0"
WASTE_LAND = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "wasteland.epub"


def _story(*verses: Paragraph) -> Story:
    return Story(
        "Poems",
        authors=["A"],
        chapters=[
            Chapter(1, title="One", blocks=[plain_paragraph("Prose words first."), *verses]),
            Chapter(2, title="Two", blocks=[plain_paragraph("More prose.")]),
        ],
    )


def _round_trip(story: Story, fmt: str) -> Story:
    exported = export_story(story, fmt)
    return import_story(exported.data, exported.filename)


def _verse(story: Story) -> list[str]:
    return [block.text for block in story.chapters[0].blocks[1:]]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_indented_lines_survive_the_round_trip(fmt: str) -> None:
    story = _story(
        Paragraph((Span(f"{NB * 4}Weialala leia\n{NB * 4}Wallala leialala\nback"),)),
        Paragraph(
            (
                Span("The river sweats\n"),
                Span(f"{NB * 8}Oil and tar", italic=True),
                Span("\n\u2003The barges drift"),
            )
        ),
    )
    back = _round_trip(story, fmt)
    assert _styled(back) == _styled(story)


def _styled(story: Story) -> list[tuple[str, list[tuple[str, bool]]]]:
    """Each block's text, and its spans' words with their style: whether an indentation's
    spaces are italic is invisible (Markdown cannot say it; `*` never opens before a space)."""
    return [
        (block.text, [(span.text.strip(INDENT_CHARS), span.italic) for span in block.spans])
        for block in story.chapters[0].blocks
        if isinstance(block, Paragraph)
    ]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_plain_spaces_and_tabs_go_out_as_no_break_spaces(fmt: str) -> None:
    story = _story(Paragraph((Span("First line\n  two spaces\n\ta tab"),)))
    assert _verse(_round_trip(story, fmt)) == [f"First line\n{NB * 2}two spaces\n{NB * 4}a tab"]


def test_held_indents_leave_prose_alone() -> None:
    prose = (Span("  A prose paragraph, spaced."),)
    assert held_indents(prose) == prose


def test_epub_indent_classes_and_spans_become_indentation() -> None:
    html = (
        b"<html><body><h2>Chapter 1</h2><p>Prose first, long enough.</p>"
        b'<div class="linegroup"><div>Sweet Thames, run softly,</div>'
        b'<div class="indent">till I end my song.</div>'
        b'<div class="indent2">  The river bears</div></div>'
        b'<p><span>And soon you will find</span><br/>\n   <span class="i1">the Djinn</span>'
        b'<br/><span class="i0">No indent</span></p>'
        b"</body></html>"
    )
    story = import_story(html, "verse.html")
    assert _verse(story) == [
        f"Sweet Thames, run softly,\n{NB * 4}till I end my song.\n{NB * 8}The river bears",
        f"And soon you will find\n{NB * 2}the Djinn\nNo indent",
    ]


def test_markdown_verse_keeps_its_leading_spaces() -> None:
    text = "# Poems\n\n## One\n\nProse first.\n\nApril is cruel\n    Lilacs out\nMemory\n"
    assert _verse(import_story(text.encode(), "poems.md")) == [
        f"April is cruel\n{NB * 4}Lilacs out\nMemory"
    ]


def test_the_waste_land_keeps_its_indented_lines_in_every_format() -> None:
    if not WASTE_LAND.is_file():
        pytest.skip("../shared/corpus/wasteland.epub is absent")
    story = import_story(WASTE_LAND.read_bytes(), WASTE_LAND.name)
    texts = [c.text for c in story.chapters]
    indented = [line for text in texts for line in text.split("\n") if line.startswith(NB)]
    assert f"{NB * 4}Weialala leia" in indented and f"{NB * 8}A current under sea" in indented
    for fmt in EXPORT_FORMATS:
        back = _round_trip(story, fmt)
        lines = [line for c in back.chapters for line in c.text.split("\n")]
        assert [line for line in lines if line.startswith(NB)] == indented, fmt


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=8)
_LINE = st.tuples(st.integers(0, 3), st.lists(_WORD, min_size=1, max_size=5)).map(
    lambda pair: NB * (4 * pair[0]) + " ".join(pair[1])
)
_STANZA = st.lists(_LINE, min_size=2, max_size=6).map(
    lambda lines: Paragraph((Span("\n".join(lines)),))
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_STANZA, min_size=1, max_size=4), st.sampled_from(EXPORT_FORMATS))
def test_any_indented_stanza_round_trips(stanzas: list[Paragraph], fmt: str) -> None:
    story = _story(*stanzas)
    assert _round_trip(story, fmt).chapters[0].blocks == story.chapters[0].blocks
