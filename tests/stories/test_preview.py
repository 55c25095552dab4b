"""`chapterbot preview`: the terminal view, the `--json` contract, and clean failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.stories.paginate import STYLE_LIMITS
from bot.stories.preview import run_preview

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"

STORY = """The *Odd* Tale
by Ann Example

Chapter 1: Arrival

She came at dawn — naïve, “wide-eyed”, ready. Ping @everyone! Chapter one is long. {filler}

A second paragraph with a_b and 2*3.

Chapter 2: Departure

She left at dusk.
"""
TOP_KEYS = {
    "end_notes",
    "skipped",
    "source_words",
    "imported_words",
    "title",
    "authors",
    "summary",
    "notes",
    "rating",
    "warnings",
    "tags",
    "style",
    "limit",
    "chapters",
}
CHAPTER_KEYS = {"number", "label", "title", "notes", "end_notes", "chars", "pages"}


@pytest.fixture
def story_file(tmp_path: Path) -> Path:
    path = tmp_path / "odd-tale.txt"
    path.write_text(STORY.format(filler="More words follow here. " * 120), encoding="utf-8")
    return path


def _json_preview(path: Path, capsys: pytest.CaptureFixture[str], **kwargs: str) -> dict:
    assert run_preview(path, as_json=True, **kwargs) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return json.loads(out)


def test_json_has_exactly_the_contract_keys_and_types(
    story_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _json_preview(story_file, capsys)
    assert set(data) == TOP_KEYS
    assert data["style"] == "text" and data["limit"] == STYLE_LIMITS["text"]
    assert data["title"] == "The *Odd* Tale"  # plain text, not escaped markdown
    assert data["authors"] == ["Ann Example"]
    assert data["rating"] is None and data["warnings"] == [] and data["tags"] == []
    assert isinstance(data["source_words"], int) and data["source_words"] > 0
    assert data["imported_words"] == data["source_words"]  # nothing lost
    assert [c["number"] for c in data["chapters"]] == [1, 2]
    for chapter in data["chapters"]:
        assert set(chapter) == CHAPTER_KEYS
        assert isinstance(chapter["chars"], int) and chapter["pages"]
        assert all(0 < len(page) <= data["limit"] for page in chapter["pages"])


def test_json_pages_are_the_rendered_chapter_cut_losslessly(
    story_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = _json_preview(story_file, capsys)["chapters"]
    assert len(first["pages"]) == 2  # about 3,100 characters at 2,000 a page
    assert first["chars"] >= sum(len(p) for p in first["pages"])  # cuts drop separators only
    assert first["pages"][0].startswith("**Chapter 1: Arrival**\n\nShe came at dawn")
    assert "a\\_b and 2\\*3." in first["pages"][1]
    assert second["pages"] == ["**Chapter 2: Departure**\n\nShe left at dusk."]
    assert second["chars"] == len(second["pages"][0])


def test_json_keeps_non_ascii_text_as_is(
    story_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_preview(story_file, as_json=True) == 0
    out = capsys.readouterr().out
    assert "naïve, “wide-eyed”" in out and "\\u" not in out


def test_embed_style_uses_the_embed_limit(
    story_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _json_preview(story_file, capsys, style="embed")
    assert data["style"] == "embed" and data["limit"] == 4096
    assert len(data["chapters"][0]["pages"]) == 1


def test_text_view_shows_metadata_pages_sizes_and_totals(
    story_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_preview(story_file) == 0
    out = capsys.readouterr().out
    assert out.startswith("The *Odd* Tale\nby Ann Example\n")
    assert "Chapter 1: Arrival — 2 page(s)" in out
    assert "[page 2/2: " in out
    assert "Total: 2 chapter(s), 3 page(s)" in out


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read"),
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00" * 50, "binary"),
    ],
)
def test_an_unimportable_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, reason: str
) -> None:
    path = tmp_path / "story.txt"
    if content is not None:
        path.write_bytes(content)
    assert run_preview(path, as_json=True) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and reason in err and "Traceback" not in err


def test_a_directory_or_an_unknown_style_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], story_file: Path
) -> None:
    assert run_preview(tmp_path) == 2
    assert run_preview(story_file, style="pigeon") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "pigeon" in err


def test_the_corpus_previews_with_every_chapter_paginated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = CORPUS / "kiss-of-blood.txt"
    if not path.exists():
        pytest.skip(f"corpus file ../shared/corpus/{path.name} is absent")
    data = _json_preview(path, capsys)
    assert data["title"] == "Kiss of Blood" and data["authors"] == ["Tess"]
    assert all(c["pages"] for c in data["chapters"])


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "preview", *args],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_cli_json_matches_run_preview(
    story_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _cli(str(story_file), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == _json_preview(story_file, capsys)


def test_cli_failure_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = _cli(str(tmp_path / "missing.epub"), "--json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
