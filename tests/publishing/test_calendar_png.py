"""The calendar picture stays small and readable even on a crowded month."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from bot.publishing.calendar import CalendarSource, build_calendar
from bot.publishing.calendar_png import draw_calendar, entry_line
from tests.publishing.test_calendar import NOW, labels, schedule


def test_a_crowded_calendar_is_a_small_png_with_four_week_rows() -> None:
    first = datetime(2027, 3, 1, 10, tzinfo=UTC)
    sources = [
        CalendarSource(
            schedule(n, n, first + timedelta(minutes=3 * n), "hourly"),
            f"Story $number {n} with a very long title",
            5,
            n % 2 == 0,
            labels(300),
        )
        for n in range(1, 9)
    ]
    days = build_calendar(sources, UTC, NOW)
    png = draw_calendar(days, "Next 4 weeks (UTC)")
    assert len(png) < 200_000
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    assert 800 <= width <= 1600 and 400 <= height <= 1000


def test_a_cell_line_names_time_story_and_chapters_and_marks_conflicts() -> None:
    at = datetime(2027, 3, 3, 18, tzinfo=UTC)
    a = CalendarSource(schedule(1, 1, at, None, per_run=2), "A", 5, False, ["3", "4"])
    b = CalendarSource(schedule(2, 2, at, None), "B", 5, False, ["1"])
    (day,) = [d for d in build_calendar([a, b], UTC, NOW) if d.entries]
    assert [entry_line(e) for e in day.entries] == ["! 18:00 A ch.3,4", "! 18:00 B ch.1"]
