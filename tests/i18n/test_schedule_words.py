"""The `/schedule list` calendar picture in the viewer's language (issue 18): weekdays and
dates from Babel's locale data, "ch." and "+N more" from the catalogs; English unchanged."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from PIL import Image

from bot.i18n import Catalogs
from bot.publishing.calendar import CalendarSource, build_calendar
from bot.publishing.calendar_png import draw_calendar, entry_line
from cogs.publishing.schedule_text import calendar_words
from tests.publishing.test_calendar import NOW, schedule

CATALOGS = Catalogs()


def test_the_calendar_words_follow_the_viewers_language() -> None:
    fr = calendar_words(CATALOGS.speaker("fr"))
    assert fr.weekdays[0] == "lun." and fr.weekdays[6] == "dim."
    assert fr.day_label(date(2026, 12, 11)) == "11 déc."
    assert fr.more(3) == "+3 autres" and fr.more(1) == "+1 autre"
    de = calendar_words(CATALOGS.speaker("de"))
    assert de.weekdays[4] == "Fr." and de.more(2) == "+2 weitere"
    english = calendar_words(CATALOGS.speaker("en-US"))
    assert english.weekdays[0] == "Mon" and english.day_label(date(2026, 12, 1)) == "01 Dec"
    assert english.more(2) == "+2 more"


def test_a_french_calendar_draws_its_cells_with_french_words() -> None:
    at = datetime(2027, 3, 3, 18, tzinfo=UTC)
    source = CalendarSource(schedule(1, 1, at, None, per_run=2), "A", 5, False, ["3", "4"])
    days = build_calendar([source], UTC, NOW)
    words = calendar_words(CATALOGS.speaker("fr"))
    (day,) = [d for d in days if d.entries]
    assert [entry_line(e, words.chapter) for e in day.entries] == ["18:00 A chap.3,4"]
    png = draw_calendar(days, "4 prochaines semaines (UTC)", words)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
