"""`/story ...`: upload, update, list, info, preview, download, edit, delete and manage authors."""

from __future__ import annotations

import io
from functools import partial
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown

from bot.errors import ImportRefused
from bot.i18n import N_
from bot.publishing.manage import queue_repost
from bot.stories.authoring import RATINGS, check_upload, prepare_story
from bot.stories.download import story_download
from bot.stories.import_time import run_import
from cogs.common import STORY_HELP, actor_of, resolve_story, story_autocomplete
from cogs.i18n import chapter_word, relabel, speaker_of
from cogs.stories.replies import info_embed, summary_embed, sync_report
from cogs.stories.views import (
    DYNAMIC_ITEMS,
    DeleteConfirmView,
    clip,
    send_preview,
    upload_reply_view,
)
from cogs.stories.word_account import add_import_report

if TYPE_CHECKING:
    from bot.client import ChapterBot

LIST_LIMIT = 4000  # an embed description holds 4,096 characters


async def download(file: discord.Attachment) -> bytes:
    """The attachment's bytes, or `ImportRefused` when Discord will not hand them over."""
    try:
        return await file.read()
    except (discord.HTTPException, discord.NotFound) as exc:
        raise ImportRefused(
            N_("I could not download `{filename}`."),
            hint=N_("Upload it again in a moment."),
            params={"filename": file.filename},
        ) from exc


class StoryCommands(commands.Cog):
    """The `/story` command group."""

    story = app_commands.Group(
        name="story", description="Upload and manage your stories", guild_only=True
    )
    authors = app_commands.Group(name="authors", description="Manage co-authors", parent=story)

    def __init__(self, bot: ChapterBot) -> None:
        self.bot = bot
        self.service = bot.services.authoring

    async def cog_load(self) -> None:
        """Register the persistent upload-reply buttons."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        """Forget the persistent buttons."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    @story.command(name="upload", description="Upload a story file (.txt .md .html .epub, 10 MB)")
    @app_commands.describe(file="The story file", style="Post pages as plain text or embeds")
    async def upload(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        style: Literal["text", "embed"] = "text",
    ) -> None:
        """Import, paginate and store a story; the uploader becomes its owner."""
        actor = actor_of(interaction)
        check_upload(file.filename, file.size)  # before downloading anything
        await self.service.may_upload(actor)
        # Ephemeral: the summary is for the author, and so are refusals after the defer.
        await interaction.response.defer(ephemeral=True, thinking=True)
        raw = await download(file)
        # Importing a big EPUB is CPU-heavy; a thread keeps the gateway heartbeat going.
        word = await chapter_word(interaction)
        prepared = await run_import(
            partial(prepare_story, raw, file.filename, style, chapter_word=word),
            filename=file.filename,
            timeout=self.bot.settings.import_timeout,
        )
        summary = await self.service.upload(actor, prepared)
        t = speaker_of(interaction)
        embed = summary_embed(summary, t, N_("📚 Uploaded: {title}"))
        add_import_report(embed, t, prepared)
        view = relabel(upload_reply_view(summary.story.id), t)
        await interaction.edit_original_response(embed=embed, view=view)

    @story.command(name="update", description="Replace unreleased chapters and add new ones")
    @app_commands.describe(story=STORY_HELP, file="The whole story again, chapters numbered")
    @app_commands.autocomplete(story=story_autocomplete)
    async def update(
        self, interaction: discord.Interaction, story: str, file: discord.Attachment
    ) -> None:
        """Re-import a story: released chapters stay exactly as posted."""
        record = await resolve_story(interaction, story)
        actor = actor_of(interaction)
        check_upload(file.filename, file.size)
        await self.service.check_author(actor, record)
        await interaction.response.defer(ephemeral=True, thinking=True)
        raw = await download(file)
        word = await chapter_word(interaction)
        prepared = await run_import(
            partial(
                prepare_story,
                raw,
                file.filename,
                record.style,
                warnings=record.warnings,
                chapter_word=word,
            ),
            filename=file.filename,
            timeout=self.bot.settings.import_timeout,
        )
        sync = await self.service.update(actor, record, prepared)
        t = speaker_of(interaction)
        # The same account of the file as an upload's, under the report of what changed.
        embed = discord.Embed(colour=discord.Colour.blurple())
        add_import_report(embed, t, prepared)
        report = sync_report(record.title, sync, t)
        view = relabel(upload_reply_view(record.id), t)  # the choices now offer the new file's
        embeds = [embed] if embed.fields else []  # Discord refuses an empty embed
        await interaction.edit_original_response(content=report, embeds=embeds, view=view)

    @story.command(name="list", description="The stories of this server")
    async def list_stories(self, interaction: discord.Interaction) -> None:
        """Every story of this server with its progress."""
        actor, t = actor_of(interaction), speaker_of(interaction)
        summaries = await self.service.list_stories(actor.guild_id)
        if not summaries:
            await interaction.response.send_message(
                t.gettext("No stories here yet. Upload one with `/story upload`."), ephemeral=True
            )
            return
        lines: list[str] = []
        for s in summaries:
            line = "• " + t.ngettext(
                "**{title}** (id {id}) by {owner} — {released}/{n} chapter released",
                "**{title}** (id {id}) by {owner} — {released}/{n} chapters released",
                s.counts.chapters,
                title=escape_markdown(clip(s.story.title, 100)),
                id=s.story.id,
                owner=f"<@{s.story.owner_id}>",
                released=t.number(s.counts.released),
            )
            if sum(len(x) + 1 for x in lines) + len(line) > LIST_LIMIT:
                more = len(summaries) - len(lines)
                lines.append(t.ngettext("…and {n} more.", "…and {n} more.", more))
                break
            lines.append(line)
        embed = discord.Embed(title=t.gettext("Stories"), description="\n".join(lines))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @story.command(name="info", description="A story's details and settings")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    async def info(self, interaction: discord.Interaction, story: str) -> None:
        """Title, authors, size, rating, warnings, tags and where it is posted."""
        record = await resolve_story(interaction, story)
        summary = await self.service.summary(record)
        embed = info_embed(summary, speaker_of(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @story.command(name="preview", description="See a chapter exactly as it will be posted")
    @app_commands.describe(story=STORY_HELP, chapter="Chapter number")
    @app_commands.autocomplete(story=story_autocomplete)
    async def preview(
        self,
        interaction: discord.Interaction,
        story: str,
        chapter: app_commands.Range[int, 1, None],
    ) -> None:
        """Authors only: page through a chapter, released or not."""
        record = await resolve_story(interaction, story)
        await send_preview(interaction, record, chapter)

    @story.command(name="download", description="Get a story as an EPUB, HTML or Markdown file")
    @app_commands.describe(story=STORY_HELP, format="File format (default EPUB)")
    @app_commands.autocomplete(story=story_autocomplete)
    async def download_story(
        self,
        interaction: discord.Interaction,
        story: str,
        format: Literal["epub", "html", "md"] = "epub",
    ) -> None:
        """Readers get the released chapters; authors every chapter."""
        actor = actor_of(interaction)
        record = await resolve_story(interaction, story)
        await interaction.response.defer(ephemeral=True, thinking=True)
        limit = interaction.guild.filesize_limit if interaction.guild else 10 * 1_048_576
        result = await story_download(self.service.stories, actor, record, format, max_bytes=limit)
        t = speaker_of(interaction)
        note = (
            t.gettext("every chapter (you are an author)")
            if result.as_author
            else t.gettext("released chapters")
        )
        text = t.ngettext(
            "📥 “{title}”: {chapters} of {n} chapter — {note}.",
            "📥 “{title}”: {chapters} of {n} chapters — {note}.",
            result.total,
            title=escape_markdown(record.title),
            chapters=t.number(result.chapters),
            note=note,
        )
        await interaction.edit_original_response(
            content=text,
            attachments=[discord.File(io.BytesIO(result.file.data), result.file.filename)],
        )

    @story.command(name="edit", description="Change a story's title, summary, rating, warnings")
    @app_commands.describe(
        story=STORY_HELP,
        title="New title",
        summary="New summary",
        rating="New rating",
        warnings="Warnings, comma-separated (“none” clears them)",
        tags="Tags, comma-separated (“none” clears them)",
    )
    @app_commands.choices(rating=[app_commands.Choice(name=r, value=r) for r in RATINGS])
    @app_commands.autocomplete(story=story_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction,
        story: str,
        title: app_commands.Range[str, 1, 200] | None = None,
        summary: str | None = None,
        rating: app_commands.Choice[str] | None = None,
        warnings: str | None = None,
        tags: str | None = None,
    ) -> None:
        """Change metadata; chapter 1's unreleased pages follow a warnings change."""
        record = await resolve_story(interaction, story)
        updated, rerendered = await self.service.edit(
            actor_of(interaction),
            record,
            title=title,
            summary=summary,
            rating=rating.value if rating else None,
            warnings=warnings,
            tags=tags,
        )
        t = speaker_of(interaction)
        text = t.gettext("✅ Saved.")
        if rerendered:
            text += "\n" + t.gettext("Chapter 1's pages now show the new warnings.")
        summary_ = await self.service.summary(updated)
        await interaction.response.send_message(text, embed=info_embed(summary_, t), ephemeral=True)

    @story.command(name="delete", description="Delete a story and its chapters (owner only)")
    @app_commands.describe(story=STORY_HELP)
    @app_commands.autocomplete(story=story_autocomplete)
    async def delete(self, interaction: discord.Interaction, story: str) -> None:
        """Ask for confirmation; the button deletes."""
        record = await resolve_story(interaction, story)
        await self.service.check_owner(actor_of(interaction), record)
        t = speaker_of(interaction)
        await interaction.response.send_message(
            t.gettext(
                "Delete “{title}” with all its chapters, schedules and reading progress? "
                "This cannot be undone.",
                title=escape_markdown(record.title),
            ),
            view=relabel(DeleteConfirmView(record), t),
            ephemeral=True,
        )

    @story.command(name="repost", description="Post a chapter's deleted pages again (authors)")
    @app_commands.describe(story=STORY_HELP, chapter="The chapter number (see /doctor)")
    @app_commands.autocomplete(story=story_autocomplete)
    async def repost(
        self, interaction: discord.Interaction, story: str, chapter: app_commands.Range[int, 1]
    ) -> None:
        """Post the pages moderators deleted, where the chapter went (its thread included)."""
        record = await resolve_story(interaction, story)
        services = self.bot.services
        release_id = await queue_repost(
            services.publishing, services.page_deletions, record, actor_of(interaction), chapter
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await services.publishing.post(release_id)
        t = speaker_of(interaction)
        if result.status == "done":
            text = t.gettext(
                "✅ Chapter {chapter}'s missing pages are posted again in {channel}.",
                chapter=chapter,
                channel=f"<#{result.channel_id}>",
            )
        else:
            text = t.gettext(
                "❌ Chapter {chapter} could not be posted again: {error}",
                chapter=chapter,
                error=result.failure(t),
            )
        await interaction.edit_original_response(content=text)

    @authors.command(name="add", description="Let a member manage this story with you")
    @app_commands.describe(story=STORY_HELP, user="The new co-author")
    @app_commands.autocomplete(story=story_autocomplete)
    async def authors_add(
        self, interaction: discord.Interaction, story: str, user: discord.Member
    ) -> None:
        """Add a co-author (owner or Manage Server)."""
        record = await resolve_story(interaction, story)
        await self.service.add_author(actor_of(interaction), record, user.id, is_bot=user.bot)
        text = speaker_of(interaction).gettext(
            "✅ {user} is now a co-author of “{title}”.",
            user=user.mention,
            title=escape_markdown(record.title),
        )
        await interaction.response.send_message(text, ephemeral=True)

    @authors.command(name="remove", description="Remove a co-author from this story")
    @app_commands.describe(story=STORY_HELP, user="The co-author to remove")
    @app_commands.autocomplete(story=story_autocomplete)
    async def authors_remove(
        self, interaction: discord.Interaction, story: str, user: discord.User
    ) -> None:
        """Remove a co-author (owner or Manage Server)."""
        record = await resolve_story(interaction, story)
        await self.service.remove_author(actor_of(interaction), record, user.id)
        text = speaker_of(interaction).gettext(
            "✅ {user} is no longer a co-author of “{title}”.",
            user=user.mention,
            title=escape_markdown(record.title),
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: ChapterBot) -> None:
    """Extension entry point."""
    await bot.add_cog(StoryCommands(bot))
