"""How one attempt at a release ended, and why it failed in the author's language."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import Translates
from bot.publishing.notes import RELEASE_NOTES, STORY_GONE

# A release's `error` when posting stopped because the database did not answer: not a failure
# of the release, which stays claimed and is resumed once its lease runs out.
DATABASE_UNAVAILABLE = "database unavailable"


@dataclass(frozen=True)
class RunResult:
    """How one attempt at a release ended."""

    release_id: int
    chapter_number: int
    status: str  # done, failed, interrupted, skipped
    posted: int = 0
    total: int = 0
    error: str | None = None
    channel_id: int | None = None
    # Why a release could not start, as a message id and params (the reply translates it;
    # `error` is the English text its history keeps).
    reason: tuple[str, dict[str, object]] | None = None

    def failure(self, t: Translates) -> str:
        """Why the release failed, in `t`'s language when chapterbot knows the reason
        (Discord's own answers stay as Discord gave them)."""
        if self.reason is not None:
            message, params = self.reason
            # A rating the author picked from the list has its own catalog entry.
            shown = {
                k: t.gettext(v) if k == "rating" and isinstance(v, str) else v
                for k, v in params.items()
            }
            return t.gettext(message, **shown)
        if self.error == "deleted":
            return t.gettext(STORY_GONE)
        return RELEASE_NOTES.say(self.error, t) if self.error else self.status
