"""The frozen records of early access: a story's setting, its coming runs and the open range."""

from __future__ import annotations

from dataclasses import dataclass

MAX_HOURS = 168  # a week: further ahead, schedules are too likely to change


@dataclass(frozen=True)
class EarlyAccessSetting:
    """Members holding `role_id` read chapters whose release is at most `hours` away."""

    story_id: int
    role_id: int
    hours: int

    @property
    def seconds(self) -> int:
        """The early-access window in seconds."""
        return self.hours * 3600


@dataclass(frozen=True)
class EarlyRun:
    """One coming scheduled run and the unreleased chapters it will release, in order."""

    run_at: int
    chapter_ids: tuple[int, ...]
    chapter_numbers: tuple[int, ...]


@dataclass(frozen=True)
class ChapterRange:
    """The unreleased chapter numbers an early reader may read: `first`..`last` (inclusive).

    `NO_RANGE` (1..0) is empty: what everyone without early access gets.
    """

    first: int
    last: int

    @property
    def empty(self) -> bool:
        """True when no chapter is open early."""
        return self.last < self.first

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.first <= number <= self.last


NO_RANGE = ChapterRange(1, 0)


def chapter_range(runs: list[EarlyRun]) -> ChapterRange:
    """The range covering every chapter of `runs` (they are consecutive unreleased chapters)."""
    numbers = [n for run in runs for n in run.chapter_numbers]
    return ChapterRange(min(numbers), max(numbers)) if numbers else NO_RANGE
