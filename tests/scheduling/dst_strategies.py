"""Hypothesis strategies shared by the scheduling tests: zones, DST changes, cron lines."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

# Ordinary one-hour changes, a 30-minute change (Lord Howe), changes at midnight (Havana),
# a two-hour change (Troll), and zones without DST.
DST_ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Havana",
             "Antarctica/Troll", "Asia/Kolkata", "UTC")  # fmt: skip


def offset(instant: datetime, zone: ZoneInfo) -> timedelta | None:
    """The zone's UTC offset at `instant`."""
    return instant.astimezone(zone).utcoffset()


@cache
def transitions(zone_name: str) -> tuple[datetime, ...]:
    """Instants in 2026-2028 (to the hour) where the zone's UTC offset changes."""
    zone, found = ZoneInfo(zone_name), []
    day = datetime(2026, 1, 1, tzinfo=UTC)
    while day.year < 2029:
        if offset(day, zone) != offset(day + timedelta(days=1), zone):
            hour = day
            while offset(hour, zone) == offset(day, zone):
                hour += timedelta(hours=1)
            found.append(hour)
        day += timedelta(days=1)
    return tuple(found) or (datetime(2027, 6, 1, tzinfo=UTC),)


@st.composite
def near_a_transition(draw: st.DrawFn) -> tuple[ZoneInfo, datetime]:
    """A zone and an instant (whole seconds) within three days before one of its DST changes."""
    name = draw(st.sampled_from(DST_ZONES))
    change = draw(st.sampled_from(transitions(name)))
    return ZoneInfo(name), change - timedelta(seconds=draw(st.integers(0, 3 * 86400)))


times_of_day = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]),
                         st.sampled_from([0, 0, 30]))  # fmt: skip
# Crontab lines mixing lists, ranges, steps, names, both Sundays and rare days of the month.
cron_lines = st.builds(
    " ".join,
    st.tuples(
        st.sampled_from(["0", "30", "*/20", "5,35", "*"]),
        st.sampled_from(["*", "2", "0-3", "18", "*/6", "1,2,3", "23"]),
        st.sampled_from(["*", "1", "15", "*/2", "31", "1-7", "29"]),
        st.sampled_from(["*", "3,10", "*/2", "jan-jun", "4,12"]),
        st.sampled_from(["*", "0", "7", "1-5", "mon-fri", "sat,sun", "5", "2-4"]),
    ),
)
