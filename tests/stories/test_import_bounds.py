"""Bounded imports: a time limit with a clear message, and pathological Markdown refused."""

from __future__ import annotations

import threading

import pytest

from bot.errors import ImportRefused
from bot.stories.import_time import run_import
from bot.stories.importers import import_story
from bot.stories.importers.markdown import MAX_EMPHASIS_MARKS


async def test_an_import_past_the_limit_is_refused_with_the_limit_named() -> None:
    release = threading.Event()

    def stuck() -> str:
        release.wait(30)  # a parser stuck on a pathological file
        return "too late"

    try:
        with pytest.raises(ImportRefused, match=r"`big\.md` took longer than 0\.05 seconds"):
            await run_import(stuck, filename="big.md", timeout=0.05)
    finally:
        release.set()  # let the worker thread end


async def test_an_import_within_the_limit_returns_its_result() -> None:
    assert await run_import(lambda: 42, filename="a.txt", timeout=30) == 42


def test_nested_emphasis_past_the_limit_is_refused_with_a_reason() -> None:
    half = MAX_EMPHASIS_MARKS // 4 + 1
    text = "# Title\n\n## Chapter 1\n\n" + "*_" * half + "x" + "_*" * half + "\n"
    with pytest.raises(ImportRefused, match=r"emphasis marks \(the limit is 100,000\)"):
        import_story(text.encode(), "nested.md")


def test_ordinary_emphasis_is_read() -> None:
    text = "# Title\n\n## Chapter 1\n\n" + "She was *very* _sure_ of it. " * 2000
    story = import_story(text.encode(), "fine.md")
    assert story.chapters[0].blocks[0].spans[1].italic  # type: ignore[union-attr]
