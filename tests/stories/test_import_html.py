"""The HTML importer: AO3 downloads, ordinary pages, inline styles, charsets and hostile markup."""

from __future__ import annotations

import codecs
import time

import pytest

from bot.errors import ImportRefused
from bot.stories.importers import import_story
from bot.stories.importers.html import parse_html
from bot.stories.importers.markup import MAX_DEPTH, check_depth
from bot.stories.model import BlockQuote, Paragraph, SceneBreak, Span

try:
    from tests.stories.ao3_epub_builders import Ao3Chapter, Ao3Work, ao3_html
except ImportError:  # collected without the repository root on sys.path
    from ao3_epub_builders import Ao3Chapter, Ao3Work, ao3_html


def page(body: str, *, head: str = "<title>A Page</title>") -> bytes:
    """A small HTML document around `body`."""
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def only_chapter_blocks(body: str) -> list:
    """The blocks of a headingless page (one chapter)."""
    story = parse_html(page(body))
    assert len(story.chapters) == 1
    return story.chapters[0].blocks


def multi_chapter_work() -> Ao3Work:
    return Ao3Work(
        chapters=[
            Ao3Chapter(
                "<p>The rain had not stopped for <em>three</em> days.</p>\n<p>She waited.</p>",
                title="The Storm",
                summary="<p>It rains.</p>",
                notes="<p>First chapter!</p>",
                end_notes="<p>See you next week.</p>",
            ),
            Ao3Chapter("<p>Morning came.</p><hr/><p>Then evening.</p>"),
            Ao3Chapter("<p>The end.</p>", title="Home Again", notes="<p>Last one.</p>"),
        ]
    )


# --- AO3 downloads ----------------------------------------------------------------------------


@pytest.mark.parametrize("dd_classes", [True, False], ids=["dd-classes", "dt-labels"])
def test_ao3_multi_chapter_download_reads_preface_and_chapters(dd_classes: bool) -> None:
    work = multi_chapter_work()
    work.dd_classes = dd_classes
    story = import_story(ao3_html(work), "the-long-way-home.html")

    assert story.source_format == "html"
    assert story.title == work.title
    assert story.authors == work.authors
    assert story.rating == work.rating
    assert story.warnings == work.warnings
    assert story.tags == work.fandoms + work.relationships + work.characters + work.freeforms
    assert story.language == work.language
    assert story.summary == "Two strangers, one storm.\n\nA second line."
    assert story.notes == "Thanks to my beta!"
    assert story.end_notes == "Comments make my day."

    assert [c.title for c in story.chapters] == ["The Storm", None, "Home Again"]
    assert [c.number for c in story.chapters] == [1, 2, 3]
    first, second, third = story.chapters
    assert (first.summary, first.notes, first.end_notes) == (
        "It rains.",
        "First chapter!",
        "See you next week.",
    )
    assert first.text == "The rain had not stopped for three days.\n\nShe waited."
    assert Span("three", italic=True) in first.blocks[0].spans
    assert second.blocks[1] == SceneBreak()
    assert (third.summary, third.notes, third.end_notes) == (None, "Last one.", None)


def test_ao3_single_chapter_download_is_one_untitled_chapter() -> None:
    work = Ao3Work(chapters=[Ao3Chapter("<p>Just one.</p><p>Really.</p>")])
    story = parse_html(ao3_html(work))
    assert len(story.chapters) == 1
    assert story.chapters[0].title is None
    assert story.chapters[0].text == "Just one.\n\nReally."
    assert story.title == work.title and story.rating == work.rating


def test_ao3_numbered_heading_style_and_several_authors() -> None:
    html = ao3_html(
        Ao3Work(
            authors=["ink", "quill"],
            chapters=[Ao3Chapter("<p>a</p>", title="x"), Ao3Chapter("<p>b</p>", title="y")],
        )
    )
    html = html.replace(b"Chapter 1: x", b"1. Arrival").replace(b"Chapter 2: y", b"2. ")
    story = parse_html(html)
    assert story.authors == ["ink", "quill"]
    assert [c.title for c in story.chapters] == ["Arrival", None]


def test_ao3_preface_without_optional_fields() -> None:
    work = Ao3Work(
        summary=None,
        notes=None,
        end_notes=None,
        relationships=[],
        chapters=[Ao3Chapter("<p>Text.</p>")],
    )
    story = parse_html(ao3_html(work))
    assert (story.summary, story.notes, story.end_notes) == (None, None, None)
    assert story.tags == work.fandoms + work.characters + work.freeforms


# --- Other HTML -------------------------------------------------------------------------------


def test_generic_page_splits_at_repeating_h2_and_keeps_h3_in_the_body() -> None:
    body = (
        "<h1>My Novel</h1><p>by Someone</p>"
        "<h2>Chapter 1: Dawn</h2><p>It began.</p><h3>Later</h3><p>More.</p>"
        "<h2>Chapter 2: Dusk</h2><p>It ended.</p>"
    )
    story = parse_html(page(body, head="<title>My Novel (web)</title>"))
    assert story.title == "My Novel (web)"
    assert [c.title for c in story.chapters] == ["Dawn", "Dusk"]
    assert story.chapters[0].blocks[1] == Paragraph((Span("Later", bold=True),))
    assert story.source_format == "html"


def test_generic_page_title_falls_back_to_h1_and_uses_the_highest_repeating_level() -> None:
    body = "<h1>Poems</h1><h3>Rain</h3><p>drip drop</p><h3>Sun</h3><p>bright</p>"
    story = parse_html(page(body, head=""))
    assert story.title == "Poems"
    assert [c.title for c in story.chapters] == ["Rain", "Sun"]


def test_generic_page_without_headings_is_one_chapter() -> None:
    story = parse_html(page("<p>One.</p>Loose text in the body.<div>In a div</div>"))
    assert [c.title for c in story.chapters] == [None]
    assert story.chapters[0].text == "One.\n\nLoose text in the body.\n\nIn a div"


def test_long_text_before_the_first_chapter_heading_is_kept_as_a_chapter() -> None:
    prologue = "<p>" + " ".join(["word"] * 60) + "</p>"
    body = f"{prologue}<h2>One</h2><p>a</p><h2>Two</h2><p>b</p>"
    assert [c.title for c in parse_html(page(body)).chapters] == [None, "One", "Two"]


# --- Inline styles, breaks and whitespace -----------------------------------------------------


def test_inline_styles_nest_and_combine() -> None:
    body = (
        "<p>a <em>i <strong>bi <u>biu</u></strong></em> <b>b</b> <i>i2</i> "
        "<ins>u</ins> <s>s</s> <strike>s2</strike> <del>s3</del> "
        '<span style="font-weight: 700">css</span></p>'
    )
    spans = only_chapter_blocks(body)[0].spans
    assert spans[:4] == (
        Span("a "),
        Span("i ", italic=True),
        Span("bi ", italic=True, bold=True),
        Span("biu", italic=True, bold=True, underline=True),
    )
    styled = {span.text: span for span in spans}
    assert styled["b"].bold and styled["i2"].italic and styled["u"].underline
    assert styled["s"].strike and styled["s2"].strike and styled["s3"].strike
    assert styled["css"].bold


def test_br_is_a_hard_line_break_and_whitespace_collapses_like_a_browser() -> None:
    body = "<p>  Roses   are\n red,<br/>\n   violets <em>are</em>\tblue.<br></p>"
    (paragraph,) = only_chapter_blocks(body)
    assert paragraph.text == "Roses are red,\nviolets are blue."


def test_scene_breaks_from_hr_and_symbol_lines_but_not_dialogue_dashes() -> None:
    body = "<p>a</p><hr/><p>b</p><p>* * *</p><p>c</p><p>~o~</p><p>d</p><p>—</p><p>…</p>"
    blocks = only_chapter_blocks(body)
    kinds = [b.text if isinstance(b, Paragraph) else "BREAK" for b in blocks]
    assert kinds == ["a", "BREAK", "b", "BREAK", "c", "BREAK", "d", "—", "…"]


def test_blockquote_entities_and_typography_are_kept() -> None:
    body = (
        "<p>&ldquo;Wait&hellip;&rdquo; &mdash; she said. Caf&eacute; &amp; co.</p>"
        "<blockquote><p>Quoted <em>line</em></p><p>two</p></blockquote>"
    )
    blocks = only_chapter_blocks(body)
    assert blocks[0].text == "“Wait…” — she said. Café & co."
    assert isinstance(blocks[1], BlockQuote)
    assert blocks[1].text == "Quoted line\n\ntwo"
    assert blocks[1].paragraphs[0].spans[1] == Span("line", italic=True)


def test_scripts_styles_and_empty_paragraphs_leave_no_trace() -> None:
    body = "<script>var x = '<p>no</p>';</script><style>p{}</style><p>&nbsp;</p><p>yes</p>"
    assert [b.text for b in only_chapter_blocks(body)] == ["yes"]


# --- Charsets ---------------------------------------------------------------------------------


def test_charset_from_meta_declaration() -> None:
    raw = page("<p>naïve “quotes”</p>", head='<meta charset="windows-1252">').decode()
    story = parse_html(raw.encode("cp1252"))
    assert story.chapters[0].text == "naïve “quotes”"


def test_charset_from_bom_and_fallback_to_cp1252() -> None:
    text = "<html><body><p>déjà vu — “yes”</p></body></html>"
    assert parse_html(codecs.BOM_UTF16_LE + text.encode("utf-16-le")).chapters[0].text == (
        "déjà vu — “yes”"
    )
    undeclared = parse_html(text.encode("cp1252"))  # not valid UTF-8, no declaration
    assert undeclared.chapters[0].text == "déjà vu — “yes”"
    assert parse_html(text.encode("utf-8")).chapters[0].text == "déjà vu — “yes”"


# --- Hostile input ----------------------------------------------------------------------------


def test_ten_thousand_deep_nesting_is_refused_quickly() -> None:
    raw = b"<html><body>" + b"<div>" * 10_000 + b"deep" + b"</div>" * 10_000 + b"</body></html>"
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match="levels deep"):
        import_story(raw, "deep.html")
    assert time.perf_counter() - started < 1.0


def test_deep_inline_nesting_is_refused_too() -> None:
    raw = page("<p>" + "<b>" * 5_000 + "x" + "</b>" * 5_000 + "</p>")
    with pytest.raises(ImportRefused):
        parse_html(raw)


def test_nesting_within_the_limit_keeps_every_word() -> None:
    depth = MAX_DEPTH - 10
    raw = page("<div>" * depth + "<p>bottom</p>" + "</div>" * depth + "<p>after</p>")
    assert parse_html(raw).chapters[0].text == "bottom\n\nafter"


def test_depth_scan_ignores_comments_scripts_void_and_implied_end_tags() -> None:
    check_depth("<p>a<p>b" * 1000 + "<br>" * 1000 + "<!--" + "<div>" * 1000 + "-->")
    check_depth("<script>" + "<div>" * 1000 + "</script><img/>" * 3)
    with pytest.raises(ImportRefused):
        check_depth("<p>" * 1000, xml=True)  # XHTML never closes a <p> implicitly


def test_a_books_own_preface_div_is_not_mistaken_for_ao3() -> None:
    body = (
        '<div id="preface"><h2>Preface</h2><p>Why I wrote this.</p></div>'
        '<div id="chapters"><h2>Chapter I. Home</h2><p>It begins.</p></div>'
    )
    story = parse_html(page(body))
    assert [(c.title, c.text) for c in story.chapters] == [
        ("Preface", "Why I wrote this."),
        ("Home", "It begins."),
    ]
