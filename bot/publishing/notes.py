"""What a release's history and last error say, as message ids: written in English when the
release happens, said again in the reader's language by `/schedule history`, `/doctor` and the
owner's DM (see `bot.i18n.recorded`)."""

from __future__ import annotations

from bot.i18n import N_, SOURCE
from bot.i18n.recorded import RecordedNotes
from bot.publishing.planner import TARGET_REFUSALS

STORY_GONE = N_("The story or chapter was deleted.")
UNEXPECTED = N_("Unexpected error ({name}).")
PAGES_POSTED = N_("{n} page(s) posted")
PAGES_FOUND = N_("{n} page(s) found already posted")
PAGE_DELETED = N_("chapter {chapter} page {page} was deleted")
FORUM_POST_UNKNOWN = N_("Every page is posted but the forum post is unknown.")
CHANNEL_GONE = N_("the channel was deleted; set one with /settings channel, then /schedule resume")
CROSSPOSTED = N_("message {message}")
CROSSPOSTED_LATE = N_("message {message} (the channel's crosspost limit is used up)")
CROSSPOST_RATE_LIMITED = N_(
    "rate limited by Discord (about 10 crossposts an hour per channel); not retried"
)
SHUTTING_DOWN = N_("I was shutting down")

# What Discord answered when the bot tried an action (the action is one of those below).
DISCORD_REFUSED = N_("Discord refused to {action}: missing permissions ({reason}).")
DISCORD_GONE = N_("Could not {action}: the channel or message is gone.")
DISCORD_ANSWERED = N_("Could not {action}: Discord answered {status} ({reason}).")
CONNECTION_LOST = N_("Could not {action}: connection lost ({reason}).")

FIND_CHANNEL = N_("find channel {channel}")
POST_IN = N_("post in {channel}")
START_THREAD = N_("start a thread in {channel}")
CREATE_POST = N_("create a post in {channel}")
CROSSPOST = N_("crosspost")
READ_CROSSPOSTED = N_("read the crossposted message")
READ_HISTORY = N_("read the channel's history")

RELEASE_NOTES = RecordedNotes(
    [
        STORY_GONE,
        UNEXPECTED,
        PAGES_POSTED,
        PAGES_FOUND,
        PAGE_DELETED,
        FORUM_POST_UNKNOWN,
        CHANNEL_GONE,
        CROSSPOSTED,
        CROSSPOSTED_LATE,
        CROSSPOST_RATE_LIMITED,
        SHUTTING_DOWN,
        DISCORD_REFUSED,
        DISCORD_GONE,
        DISCORD_ANSWERED,
        CONNECTION_LOST,
        FIND_CHANNEL,
        POST_IN,
        START_THREAD,
        CREATE_POST,
        CROSSPOST,
        READ_CROSSPOSTED,
        READ_HISTORY,
        *TARGET_REFUSALS,
    ],
    terms=("rating",),  # the ratings offered are catalog entries
    phrases=("action",),
)


def note(message: str, /, **params: object) -> str:
    """`message` as the history records it: English, placeholders filled."""
    return SOURCE.gettext(message, **params)
