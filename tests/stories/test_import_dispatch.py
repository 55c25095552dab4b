"""Tests for `import_story` with text uploads: refusals, encodings and line ends."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import ImportRefused
from bot.stories.importers import MAX_UPLOAD_BYTES, import_story
from bot.stories.model import SceneBreak, Story

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "corpus" / "kiss-of-blood.txt"

# Curly quotes, an apostrophe, an em dash and an ellipsis: all must survive every encoding.
STORY = (
    "Night Falls by Tess & Jo\n\n"
    "Chapter 1\n\n"
    "“Where’ve you been?” she asked — quietly…\n\n"
    "Roses are red,\nViolets are blue.\n\n\n"
    "After the gap.\n"
)


def _refusal(raw: bytes, filename: str, **kwargs: int) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        import_story(raw, filename, **kwargs)
    return caught.value


def _shape(story: Story) -> list[tuple[str | None, list[str]]]:
    return [
        (c.label, ["break" if isinstance(b, SceneBreak) else b.text for b in c.blocks])
        for c in story.chapters
    ]


EXPECTED_SHAPE = [
    (
        "Chapter 1",
        [
            "“Where’ve you been?” she asked — quietly…",
            "Roses are red,\nViolets are blue.",
            "break",
            "After the gap.",
        ],
    )
]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \n\t\r\n  "])
def test_empty_or_whitespace_upload_is_refused(raw: bytes) -> None:
    error = _refusal(raw, "story.txt")
    assert "`story.txt` is empty" in error.message
    assert error.hint


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF8 + b"  \n \n",
        "\u00a0\u200b\n\n\u3000\n".encode(),
        codecs.BOM_UTF16_LE + "   \n  ".encode("utf-16-le"),
    ],
)
def test_invisible_only_text_is_refused_as_holding_no_story(raw: bytes) -> None:
    error = _refusal(raw, "story.txt")
    assert "holds no story text" in error.message


@pytest.mark.parametrize("filename", ["story.txt", "story.md"])
def test_only_headings_is_refused(filename: str) -> None:
    text = (
        "Tale by Tess\n\nChapter 1\n\nChapter 2\n" if filename.endswith("txt") else "# A\n\n## B\n"
    )
    error = _refusal(text.encode(), filename)
    assert "holds no story text" in error.message


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        bytes(range(256)) * 4,
        b"Once upon a time\x00\x00\x00 there was a file",
    ],
)
def test_binary_upload_is_refused(raw: bytes) -> None:
    error = _refusal(raw, "story.txt")
    assert "binary" in error.message
    assert ".txt" in str(error)


@pytest.mark.parametrize("filename", ["story.pdf", "story.docx", "story.rtf", "photo.jpeg"])
def test_unsupported_extension_is_refused(filename: str) -> None:
    error = _refusal(b"Some perfectly readable text.", filename)
    assert "unsupported type" in error.message
    assert ".md" in str(error)


def test_too_large_upload_is_refused() -> None:
    error = _refusal(STORY.encode() * 4, "story.txt", max_bytes=100)
    assert "the limit is" in error.message
    assert error.hint


def test_default_size_limit() -> None:
    error = _refusal(b"a" * (MAX_UPLOAD_BYTES + 1), "huge.txt")
    assert "10 MB" in error.message


def test_broken_utf16_after_a_bom_is_refused() -> None:
    error = _refusal(codecs.BOM_UTF16_LE + "Tale\n\nText".encode("utf-16-le") + b"\x00", "a.txt")
    assert "byte-order mark" in error.message


# --- encodings ------------------------------------------------------------------------------

ENCODERS: dict[str, Callable[[str], bytes]] = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le with BOM": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be with BOM": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "cp1252": lambda text: text.encode("cp1252"),
}


@pytest.mark.parametrize("encoding", ENCODERS)
def test_encodings_give_the_same_story(encoding: str) -> None:
    story = import_story(ENCODERS[encoding](STORY), "story.txt")
    assert story.title == "Night Falls"  # no stray BOM at the start of the title
    assert story.authors == ["Tess", "Jo"]
    assert story.source_format == "txt"
    assert _shape(story) == EXPECTED_SHAPE


@pytest.mark.parametrize("line_end", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends_read_like_lf(line_end: str) -> None:
    story = import_story(STORY.replace("\n", line_end).encode(), "story.txt")
    assert story.title == "Night Falls"
    assert _shape(story) == EXPECTED_SHAPE


def test_cp1252_punctuation_bytes_become_the_characters_they_stand_for() -> None:
    raw = b"Tale by Tess\r\n\r\n\x93Hi,\x94 she said \x97 and then\x85 \x91bye\x92\r\n"
    story = import_story(raw, "story.txt")
    assert story.chapters[0].text == "“Hi,” she said — and then… ‘bye’"


@pytest.mark.parametrize(
    ("filename", "kind"),
    [
        ("story.txt", "txt"),
        ("STORY.TXT", "txt"),
        ("story", "txt"),
        ("story.md", "md"),
        ("story.markdown", "md"),
    ],
)
def test_source_format_follows_the_extension(filename: str, kind: str) -> None:
    text = "Tale by Tess\n\nShe ran.\n" if kind == "txt" else "# Tale\n\nShe ran.\n"
    story = import_story(text.encode(), filename)
    assert (story.source_format, story.title, story.chapters[0].text) == (kind, "Tale", "She ran.")


def test_markdown_upload_in_utf16_with_crlf() -> None:
    text = "# Tale\r\nby Tess\r\n\r\n## One\r\n\r\n“Hi” — *she* said…\r\n"
    story = import_story(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "story.md")
    assert (story.title, story.authors) == ("Tale", ["Tess"])
    assert story.chapters[0].text == "“Hi” — she said…"


def test_seed_through_the_dispatcher() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed corpus ../shared/corpus/{SEED.name} is absent")
    story = import_story(SEED.read_bytes(), SEED.name)
    assert (story.title, story.authors, story.source_format) == ("Kiss of Blood", ["Tess"], "txt")
    assert [c.title for c in story.chapters] == ["They always leave"]
    assert sum(isinstance(b, SceneBreak) for b in story.chapters[0].blocks) == 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["a.txt", "a.md", "a"]))
def test_arbitrary_bytes_never_raise_anything_but_import_refused(raw: bytes, name: str) -> None:
    try:
        story = import_story(raw, name)
    except ImportRefused as refused:
        assert refused.message
        return
    assert any(c.blocks for c in story.chapters)
