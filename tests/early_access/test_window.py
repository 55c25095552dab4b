"""The early-access window, pure: which coming runs fall within the hours, with which chapters."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.early_access.records import NO_RANGE, ChapterRange, EarlyRun, chapter_range
from bot.early_access.window import assign, next_run_after, run_times
from bot.publishing.records import ScheduleRecord
from bot.stories.records import ChapterRecord

DAY = 86_400
T0 = int(datetime(2027, 3, 4, 12, 0, tzinfo=UTC).timestamp())


def schedule(
    next_run_at: int | None, rule: str | None = None, per_run: int = 1, **kw: object
) -> ScheduleRecord:
    fields: dict[str, object] = {
        "id": 1,
        "story_id": 1,
        "created_by": 1,
        "next_run_at": next_run_at,
        "rule": rule,
        "timezone": "UTC",
        "chapters_per_run": per_run,
        "channel_id": None,
        "active": True,
        "created_at": 0,
    }
    fields.update(kw)
    return ScheduleRecord(**fields)  # type: ignore[arg-type]


def chapters(*numbers: int) -> list[ChapterRecord]:
    return [
        ChapterRecord(
            id=100 + n,
            story_id=1,
            number=n,
            title=None,
            summary=None,
            notes=None,
            end_notes=None,
            word_count=1,
            body="[]",
            released_at=None,
        )
        for n in numbers
    ]


def test_runs_within_the_window_get_the_next_chapters_in_order() -> None:
    daily = schedule(T0 + 3600, "daily 13:00")
    times = run_times([daily], T0 + 2 * DAY)
    assert times == [(T0 + 3600, 1), (T0 + 3600 + DAY, 1)]  # the third run is past the window
    runs = assign(times, chapters(3, 4, 5))
    assert runs == [EarlyRun(T0 + 3600, (103,), (3,)), EarlyRun(T0 + 3600 + DAY, (104,), (4,))]
    assert chapter_range(runs) == ChapterRange(3, 4)


def test_nothing_opens_outside_the_window_or_without_chapters() -> None:
    later = schedule(T0 + 10 * 3600)
    assert run_times([later], T0 + 3 * 3600) == []
    assert assign(run_times([later], T0 + DAY), []) == []
    assert chapter_range([]) == NO_RANGE and NO_RANGE.empty and 1 not in NO_RANGE
    inactive = schedule(T0 + 60, active=False)
    assert run_times([inactive, schedule(None)], T0 + DAY) == []


def test_a_due_run_not_yet_taken_is_open_and_same_instant_runs_merge() -> None:
    due = schedule(T0 - 5, per_run=2)
    twin = schedule(T0 - 5, id=2)
    runs = assign(run_times([due, twin], T0), chapters(2, 3, 4, 5))
    assert runs == [EarlyRun(T0 - 5, (102, 103, 104), (2, 3, 4))]


def test_the_next_opening_is_the_first_run_past_the_window() -> None:
    daily = schedule(T0 + 3600, "daily 13:00")
    assert next_run_after([daily], T0) == T0 + 3600
    assert next_run_after([daily], T0 + 3600) == T0 + 3600 + DAY
    assert next_run_after([schedule(T0 + 3600)], T0 + 3600) is None  # a one-off ran out
