"""Planner rules: targets, the rating gate, names, tags, and catching up with missed runs."""

from __future__ import annotations

import dataclasses

import pytest

from bot.errors import ConfigError, NotAllowed
from bot.publishing.planner import (
    check_target,
    header_text,
    pick_tag,
    resolve_target,
    target_problem,
    thread_name,
)
from bot.publishing.port import TargetInfo
from bot.publishing.records import ScheduleRecord
from bot.publishing.runs import PlannedRun, plan_run
from bot.stories.records import ChapterRecord, StoryRecord

STORY = StoryRecord(
    id=1,
    guild_id=2,
    owner_id=3,
    title="Night *Owl* @everyone",
    summary=None,
    notes=None,
    end_notes=None,
    rating=None,
    warnings=(),
    tags=("complete",),
    source_authors=(),
    language=None,
    source_format="txt",
    style="text",
    channel_id=None,
    channel_mode="thread",
    notify_role_id=None,
    silent=False,
    paused=False,
    created_at=0,
    updated_at=0,
)
TEXT = TargetInfo(5, "text", name="general")


def chapter(number: int, title: str | None) -> ChapterRecord:
    """A chapter record with only what naming needs."""
    return ChapterRecord(number, 1, number, title, None, None, None, 0, "[]", None)


def test_a_story_without_a_channel_says_how_to_set_one() -> None:
    with pytest.raises(ConfigError, match="no channel") as caught:
        resolve_target(STORY, None)
    assert "/settings channel" in str(caught.value)
    assert resolve_target(STORY, 9, "forum").mode == "forum"
    assert resolve_target(STORY, 9, "text").mode == "thread"
    placed = dataclasses.replace(STORY, channel_id=7)
    assert (resolve_target(placed, None).channel_id, resolve_target(placed, None).mode) == (
        7,
        "thread",
    )


@pytest.mark.parametrize("rating", ["Mature", "Explicit", "explicit"])
def test_mature_and_explicit_need_an_age_restricted_channel(rating: str) -> None:
    story = dataclasses.replace(STORY, rating=rating)
    with pytest.raises(NotAllowed, match="age-restricted"):
        check_target(story, TEXT, "messages")
    check_target(story, dataclasses.replace(TEXT, nsfw=True), "messages")
    check_target(dataclasses.replace(STORY, rating="Teen And Up Audiences"), TEXT, "messages")


def test_channel_kind_and_bot_permissions_are_problems() -> None:
    assert "not a forum" in (target_problem(STORY, TEXT, "forum") or "")
    forum = TargetInfo(6, "forum", name="serials")
    assert "not a text" in (target_problem(STORY, forum, "messages") or "")
    blocked = dataclasses.replace(TEXT, bot_missing=("Send Messages",))
    assert "Send Messages" in (target_problem(STORY, blocked, "messages") or "")
    assert target_problem(STORY, TargetInfo(5, "missing"), "messages") is not None


def test_names_are_cut_to_100_characters_and_headers_are_defused() -> None:
    assert thread_name(chapter(3, "Dawn")) == "Ch. 3 — Dawn"
    assert thread_name(chapter(4, None)) == "Ch. 4"
    long = thread_name(chapter(5, "x" * 300))
    assert len(long) == 100 and long.endswith("…")
    header = header_text(STORY, chapter(1, "Dawn"), role_id=77)
    assert header.endswith("<@&77>") and "@everyone" not in header and "\\*Owl\\*" in header


def test_a_tag_only_when_the_forum_requires_one() -> None:
    forum = TargetInfo(6, "forum", tags=((1, "ongoing"), (2, "Complete")))
    assert pick_tag(forum, STORY) is None
    required = dataclasses.replace(forum, requires_tag=True)
    assert pick_tag(required, STORY) == 2  # the story's own tag wins
    assert pick_tag(required, dataclasses.replace(STORY, tags=())) == 1


def schedule(rule: str | None, next_run_at: int) -> ScheduleRecord:
    """A schedule record due at `next_run_at`."""
    return ScheduleRecord(1, 1, 1, next_run_at, rule, "UTC", 1, None, True, 0)


def test_missed_runs_all_posts_each_latest_jumps_back_onto_the_grid() -> None:
    due = 1_800_000_000
    now = due + 35
    every_ten = schedule("every 10 seconds", due)
    assert plan_run(every_ten, now, "all") == PlannedRun(due, due + 10)
    latest = plan_run(every_ten, now, "latest")
    assert (latest.ran_at, latest.next_run_at) == (due + 30, due + 40)
    on_time = plan_run(every_ten, due, "latest")
    assert (on_time.ran_at, on_time.next_run_at) == (due, due + 10)
    once = plan_run(schedule(None, due), now, "latest")
    assert (once.ran_at, once.next_run_at) == (due, None)
