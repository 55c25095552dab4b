"""Files in legacy encodings other than Windows-1252 are detected (charset-normalizer)."""

from __future__ import annotations

import pytest

from bot.stories.importers import import_story
from bot.stories.importers.decoding import decode_text

TOLSTOY = (
    "Все счастливые семьи похожи друг на друга, каждая несчастливая семья несчастлива "
    "по-своему. Все смешалось в доме Облонских. Жена узнала, что муж был в связи с бывшею "
    "в их доме француженкою-гувернанткой, и объявила мужу, что не может жить с ним в одном доме."
)
SOSEKI = (
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
    "何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。"
)


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("koi8-r", TOLSTOY), ("cp1251", TOLSTOY), ("iso8859-5", TOLSTOY), ("shift_jis", SOSEKI)],
)
def test_legacy_encodings_are_detected(encoding: str, body: str) -> None:
    text = f"Глава 1\n\n{body}\n\n{body}\n"
    if encoding == "shift_jis":
        text = f"第一章\n\n{body}\n\n{body}\n"
    assert decode_text(text.encode(encoding)) == text


def test_a_cp1252_file_stays_cp1252() -> None:
    text = "Chapter 1\n\n“Café au lait,” she said – naïvely – and left.\n" * 5
    assert decode_text(text.encode("cp1252")) == text


def test_a_koi8_story_imports_with_its_text() -> None:
    # Detection needs some text: a one-paragraph KOI8-R file can still read as Shift-JIS.
    raw = f"Анна Каренина\n\nГлава 1\n\n{TOLSTOY}\n\n{TOLSTOY}\n".encode("koi8-r")
    story = import_story(raw, "anna.txt")
    assert TOLSTOY in story.chapters[0].text
