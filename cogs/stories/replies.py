"""How `/story` replies look: the upload and info embeds, the update report (in the
member's language)."""

from __future__ import annotations

import discord
from discord.utils import escape_markdown

from bot.i18n import Speaker
from bot.stories.authoring import StorySummary
from bot.stories.chapters import ChapterSync
from bot.text import clip


def summary_embed(summary: StorySummary, t: Speaker, heading: str | None = None) -> discord.Embed:
    """A story's title, authors, size, rating and warnings (`heading`: a message id with a
    `{title}` placeholder, e.g. "📚 Uploaded: {title}")."""
    story, counts = summary.story, summary.counts
    title = escape_markdown(story.title)
    embed = discord.Embed(
        title=clip(t.gettext(heading, title=title) if heading else title, 256),
        description=clip(escape_markdown(story.summary), 1000) if story.summary else None,
        colour=discord.Colour.blurple(),
    )
    byline = ", ".join(story.source_authors) or "—"
    authors = " ".join(f"<@{user_id}>" for user_id in summary.author_ids)
    embed.add_field(
        name=t.gettext("Authors"), value=clip(f"{escape_markdown(byline)} · {authors}", 1024)
    )
    embed.add_field(
        name=t.gettext("Chapters"),
        value=t.ngettext(
            "{chapters} ({n} released)",
            "{chapters} ({n} released)",
            counts.released,
            chapters=t.number(counts.chapters),
        ),
    )
    embed.add_field(name=t.gettext("Words"), value=t.number(counts.words))
    embed.add_field(name=t.gettext("Pages"), value=t.number(counts.pages))
    # The ratings offered are catalog entries; a rating from the file stays as written.
    rating = t.gettext(story.rating) if story.rating else t.gettext("Not set")
    embed.add_field(name=t.gettext("Rating"), value=rating)
    warnings = ", ".join(story.warnings) or t.gettext("None")
    embed.add_field(name=t.gettext("Warnings"), value=clip(warnings, 1024))
    embed.set_footer(
        text=t.gettext("Story id {id} · style {style}", id=story.id, style=t.gettext(story.style))
    )
    return embed


def info_embed(summary: StorySummary, t: Speaker) -> discord.Embed:
    """The summary plus tags and publishing settings."""
    story = summary.story
    embed = summary_embed(summary, t)
    tags = clip(escape_markdown(", ".join(story.tags)) or "—", 1024)
    embed.add_field(name=t.gettext("Tags"), value=tags)
    where = (
        f"<#{story.channel_id}> ({t.gettext(story.channel_mode)})"
        if story.channel_id
        else t.gettext("Not set")
    )
    embed.add_field(name=t.gettext("Channel"), value=where)
    role = f"<@&{story.notify_role_id}>" if story.notify_role_id else t.gettext("None")
    embed.add_field(name=t.gettext("Notify role"), value=role)
    embed.add_field(
        name=t.gettext("Silent"), value=t.gettext("Yes") if story.silent else t.gettext("No")
    )
    return embed


def sync_report(title: str, sync: ChapterSync, t: Speaker) -> str:
    """What `/story update` changed, chapter numbers listed."""

    def listed(numbers: tuple[int, ...]) -> str:
        return ", ".join(map(str, numbers)) if numbers else t.gettext("none")

    return "\n".join(
        [
            t.gettext("✅ Updated “{title}”.", title=escape_markdown(title)),
            t.gettext("• Replaced (not yet released): {chapters}", chapters=listed(sync.replaced)),
            t.gettext("• Added: {chapters}", chapters=listed(sync.appended)),
            t.gettext("• Kept as released: {chapters}", chapters=listed(sync.kept)),
            t.gettext(
                "• Removed (no longer in the file, unreleased): {chapters}",
                chapters=listed(sync.removed),
            ),
        ]
    )
