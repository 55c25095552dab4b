"""Mojibake and replacement characters left after decoding are named, never silent."""

from __future__ import annotations

import pytest

from bot.stories.importers import import_story
from bot.stories.importers.text_checks import text_problems
from tests.stories.realworld import REALWORLD


def test_garbled_and_unreadable_characters_are_counted() -> None:
    story = import_story("T\n\nShe said â€œhiâ€\x9d, cafÃ© \ufffd.\n".encode(), "x.txt")
    assert text_problems(story) == [
        "1 unreadable character shown as �",
        "3 garbled character sequences such as “â€œ”",
    ]


def test_a_mixed_utf8_and_cp1252_file_is_repaired_and_clean() -> None:
    raw = "Title\n\n“Curly” quotes in UTF-8.\n\n".encode() + "A cp1252 line – café.\n".encode(
        "cp1252"
    )
    assert text_problems(import_story(raw, "mixed.txt")) == []


@pytest.mark.parametrize("name", ["txt-pg43-jekyll-hyde-cp1252.txt", "pg11-alice-epub3.epub"])
def test_real_files_are_clean(name: str) -> None:
    path = REALWORLD / name
    if not path.is_file():
        pytest.skip(f"real-world file ../shared/realworld/{name} is absent")
    assert text_problems(import_story(path.read_bytes(), name)) == []
