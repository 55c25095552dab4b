"""The `/stats` chart: a valid PNG whose bars and line are the statistics' numbers."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bot.feedback.chart import draw_stats_chart
from bot.feedback.stats import ChapterStats, StoryStats, stats_text
from bot.stories.records import StoryRecord

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def story(title: str = "Chart Tale") -> StoryRecord:
    """A story record (only the title matters to the chart)."""
    return StoryRecord(
        1, 1, 1, title, None, None, None, None, (), (), (), None, "txt", "text", None,
        "messages", None, False, False, 0, 0,
    )  # fmt: skip


def stats_from(readers: list[int], from_first: list[int], title: str = "Chart Tale") -> StoryStats:
    """Statistics for chapters 1..n with these reader counts (retention as the domain computes)."""
    base = readers[0] if readers else 0
    chapters = tuple(
        ChapterStats(
            number=n,
            title=f"Part {n}",
            readers=r,
            from_first=f,
            retention=round(100 * f / base) if base else None,
            reactions=(),
            other_reactions=0,
            notes=0,
        )
        for n, (r, f) in enumerate(zip(readers, from_first, strict=True), start=1)
    )
    return StoryStats(story(title), ("❤️",), chapters, (), 0, 0)


def assert_valid_png(png: bytes) -> tuple[int, int]:
    """Check the signature, the IHDR chunk and a full decode; returns (width, height)."""
    assert png.startswith(PNG_SIGNATURE)
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", png[16:24])
    assert width > 0 and height > 0
    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (height, width)
    return width, height


def test_bars_and_line_are_the_numbers_of_the_text() -> None:
    stats = stats_from([8, 5, 5, 2], [8, 4, 5, 2])
    chart = draw_stats_chart(stats)
    assert_valid_png(chart.png)
    text = stats_text(stats)
    in_text = {
        int(c): int(n) for c, n in re.findall(r"\*\*Ch\. (\d+)[^*]*\*\*: (\d+) reader", text)
    }
    assert dict(zip(chart.chapters, chart.bar_heights, strict=True)) == in_text
    retention = {
        int(to): int(pct)
        for pct, to in re.findall(
            r"(\d+) % of readers who started chapter 1 reached chapter (\d+)", text
        )
    }
    drawn = dict(zip(chart.chapters, chart.retention, strict=True))
    assert {n: round(v) for n, v in drawn.items() if n > 1 and v is not None} == retention
    assert drawn[1] == 100


def test_no_first_chapter_readers_draws_bars_without_a_line() -> None:
    chart = draw_stats_chart(stats_from([0, 3], [0, 0], title="Costs $5 and $6"))
    assert_valid_png(chart.png)
    assert chart.bar_heights == (0, 3) and chart.retention == (None, None)


def test_many_chapters_still_make_one_readable_png() -> None:
    readers = list(range(150, 0, -1))
    chart = draw_stats_chart(stats_from(readers, readers))
    width, _ = assert_valid_png(chart.png)
    assert chart.bar_heights == tuple(readers) and width <= 1600


@pytest.mark.skipif(sys.platform == "win32", reason="subprocess import check")
def test_matplotlib_is_imported_only_when_a_chart_is_drawn() -> None:
    code = (
        "import sys, bot.feedback.chart, bot.feedback.service, cogs.feedback\n"
        "assert 'matplotlib' not in sys.modules, 'imported too early'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
