"""The persistent `💬 Feedback` button on chapter posts and the note modal it opens.

The button is a `DynamicItem` (`cb:fb:<story_id>:<chapter_number>`), so it works after restarts
and on old posts. Its custom_id is untrusted: `FeedbackService.note_target` re-checks the story's
guild and that the chapter is released before the modal opens, and again on submit.
"""

from __future__ import annotations

import re

import discord

from bot.app_errors import report_error
from bot.feedback.service import NOTE_MAX_CHARS, FeedbackService, NoteTarget
from bot.i18n import N_, SOURCE, Speaker
from cogs.common import GuardedItem, chapterbot
from cogs.feedback.delivery import deliver_note
from cogs.i18n import speaker_of

ANONYMOUS = "anonymous"
NAMED = "named"
MODAL_TITLE_LIMIT = 45


def service_of(interaction: discord.Interaction) -> FeedbackService:
    """The bot's feedback use cases."""
    return chapterbot(interaction).services.feedback


class FeedbackButton(
    GuardedItem,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"cb:fb:(?P<story>\d{1,19}):(?P<chapter>\d{1,6})",
):
    """`💬 Feedback`: opens a private note to the story's authors about this chapter."""

    def __init__(self, story_id: int, chapter: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=N_("💬 Feedback"),
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb:fb:{story_id}:{chapter}",
            )
        )
        self.story_id, self.chapter = story_id, chapter

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FeedbackButton:
        """Rebuild from a clicked custom_id."""
        return cls(int(match["story"]), int(match["chapter"]))

    async def handle(self, interaction: discord.Interaction) -> None:
        """Open the note modal if this chapter takes notes; explain otherwise."""
        target = await service_of(interaction).note_target(
            interaction.guild_id, self.story_id, self.chapter
        )
        await interaction.response.send_modal(NoteModal(target, speaker_of(interaction)))


NOTE_MODAL_TIMEOUT_S = 3600.0


class NoteModal(discord.ui.Modal):
    """The note: up to 4,000 characters, and whether to stay anonymous (the default)."""

    def __init__(self, target: NoteTarget, t: Speaker = SOURCE) -> None:
        title = t.gettext("Note to the author · Ch. {number}", number=target.chapter_number)
        # discord.py keeps an open modal until it times out, so a dismissed one must expire;
        # an hour leaves room to write a long note before submitting.
        super().__init__(title=title[:MODAL_TITLE_LIMIT], timeout=NOTE_MODAL_TIMEOUT_S)
        self.target = target
        self.text = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            custom_id="note",
            max_length=NOTE_MAX_CHARS,
            min_length=1,
            placeholder=t.gettext("What did you think? Only the author(s) will see this."),
        )
        self.who = discord.ui.Select(
            custom_id="who",
            min_values=0,
            max_values=1,
            options=[
                discord.SelectOption(
                    label=t.gettext("Stay anonymous"),
                    value=ANONYMOUS,
                    description=t.gettext("The author will not see who wrote this."),
                    default=True,
                ),
                discord.SelectOption(
                    label=t.gettext("Show my name"),
                    value=NAMED,
                    description=t.gettext("The author sees your name and can reply."),
                ),
            ],
        )
        self.add_item(discord.ui.Label(text=t.gettext("Your note"), component=self.text))
        self.add_item(discord.ui.Label(text=t.gettext("Who is it from?"), component=self.who))

    @property
    def anonymous(self) -> bool:
        """Anonymous unless the reader chose to show their name."""
        return NAMED not in self.who.values

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store the note, deliver it, and thank the reader (the same words however it went)."""
        service = service_of(interaction)
        # Re-checked: the chapter or story may have changed while the modal was open.
        target = await service.note_target(
            interaction.guild_id, self.target.story.id, self.target.chapter_number or 0
        )
        note = await service.submit_note(
            target, interaction.user.id, self.text.value, anonymous=self.anonymous
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        sender = None if note.anonymous else interaction.user
        await deliver_note(chapterbot(interaction), note, target, sender=sender)
        t = speaker_of(interaction)
        text = (
            t.gettext("✅ Thank you! Your note was sent anonymously to the author(s).")
            if note.anonymous
            else t.gettext("✅ Thank you! Your note was sent with your name to the author(s).")
        )
        await interaction.followup.send(text, ephemeral=True)

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        """Explain user errors (too long, limits, chapter gone); log bugs."""
        await report_error(interaction, error)
