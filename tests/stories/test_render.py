"""Rendering to Discord markdown, checked against a model of Discord's own markdown parser.

`discord_words` re-implements the parts of Discord's (simple-markdown based) parser that matter
here: escapes, URLs, masked links, mentions, `*`/`**`/`__`/`~~`/`||`, inline code, and the
line-start rules (quotes, headers, lists, subtext). Tests compare what a reader would *see* (words
with their styles) with what the story says, so they catch both missed escapes and broken
markers without pinning down the exact characters the renderer chooses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.stories.escape import ZWSP, escape_text
from bot.stories.model import BlockQuote, Chapter, Paragraph, SceneBreak, Span, plain_paragraph
from bot.stories.paginate import paginate
from bot.stories.render import SCENE_BREAK, heading_text, render_chapter, render_story

# --- a model of Discord's markdown ------------------------------------------------------------

_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")
_AUTOLINK = re.compile(r"<([^: >]+:/[^ >]+)>")
_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")
_LINK = re.compile(
    r"\[((?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*)\]\(\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?\s*\)"
)
_MENTION = re.compile(r"<(?:@[!&]?\d+|#\d+|t:-?\d+(?::[tTdDfFR])?|a?:\w+:\d+|/[^>]+:\d+)>")
_EVERYONE = re.compile(r"@(?:everyone|here)")
_EM = re.compile(
    r"\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s*\\]|\*\*)|[^\s*\\])+?)\*(?!\*)"
    r"|_((?:__|\\[\s\S]|[^\\_])+?)_(?![0-9A-Za-z_])"
)
_STRONG = re.compile(r"\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)")
# Discord's own rules for these three ignore escapes inside (unlike simple-markdown's).
_UNDERLINE = re.compile(r"__([\s\S]+?)__(?!_)")
_STRIKE = re.compile(r"~~([\s\S]+?)~~(?!_)")
_SPOILER = re.compile(r"\|\|([\s\S]+?)\|\|")
_CODE = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")
_TEXT = re.compile(r"[\s\S]+?(?=[^0-9A-Za-z\s\u00c0-\uffff]|\n\n| {2,}\n|[0-9A-Za-z_]+:\S|\Z)")
_LINE_MARKUP = re.compile(r" *(?:#{1,3} |-# |[*-] |\d+\. |>>> |> )")

Chars = list[tuple[str, frozenset[str]]]


def _inline(src: str, styles: frozenset[str], out: Chars) -> None:
    pos = 0
    while pos < len(src):
        pos = _inline_step(src, pos, styles, out)


def _inline_step(src: str, pos: int, styles: frozenset[str], out: Chars) -> int:
    if m := _ESCAPE.match(src, pos):
        out.append((m.group(1), styles))
        return m.end()
    if m := _AUTOLINK.match(src, pos):
        out.extend((c, styles) for c in m.group(1))
        return m.end()
    if m := _URL.match(src, pos):
        out.extend((c, styles) for c in m.group())
        return m.end()
    for pattern, flag in ((_LINK, "LINK"), (_MENTION, "MENTION"), (_EVERYONE, "MENTION")):
        if m := pattern.match(src, pos):
            out.extend((c, styles | {flag}) for c in m.group())
            return m.end()
    # em, strong and underline share one precedence level: the longest match wins, and on a
    # tie em beats strong beats underline (simple-markdown's `quality`).
    best = None
    for pattern, name, bonus in (
        (_EM, "italic", 0.2),
        (_STRONG, "bold", 0.1),
        (_UNDERLINE, "u", 0),
    ):
        if (m := pattern.match(src, pos)) and (best is None or len(m.group()) + bonus > best[0]):
            if name == "italic" and m.group(2) is not None and pos and src[pos - 1].isalnum():
                continue  # `_em_` needs a word boundary before it
            best = (len(m.group()) + bonus, m, name)
    if best is not None:
        m, name = best[1], best[2]
        _inline(m.group(1) if m.group(1) is not None else m.group(2), styles | {name}, out)
        return m.end()
    for pattern, name in ((_STRIKE, "strike"), (_SPOILER, "spoiler")):
        if m := pattern.match(src, pos):
            _inline(m.group(1), styles | {name}, out)
            return m.end()
    if m := _CODE.match(src, pos):
        out.extend((c, styles | {"CODE"}) for c in m.group(2))
        return m.end()
    m = _TEXT.match(src, pos)
    end = m.end() if m and m.end() > pos else pos + 1
    out.extend((c, styles) for c in src[pos:end])
    return end


def discord_chars(markdown: str) -> Chars:
    """What Discord shows for `markdown`: each visible character with its styles.

    Styles: italic, bold, u, strike, spoiler, quote; flags for things that must never appear in
    rendered story text: LINK, MENTION, CODE, BLOCK (a header/list/subtext/nested quote).
    """
    out: Chars = []
    for line in markdown.split("\n"):
        base: frozenset[str] = frozenset()
        if line.startswith("> "):
            line, base = line[2:], frozenset({"quote"})
        if _LINE_MARKUP.match(line):
            base = base | {"BLOCK"}
        _inline(line, base, out)
        out.append(("\n", base))
    return out


def words_of(chars: Chars) -> list[tuple[tuple[str, frozenset[str]], ...]]:
    """Split styled characters into words (whitespace dropped, zero-width spaces ignored)."""
    words, current = [], []
    for char, styles in chars:
        if char == ZWSP:
            continue
        if char.isspace():
            if current:
                words.append(tuple(current))
            current = []
        else:
            current.append((char, styles))
    if current:
        words.append(tuple(current))
    return words


def discord_words(markdown: str) -> list[tuple[tuple[str, frozenset[str]], ...]]:
    """The styled words Discord would show for `markdown`."""
    return words_of(discord_chars(markdown))


def _span_styles(span: Span) -> frozenset[str]:
    names = [("italic", span.italic), ("bold", span.bold), ("u", span.underline)]
    names.append(("strike", span.strike))
    return frozenset(name for name, on in names if on)


def expected_words(blocks: Sequence[object]) -> list[tuple[tuple[str, frozenset[str]], ...]]:
    """The styled words a chapter body should show, straight from the model."""
    chars: Chars = []
    for block in blocks:
        if isinstance(block, SceneBreak):
            chars.extend([(SCENE_BREAK, frozenset()), (" ", frozenset())])
            continue
        quoted = isinstance(block, BlockQuote)
        paragraphs = block.paragraphs if isinstance(block, BlockQuote) else (block,)
        for paragraph in paragraphs:
            for span in paragraph.spans:
                styles = _span_styles(span) | ({"quote"} if quoted else set())
                chars.extend((c, styles) for c in span.text)
            chars.append((" ", frozenset()))
    return words_of(chars)


def plain(words: list[tuple[tuple[str, frozenset[str]], ...]]) -> list[str]:
    """Just the text of styled words."""
    return ["".join(c for c, _ in word) for word in words]


# --- escaping ---------------------------------------------------------------------------------

TRICKY = [
    "*not italic*",
    "**not bold**",
    "__not underline__",
    "~~not struck~~",
    "||not a spoiler||",
    "`not code`",
    "```not a block```",
    "[masked](https://example.com)",
    "a \\ backslash and \\*",
    "# not a header",
    "## nor this",
    "-# not subtext",
    "- not a list",
    "* not a list",
    "1. not numbered",
    "> not a quote",
    ">>> not a quote",
    "<@123456> <@!1> <@&2> <#3> <t:1700000000:R> <:smile:4> <a:wave:5> </cmd:6>",
    "@everyone and @here",
    "snake_case_name and 2*3*4",
]


def test_each_tricky_text_renders_literally() -> None:
    for text in TRICKY:
        rendered = render_chapter(
            Chapter(number=1, blocks=[plain_paragraph(text)]), include_heading=False
        )
        seen = discord_chars(rendered.text)
        shown = "".join(c for c, _ in seen if c != ZWSP).strip()
        assert shown == text, (text, rendered.text)
        assert all(not styles for c, styles in seen if not c.isspace()), (text, rendered.text)


def test_mass_mentions_are_neutralised_but_read_the_same() -> None:
    escaped = escape_text("hi @everyone, @here!")
    assert "@everyone" not in escaped and "@here" not in escaped
    assert escaped.replace(ZWSP, "") == "hi @everyone, @here!"


def test_urls_stay_links_without_escapes_inside() -> None:
    text = "see https://example.com/a_b*c and snake_case, (https://x.io/@everyone)."
    escaped = escape_text(text)
    assert "<https://example.com/a_b*c>" in escaped
    assert "<https://x.io/@everyone>" in escaped
    assert "snake\\_case" in escaped
    assert plain(discord_words(escaped)) == text.split()


def test_a_styled_url_keeps_its_style_and_its_closing_marker() -> None:
    spans = (Span("go to "), Span("https://x.io/a_b", italic=True), Span(" now"))
    text = _body(*spans)
    assert text == "go to *<https://x.io/a_b>* now"
    assert discord_words(text) == expected_words([Paragraph(spans)])


def test_ordinary_prose_is_left_alone() -> None:
    prose = "It was 3 a.m. — “Hi,” she said; #1 fan; -ish; a-b; 1.5 m; ok."
    assert escape_text(prose) == prose


SPECIALS = "*_~`|[]()<>#-@\\:/.!1 \n"
WORDS = ["everyone", "here", "t:1", "123", "http", "https://x.io/a_b", "é", "🙂", "中文", "שלום"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(SPECIALS) + WORDS), max_size=40).map("".join))
def test_any_plain_text_renders_as_written(text: str) -> None:
    rendered = render_chapter(
        Chapter(number=1, blocks=[plain_paragraph(text)]), include_heading=False
    )
    seen = discord_chars(rendered.text)
    assert plain(words_of(seen)) == text.split()
    assert all(not styles for c, styles in seen if not c.isspace()), rendered.text


# --- inline styles ----------------------------------------------------------------------------


def _body(*spans: Span) -> str:
    chapter = Chapter(number=1, blocks=[Paragraph(tuple(spans))])
    return render_chapter(chapter, include_heading=False).text


def test_each_style_uses_its_discord_marker() -> None:
    assert _body(Span("a "), Span("b", italic=True)) == "a *b*"
    assert _body(Span("b", bold=True)) == "**b**"
    assert _body(Span("b", underline=True)) == "__b__"
    assert _body(Span("b", strike=True)) == "~~b~~"


def test_whitespace_at_span_edges_moves_outside_the_markers() -> None:
    assert _body(Span("I "), Span(" really ", italic=True), Span("do.")) == "I  *really* do."


def test_adjacent_spans_with_the_same_style_merge() -> None:
    assert _body(Span("one ", bold=True), Span("two", bold=True)) == "**one two**"


def test_style_changes_inside_a_word_and_touching_markers_stay_apart() -> None:
    text = _body(Span("bold", bold=True), Span("italic", italic=True), Span(" plain"))
    assert "***" not in text
    assert discord_words(text) == expected_words(
        [Paragraph((Span("bold", bold=True), Span("italic", italic=True), Span(" plain")))]
    )


def test_nested_styles_nest_and_render() -> None:
    spans = (
        Span("all ", italic=True),
        Span("of it ", italic=True, bold=True),
        Span("struck", italic=True, bold=True, strike=True, underline=True),
        Span(" out", bold=True),
    )
    text = _body(*spans)
    assert discord_words(text) == expected_words([Paragraph(spans)])


def test_styles_close_before_a_hard_line_break() -> None:
    spans = (Span("verse one\nverse two", italic=True),)
    text = _body(*spans)
    assert text == "*verse one*\n*verse two*"


style_flags = st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans())
PIECES = ["a", "bc", " ", "  ", "\n", "x*", "_y", "~", "|", "#", "-", ">", "1.", "é", "🙂", "<"]
PIECES.append("\\")  # a lone backslash, which must never escape a marker
span_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
spans_st = st.lists(
    st.builds(lambda t, f: Span(t, *f), span_text, style_flags), min_size=1, max_size=8
)
blocks_st = st.lists(
    st.one_of(
        spans_st.map(lambda s: Paragraph(tuple(s))),
        st.lists(spans_st.map(lambda s: Paragraph(tuple(s))), min_size=1, max_size=3).map(
            lambda ps: BlockQuote(tuple(ps))
        ),
        st.just(SceneBreak()),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks_st)
def test_any_styled_body_renders_with_its_styles(blocks: list[object]) -> None:
    chapter = Chapter(number=1, blocks=blocks)  # type: ignore[arg-type]
    text = render_chapter(chapter, include_heading=False).text
    assert discord_words(text) == expected_words(blocks), text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks_st, st.integers(min_value=60, max_value=300))
def test_every_page_renders_on_its_own(blocks: list[object], limit: int) -> None:
    chapter = Chapter(number=1, blocks=blocks)  # type: ignore[arg-type]
    rendered = render_chapter(chapter, include_heading=False)
    pages = paginate(rendered, limit)
    # Compared character by character: a word longer than a page may be cut (test_paginate
    # checks that nothing else is), but every character must keep its styles.
    seen = [char for page in pages for word in discord_words(page) for char in word]
    assert seen == [char for word in expected_words(blocks) for char in word], pages


# --- blocks -----------------------------------------------------------------------------------


def test_heading_variants() -> None:
    assert heading_text(Chapter(number=3)) == "Chapter 3"
    assert heading_text(Chapter(number=3, title="The Storm")) == "Chapter 3: The Storm"
    assert heading_text(Chapter(number=1, title="Chapter 1. Loomings.")) == "Chapter 1. Loomings."
    assert heading_text(Chapter(number=1), "One Shot") == "Chapter 1: One Shot"
    rendered = render_chapter(Chapter(number=2, title="A *B*", blocks=[plain_paragraph("x")]))
    heading = discord_words(rendered.blocks[0])
    assert plain(heading) == ["Chapter", "2:", "A", "*B*"]
    assert all(styles == {"bold"} for word in heading for _, styles in word)


def test_chapter_blocks_in_order_with_notes_quoted_and_warnings_spoilered() -> None:
    chapter = Chapter(
        number=1,
        title="Start",
        notes="Thanks, beta!\n\nSecond line",
        end_notes="More soon.",
        blocks=[plain_paragraph("Once."), SceneBreak(), plain_paragraph("Twice.")],
    )
    rendered = render_chapter(chapter, warnings=["Major Character Death", "Graphic Violence"])
    assert rendered.blocks == (
        "**Chapter 1: Start**",
        "⚠️ Warnings: ||Major Character Death, Graphic Violence||",
        "> **Notes:**\n> Thanks, beta!\n> \n> Second line",
        "Once.",
        SCENE_BREAK,
        "Twice.",
        "> **End notes:**\n> More soon.",
    )
    assert rendered.text == "\n\n".join(rendered.blocks)
    assert rendered.chars == len(rendered.text)
    notes = discord_chars(rendered.blocks[2])
    assert all("quote" in styles for c, styles in notes if not c.isspace())


def test_no_archive_warnings_apply_is_shown_as_written() -> None:
    rendered = render_chapter(Chapter(number=1), warnings=["No Archive Warnings Apply"])
    assert rendered.blocks[1] == "⚠️ Warnings: No Archive Warnings Apply"


def test_story_warnings_go_on_the_first_chapter_only() -> None:
    from bot.stories.model import Story

    story = Story(
        title="T",
        warnings=["Graphic Depictions Of Violence"],
        chapters=[
            Chapter(number=1, blocks=[plain_paragraph("a")]),
            Chapter(number=2, blocks=[plain_paragraph("b")]),
        ],
    )
    first, second = render_story(story)
    assert "||Graphic Depictions Of Violence||" in first.text
    assert "Warnings" not in second.text
    assert first.blocks[0] == "**Chapter 1**"
    assert first == render_chapter(story.chapters[0], warnings=story.warnings)


def test_empty_paragraphs_and_quotes_render_nothing() -> None:
    chapter = Chapter(
        number=1,
        blocks=[plain_paragraph("  "), BlockQuote((plain_paragraph(""),)), plain_paragraph("x")],
    )
    assert render_chapter(chapter, include_heading=False).blocks == ("x",)
