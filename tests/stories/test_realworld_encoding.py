"""Encodings of real files: Windows-1252 downloads and files mixing UTF-8 and cp1252 lines."""

from __future__ import annotations

import pytest

from bot.stories.importers import import_story
from bot.stories.importers.decoding import decode_text

try:
    from tests.stories.realworld import load
except ImportError:  # collected without the repository root on sys.path
    from realworld import load

MOJIBAKE = ("â€", "Ã©", "Ã¨", "\ufffd")

# Public-domain lines (Alice's Adventures in Wonderland, 1865) with curly quotes and accents.
UTF8_LINE = "“Curiouser and curiouser!” cried Alice — she was so much surprised."
CP1252_LINE = "“What a curious feeling!” said Alice; “I must be shutting up like a télescope.”"


def test_a_file_mixing_utf8_and_cp1252_lines_decodes_each_line() -> None:
    raw = b"\n".join(
        [
            b"Mixed Tale",
            b"",
            UTF8_LINE.encode("utf-8"),
            b"",
            CP1252_LINE.encode("cp1252"),
            b"",
            "Down, down, down — “Would the fall never come to an end?”".encode(),
        ]
    )
    text = decode_text(raw)
    assert UTF8_LINE in text and CP1252_LINE in text
    assert not any(bad in text for bad in MOJIBAKE)
    story = import_story(raw, "mixed.txt")
    assert not any(bad in story.chapters[0].text for bad in MOJIBAKE)


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("txt-pg43-jekyll-hyde-cp1252.txt", "“Did you ever remark that door?”"),
        ("txt-pg46-christmas-carol-cp1252.txt", "MARLEY was dead: to begin with."),
        ("txt-pg64317-great-gatsby-cp1252.txt", "“Whenever you feel like criticizing anyone,”"),
    ],
)
def test_windows_1252_downloads_have_no_mojibake(name: str, phrase: str) -> None:
    story = load(name)
    text = "\n\n".join(c.text for c in story.chapters)
    assert phrase in text
    assert not any(bad in text for bad in MOJIBAKE)
