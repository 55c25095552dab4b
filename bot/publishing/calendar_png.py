"""Drawing the `/schedule list` calendar (`bot.publishing.calendar`) as a PNG for Discord.

Dark background and light text to sit in Discord's dark theme; matplotlib is imported inside
`draw_calendar` only, with the Agg backend (as the `/stats` chart does).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.publishing.calendar import CalendarDay, CalendarEntry
from bot.text import clip

BACKGROUND, CELL, TODAY = "#313338", "#2B2D31", "#404249"
TEXT, MUTED, GREYED, CONFLICT = "#F2F3F5", "#B5BAC1", "#80848E", "#F23F43"
LINES_PER_CELL = 4
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip


def _english_day(day: date) -> str:
    # Spelled out rather than strftime("%b"), whose output depends on the process locale.
    return f"{day.day:02d} {MONTH_ABBREVIATIONS[day.month - 1]}"


def _english_more(hidden: int) -> str:
    return f"+{hidden} more"


@dataclass(frozen=True)
class CalendarWords:
    """The picture's words in the viewer's language (English unless the caller gives others)."""

    weekdays: Sequence[str] = WEEKDAY_NAMES
    day_label: Callable[[date], str] = _english_day
    chapter: str = "ch."
    more: Callable[[int], str] = _english_more


ENGLISH = CalendarWords()


def entry_line(entry: CalendarEntry, chapter: str = "ch.") -> str:
    """One run as a cell line: `18:00 Title ch. 3` (a `!` marks a conflict)."""
    chapters = ",".join(entry.chapters)
    mark = "! " if entry.conflict else ""
    title = clip(entry.story_title, 12).replace("$", r"\$")
    return f"{mark}{entry.at:%H:%M} {title} {chapter}{clip(chapters, 8)}"


def draw_calendar(days: Sequence[CalendarDay], title: str, words: CalendarWords = ENGLISH) -> bytes:
    """The calendar as PNG bytes: weeks as rows, Monday first (CPU-bound: run in a thread)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    lead = days[0].day.weekday() if days else 0
    weeks = -(-(lead + len(days)) // 7) or 1
    figure = Figure(figsize=(11.0, 1.2 + 1.35 * weeks), dpi=90, facecolor=BACKGROUND)
    axes = figure.add_axes((0.01, 0.02, 0.98, 0.86))
    axes.set_xlim(0, 7)
    axes.set_ylim(weeks, -0.25)
    axes.axis("off")
    figure.suptitle(clip(title, 80).replace("$", r"\$"), color=TEXT, fontsize=13)
    for column, name in enumerate(words.weekdays):
        axes.text(column + 0.5, -0.12, name, color=MUTED, ha="center", va="center", fontsize=9)
    for index, day in enumerate(days):
        row, column = divmod(lead + index, 7)
        _draw_cell(axes, column, row, day, words, today=index == 0)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()


def _draw_cell(
    axes: object, x: int, y: int, day: CalendarDay, words: CalendarWords, *, today: bool
) -> None:
    from matplotlib.patches import Rectangle

    fill = TODAY if today else CELL
    axes.add_patch(Rectangle((x + 0.02, y + 0.02), 0.96, 0.96, color=fill))  # type: ignore[attr-defined]
    axes.text(x + 0.06, y + 0.14, words.day_label(day.day), color=MUTED, fontsize=8)  # type: ignore[attr-defined]
    shown = day.entries[:LINES_PER_CELL]
    for line, entry in enumerate(shown):
        colour = CONFLICT if entry.conflict else GREYED if entry.paused else TEXT
        axes.text(  # type: ignore[attr-defined]
            x + 0.06,
            y + 0.33 + 0.17 * line,
            entry_line(entry, words.chapter),
            color=colour,
            fontsize=7,
            style="italic" if entry.paused else "normal",
        )
    if len(day.entries) > len(shown):
        more = words.more(len(day.entries) - len(shown))
        axes.text(x + 0.06, y + 0.92, more, color=MUTED, fontsize=7)  # type: ignore[attr-defined]
