"""The reader's messages: a page, "caught up", the chapter picker, catch-up, progress.

Each builder returns the keyword arguments for sending or editing a message (`content`,
`embeds`, `view`). The components come from `cogs.reading.buttons`; clicks on them reach the
persistent items of `cogs.reading.views` by custom_id.
"""

from __future__ import annotations

import functools
from typing import Any

import discord
from discord.utils import escape_markdown

from bot.i18n import SOURCE, Speaker
from bot.reading.model import CHAPTERS_PER_PICKER
from bot.reading.service import (
    CatchUp,
    CaughtUp,
    ChapterListing,
    PageView,
    ProgressLine,
    StoryChoice,
    progress_bar,
)
from cogs.reading.buttons import (
    ButtonRows,
    chapter_select,
    chapters_button,
    chapters_spec,
    fit_label,
    nav_spec,
    read_spec,
    reader_view,
)

EMBED_TITLE_LIMIT = 256
CONTENT_LIMIT = 2000


# Every page of a story carries the same title: escaping it again for each `/next` cost more
# than looking it up. Titles are short and few, so the memo stays small.
@functools.lru_cache(maxsize=1024)
def _title(text: str) -> str:
    escaped = escape_markdown(text)
    return escaped if len(escaped) <= EMBED_TITLE_LIMIT else escaped[: EMBED_TITLE_LIMIT - 1] + "…"


def _fit(text: str, limit: int = CONTENT_LIMIT) -> str:
    return text if len(text) <= limit else text[: text.rfind("\n", 0, limit - 2)] + "\n…"


def page_footer(page: PageView, t: Speaker = SOURCE) -> str:
    """The "Chapter x/y · page a/b" line in the reader's language."""
    p = page.page
    return t.gettext(
        "Chapter {chapter}/{chapters} · page {page}/{pages}",
        chapter=p.chapter_number,
        chapters=p.chapter_count,
        page=p.page_number,
        pages=p.page_count,
    )


def page_message(page: PageView, t: Speaker = SOURCE) -> dict[str, Any]:
    """The reader showing one page: the stored text (content or embed) and the nav buttons."""
    embed = discord.Embed(title=_title(page.story_title))
    embed.set_footer(text=page_footer(page, t))
    content: str | None = None
    if page.style == "embed":
        embed.description = page.page.content
    else:
        content = page.page.content
    p = page.page
    view = ButtonRows(
        nav_spec("back", page.story_id, p.chapter_number, p.page_number, page.at_start, t=t),
        nav_spec("next", page.story_id, p.chapter_number, p.page_number, t=t),
        chapters_spec(page.story_id, _picker_offset(p.chapter_number), t=t),
    )
    return {"content": content, "embeds": [embed], "view": view}


def caught_up_message(done: CaughtUp, t: Speaker = SOURCE) -> dict[str, Any]:
    """ "You're caught up", with what comes next: more pages now, or the next release time."""
    if done.posting_now:
        when = t.gettext("More is being posted right now: press Next ▶ again in a moment.")
    elif done.next_release_at:
        when = t.gettext("The next release is {when}.", when=f"<t:{done.next_release_at}:R>")
    else:
        when = t.gettext("No release is scheduled yet.")
    text = "✅ " + t.gettext(
        "You're caught up on **{title}**.", title=escape_markdown(done.story_title)
    )
    text += f" {when}"
    # Back from one past the last page read shows that page again; Next re-checks for news.
    view = ButtonRows(
        nav_spec("back", done.story_id, done.chapter_number, done.page_number + 1, t=t),
        nav_spec("next", done.story_id, done.chapter_number, done.page_number, t=t),
        chapters_spec(done.story_id, _picker_offset(done.chapter_number), t=t),
    )
    return {"content": _fit(text), "embeds": [], "view": view}


def starters_message(choices: list[StoryChoice], t: Speaker = SOURCE) -> dict[str, Any]:
    """For a new reader: the stories they could start."""
    if not choices:
        return {
            "content": t.gettext("Nothing has been released here that you can read yet."),
            "embeds": [],
            "view": None,
        }
    view = ButtonRows(
        *(read_spec(c.story_id, c.first_chapter, label=f"📖 {c.title}") for c in choices)
    )
    lines = "\n".join(f"• {escape_markdown(c.title)}" for c in choices)
    text = t.gettext("Pick a story to start reading:") + f"\n{lines}"
    return {"content": _fit(text), "embeds": [], "view": view}


def picker_message(listing: ChapterListing, t: Speaker = SOURCE) -> dict[str, Any]:
    """The chapter picker: a select of up to 25 released chapters, paged past 25."""
    first, last = listing.offset + 1, listing.offset + len(listing.chapters)
    text = "📚 " + t.ngettext(
        "**{title}**: chapters {first}–{last} of {n} released. Pick one to read.",
        "**{title}**: chapters {first}–{last} of {n} released. Pick one to read.",
        listing.total,
        title=escape_markdown(listing.story_title),
        first=first,
        last=last,
    )
    view = reader_view(
        chapter_select(listing.story_id, listing.offset, listing.chapters, t),
        chapters_button(
            listing.story_id,
            max(0, listing.offset - CHAPTERS_PER_PICKER),
            label=t.gettext("◀ Earlier"),
            disabled=listing.offset == 0,
        ),
        chapters_button(
            listing.story_id,
            listing.offset + CHAPTERS_PER_PICKER,
            label=t.gettext("Later ▶"),
            disabled=not listing.has_more,
        ),
    )
    return {"content": _fit(text), "embeds": [], "view": view}


def catchup_message(catch: CatchUp, t: Speaker = SOURCE) -> dict[str, Any]:
    """The chapters released since the reader's last read, each with a button to jump to it."""
    title = escape_markdown(catch.story_title)
    when = (
        " " + t.gettext("The next release is {when}.", when=f"<t:{catch.next_release_at}:R>")
        if catch.next_release_at
        else ""
    )
    since = f"<t:{catch.since}:R>" if catch.since else ""
    if not catch.chapters:
        nothing = (
            t.gettext(
                "Nothing new in **{title}** since your last read {since}.", title=title, since=since
            )
            if since
            else t.gettext("Nothing new in **{title}**.", title=title)
        )
        return {"content": _fit(nothing + when), "embeds": [], "view": None}
    head = (
        t.ngettext(
            "**{title}**: {n} new chapter since your last read {since}:",
            "**{title}**: {n} new chapters since your last read {since}:",
            catch.total,
            title=title,
            since=since,
        )
        if since
        else t.ngettext(
            "**{title}**: {n} new chapter:",
            "**{title}**: {n} new chapters:",
            catch.total,
            title=title,
        )
    )
    lines = [head]
    buttons = []
    for chapter in catch.chapters:
        name = escape_markdown(fit_label(chapter.title or "", 80))
        out = f" — <t:{chapter.released_at}:R>" if chapter.released_at else ""
        number = t.gettext("Chapter {number}", number=chapter.number)
        lines.append(f"• {number}" + (f": {name}" if name else "") + out)
        short = t.gettext("📖 Ch. {number}", number=chapter.number)
        buttons.append(read_spec(catch.story_id, chapter.number, label=short))
    view = ButtonRows(*buttons)
    if catch.total > len(catch.chapters):
        more = catch.total - len(catch.chapters)
        lines.append(t.ngettext("…and {n} more: use `/read`.", "…and {n} more: use `/read`.", more))
    return {"content": _fit("\n".join(lines) + when), "embeds": [], "view": view}


def progress_message(lines: list[ProgressLine], t: Speaker = SOURCE) -> dict[str, Any]:
    """`/progress`: one entry per story started here."""
    if not lines:
        return {
            "content": t.gettext("You haven't started any story in this server yet. Try `/next`."),
            "embeds": [],
        }
    embed = discord.Embed(title=t.gettext("Your reading"))
    parts = []
    for line in lines:
        new = " · " + (
            t.ngettext(
                "**{n} new** since your last read",
                "**{n} new** since your last read",
                line.new_chapters,
            )
            if line.new_chapters
            else t.gettext("nothing new")
        )
        nxt = (
            " · " + t.gettext("next release {when}", when=f"<t:{line.next_release_at}:R>")
            if line.next_release_at
            else ""
        )
        head = t.gettext(
            "**{title}** — chapter {chapter} of {released}",
            title=escape_markdown(line.title),
            chapter=line.chapter_number,
            released=line.released_chapters,
        )
        pages = t.ngettext(
            "{done}/{n} page", "{done}/{n} pages", line.pages_total, done=line.pages_done
        )
        parts.append(
            f"{head}\n`{progress_bar(line.pages_done, line.pages_total)}` ({pages}){new}{nxt}"
        )
    embed.description = "\n\n".join(parts)[:4096]
    return {"content": None, "embeds": [embed]}


def _picker_offset(chapter_number: int) -> int:
    return max(0, (chapter_number - 1) // CHAPTERS_PER_PICKER * CHAPTERS_PER_PICKER)
