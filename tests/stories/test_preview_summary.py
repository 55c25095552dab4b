"""`chapterbot preview FILE --summary`: one line per chapter, skipped parts and totals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.stories.model import Chapter, plain_paragraph
from bot.stories.preview import run_preview
from bot.stories.render import heading_text

MOBY = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "moby-dick.epub"
STORY = """Two Days by Ann Example

Chapter 1: Arrival

She came at dawn.

Epilogue

She left at dusk.
"""


def test_summary_lines_match_the_json_chars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two-days.txt"
    path.write_text(STORY, encoding="utf-8")
    assert run_preview(path, as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert run_preview(path, summary=True) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Two Days — Ann Example"
    assert len(lines) == 1 + len(data["chapters"]) + 2  # totals, then the word account
    for line, chapter in zip(lines[1:-2], data["chapters"], strict=True):
        assert f"{chapter['chars']:,} chars" in line
        assert f"{len(chapter['pages'])} pages" in line
    assert "Chapter 1: Arrival" in lines[1]
    assert lines[2].split()[1] == "Epilogue"  # an unnumbered part keeps its own name
    assert lines[-2].startswith("total: 2 chapters, 2 pages")
    assert lines[-1] == (
        f"source: {data['source_words']:,} words, {data['imported_words']:,} accounted for "
        "(none lost)"
    )
    assert "She came at dawn" not in "\n".join(lines)  # no page text


def test_moby_dick_summary_is_short(capsys: pytest.CaptureFixture[str]) -> None:
    if not MOBY.is_file():
        pytest.skip("corpus file ../shared/corpus/moby-dick.epub is absent")
    assert run_preview(MOBY, summary=True) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) < 200
    assert any("Chapter 40: Midnight, Forecastle" in line for line in lines)
    assert lines[1].split()[1] == "ETYMOLOGY"


def test_unnumbered_parts_drop_the_number() -> None:
    for title in ("Etymology", "Prologue", "Epilogue: After", "Interlude", "Preface"):
        assert heading_text(Chapter(2, title=title, blocks=[plain_paragraph("x")])) == title
    assert heading_text(Chapter(2, title="Prologues Lost")) == "Chapter 2: Prologues Lost"
