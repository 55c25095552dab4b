"""Planning a release: where it goes, in which mode, whether the story may go there, and names.

Pure functions over records and `TargetInfo`; the service feeds them and raises what they find.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError, InvalidInput, NotAllowed, Translates
from bot.i18n import N_, SOURCE
from bot.publishing.port import TargetInfo
from bot.stories.records import ChapterRecord, StoryRecord

GATED_RATINGS = frozenset({"mature", "explicit"})
THREAD_NAME_LIMIT = 100
PREFERRED_TAGS = ("ongoing",)
SET_CHANNEL_HINT = N_("Set one with `/settings channel`, or pass `channel:` to this command.")

# Why a story cannot be posted into a channel (also what a failed release's history says).
CHANNEL_MISSING = N_("The channel no longer exists or I can't see it.")
NOT_A_FORUM = N_("{channel} is not a forum channel, but the story posts in forum mode.")
NOT_A_TEXT_CHANNEL = N_("{channel} is not a text or announcement channel.")
NOT_AGE_RESTRICTED = N_(
    "“{title}” is rated {rating}; it may only be posted in an age-restricted channel, "
    "and {channel} is not one."
)
MISSING_PERMISSIONS = N_("I am missing the {permissions} permission in {channel}.")
TARGET_REFUSALS = (
    CHANNEL_MISSING,
    NOT_A_FORUM,
    NOT_A_TEXT_CHANNEL,
    NOT_AGE_RESTRICTED,
    MISSING_PERMISSIONS,
)


@dataclass(frozen=True)
class Target:
    """Where a release goes: a channel and the posting mode."""

    channel_id: int
    mode: str


def is_gated(story: StoryRecord) -> bool:
    """True for stories rated Mature or Explicit, which need an age-restricted channel."""
    return (story.rating or "").strip().casefold() in GATED_RATINGS


def mode_for(kind: str, preferred: str) -> str:
    """The posting mode for a channel kind: forums take posts, text channels messages/threads."""
    if kind == "forum":
        return "forum"
    return preferred if preferred in ("messages", "thread") else "messages"


def resolve_target(
    story: StoryRecord, override_id: int | None, kind_of_override: str | None = None
) -> Target:
    """The channel a release goes to: `override_id` if given, else the story's channel.

    Raises `ConfigError` (with how to fix it) when neither is set.
    """
    if override_id is not None:
        return Target(override_id, mode_for(kind_of_override or "text", story.channel_mode))
    if story.channel_id is None:
        raise ConfigError(
            N_("“{title}” has no channel to post in."),
            hint=SET_CHANNEL_HINT,
            params={"title": story.title},
        )
    return Target(story.channel_id, story.channel_mode)


Problem = tuple[str, dict[str, object]]


def target_problem(story: StoryRecord, info: TargetInfo, mode: str) -> str | None:
    """Why `story` cannot be posted into `info` in `mode`, in English (a release's history
    keeps it), or None if it can."""
    problem = target_refusal(story, info, mode)
    return None if problem is None else SOURCE.gettext(problem[0], **problem[1])


def target_refusal(story: StoryRecord, info: TargetInfo, mode: str) -> Problem | None:
    """Why `story` cannot be posted into `info` in `mode` (a message id and its params), or
    None if it can."""
    channel = {"channel": f"#{info.name}"}
    if info.kind == "missing":
        return CHANNEL_MISSING, {}
    if mode == "forum" and info.kind != "forum":
        return NOT_A_FORUM, channel
    if mode != "forum" and info.kind not in ("text", "announcement"):
        return NOT_A_TEXT_CHANNEL, channel
    if is_gated(story) and not info.nsfw:
        return NOT_AGE_RESTRICTED, {"title": story.title, "rating": story.rating, **channel}
    if info.bot_missing:
        return MISSING_PERMISSIONS, {"permissions": ", ".join(info.bot_missing), **channel}
    return None


def check_target(story: StoryRecord, info: TargetInfo, mode: str) -> None:
    """Raise the user-facing error for `target_problem`, if any."""
    problem = target_refusal(story, info, mode)
    if problem is None:
        return
    message, params = problem
    if is_gated(story) and not info.nsfw and info.kind != "missing":
        raise NotAllowed(
            message,
            hint=N_("Pick an age-restricted (NSFW) channel."),
            params=params,
            terms=("rating",),  # the ratings offered are catalog entries
        )
    if info.bot_missing:
        raise NotAllowed(
            message, hint=N_("Ask a server admin to grant it, then try again."), params=params
        )
    raise InvalidInput(message, hint=SET_CHANNEL_HINT, params=params)


def chapter_label(chapter: ChapterRecord, t: Translates = SOURCE) -> str:
    """`Ch. 3 — Title` (or just `Ch. 3`), in the server's language (`t`)."""
    title = (chapter.title or "").strip()
    if title:
        return t.gettext("Ch. {number} — {title}", number=chapter.number, title=title)
    return t.gettext("Ch. {number}", number=chapter.number)


def thread_name(chapter: ChapterRecord, t: Translates = SOURCE) -> str:
    """A thread or forum post name for a chapter, cut to Discord's 100 characters."""
    label = chapter_label(chapter, t)
    return label if len(label) <= THREAD_NAME_LIMIT else label[: THREAD_NAME_LIMIT - 1] + "…"


def header_text(
    story: StoryRecord, chapter: ChapterRecord, role_id: int | None, t: Translates = SOURCE
) -> str:
    """The line posted before a chapter: what is out, and the notify role's mention."""
    line = f"📖 **{_plain(story.title)}** — {_plain(chapter_label(chapter, t))}"
    return f"{line}\n<@&{role_id}>" if role_id else line


def pick_tag(info: TargetInfo, story: StoryRecord) -> int | None:
    """A forum tag for a post: only when the forum requires one; the story's own tags first."""
    if not info.requires_tag or not info.tags:
        return None
    by_name = {name.casefold(): tag_id for tag_id, name in info.tags}
    for name in (*story.tags, *PREFERRED_TAGS):
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    return info.tags[0][0]


def _plain(text: str) -> str:
    """Text safe inside bold markup: no asterisks or mention syntax that would render oddly."""
    for needle, safe in (("*", "\\*"), ("<@", "<\u200b@"), ("@everyone", "@\u200beveryone")):
        text = text.replace(needle, safe)
    return text.replace("@here", "@\u200bhere")
