"""A bare discord.py bot with a tiny cog, used only by the emulator's own tests."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from .client import FAST_CLIENT_OPTIONS


class ProbeView(discord.ui.View):
    """A button that edits its message and a select that answers ephemerally."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Bump", custom_id="bump")
    async def bump(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Update the message in place (callback type 7)."""
        await interaction.response.edit_message(content=f"bumped by {interaction.user.name}")

    @discord.ui.select(custom_id="pick", options=[discord.SelectOption(label=x) for x in "abc"])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        """Answer with the chosen values, ephemerally."""
        await interaction.response.send_message(f"picked {select.values}", ephemeral=True)


class TitleModal(discord.ui.Modal, title="Name it"):
    """A modal with one required and one optional text input."""

    name = discord.ui.TextInput(label="Name", custom_id="name", max_length=20)
    note = discord.ui.TextInput(label="Note", custom_id="note", required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Echo the submitted values."""
        await interaction.response.send_message(f"named {self.name.value} / {self.note.value}")


class ProbeCog(commands.Cog):
    """Commands covering every interaction shape the emulator supports."""

    story = app_commands.Group(name="story", description="Stories")
    admin = app_commands.Group(name="admin", description="Admin", parent=story)

    def __init__(self, bot: ProbeBot) -> None:
        self.bot = bot

    @app_commands.command(name="echo", description="Echo text")
    async def echo(
        self, interaction: discord.Interaction, text: str, private: bool = False
    ) -> None:
        """Reply with ``text``."""
        await interaction.response.send_message(text, ephemeral=private)

    @app_commands.command(name="alltypes", description="Every option type")
    async def alltypes(
        self,
        interaction: discord.Interaction,
        s: str,
        i: app_commands.Range[int, 0, 10],
        b: bool,
        u: discord.Member,
        c: discord.TextChannel,
        r: discord.Role,
        n: float,
        m: discord.Member | discord.Role,
        a: discord.Attachment,
    ) -> None:
        """Record what arrived, including the attachment's bytes."""
        self.bot.received = {
            "s": s,
            "i": i,
            "b": b,
            "u": u,
            "c": c,
            "r": r,
            "n": n,
            "m": m,
            "a": a,
            "a_bytes": await a.read(),
        }
        await interaction.response.send_message("ok")

    @story.command(name="upload", description="Upload a story")
    async def upload(
        self, interaction: discord.Interaction, title: str, file: discord.Attachment
    ) -> None:
        """Subcommand with an attachment."""
        data = await file.read()
        await interaction.response.send_message(f"{title}: {len(data)} bytes")

    @story.command(name="info", description="Story info")
    async def info(self, interaction: discord.Interaction, story: str) -> None:
        """Subcommand with autocomplete."""
        await interaction.response.send_message(f"info {story}")

    @info.autocomplete("story")
    async def info_story(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest titles starting with what was typed."""
        titles = ["Kiss of Blood", "Kismet", "Moby Dick"]
        return [
            app_commands.Choice(name=t, value=t)
            for t in titles
            if t.lower().startswith(current.lower())
        ]

    @admin.command(name="reset", description="Nested group")
    async def reset(self, interaction: discord.Interaction, confirm: bool) -> None:
        """Subcommand group member."""
        await interaction.response.send_message(f"reset {confirm}", ephemeral=True)

    @app_commands.command(name="slow", description="Defer, then edit and follow up")
    async def slow(self, interaction: discord.Interaction, private: bool = False) -> None:
        """Deferred response completed later."""
        await interaction.response.defer(ephemeral=private, thinking=True)
        await asyncio.sleep(0.2)
        await interaction.edit_original_response(content="done")
        await interaction.followup.send("and more", ephemeral=private)

    @app_commands.command(name="late", description="Answer after a delay")
    async def late(self, interaction: discord.Interaction, seconds: float) -> None:
        """Acknowledge late, recording the error."""
        await asyncio.sleep(seconds)
        try:
            await interaction.response.send_message("late")
        except discord.HTTPException as exc:
            self.bot.errors.append(exc)

    @app_commands.command(name="twice", description="Respond twice")
    async def twice(self, interaction: discord.Interaction) -> None:
        """The second response must fail with 40060."""
        await interaction.response.send_message("one")
        try:
            await self._second(interaction)
        except discord.HTTPException as exc:
            self.bot.errors.append(exc)

    async def _second(self, interaction: discord.Interaction) -> None:
        route = discord.webhook.async_.Route(
            "POST",
            "/interactions/{webhook_id}/{webhook_token}/callback",
            webhook_id=interaction.id,
            webhook_token=interaction.token,
        )
        adapter = discord.webhook.async_.async_context.get()
        await adapter.request(
            route, interaction._session, payload={"type": 4, "data": {"content": "two"}}
        )

    @app_commands.command(name="panel", description="Message with a button and a select")
    async def panel(self, interaction: discord.Interaction) -> None:
        """Send the probe view."""
        await interaction.response.send_message("panel", view=ProbeView())

    @app_commands.command(name="form", description="Open a modal")
    async def form(self, interaction: discord.Interaction) -> None:
        """Send the modal."""
        await interaction.response.send_modal(TitleModal())


@app_commands.context_menu(name="Inspect")
async def inspect_user(interaction: discord.Interaction, member: discord.Member) -> None:
    """User context menu."""
    await interaction.response.send_message(f"user {member.name}", ephemeral=True)


@app_commands.context_menu(name="Quote")
async def quote_message(interaction: discord.Interaction, message: discord.Message) -> None:
    """Message context menu."""
    await interaction.response.send_message(f"quote {message.id} {message.content!r}")


class ProbeBot(commands.Bot):
    """The emulator tests' bot: default intents, the probe cog, commands synced on ready."""

    def __init__(self, *, intents: discord.Intents | None = None, **options: Any) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents or discord.Intents.default(),
            **{**FAST_CLIENT_OPTIONS, **options},
        )
        self.received: dict[str, Any] = {}
        self.errors: list[Exception] = []
        self.events: list[tuple[str, Any]] = []

    async def setup_hook(self) -> None:
        """Add the cog and context menus."""
        await self.add_cog(ProbeCog(self))
        self.tree.add_command(inspect_user)
        self.tree.add_command(quote_message)

    async def on_message(self, message: discord.Message) -> None:
        """Record messages as received."""
        self.events.append(("message", message))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """Record reactions."""
        self.events.append(("reaction_add", payload))

    async def on_resumed(self) -> None:
        """Record resumes."""
        self.events.append(("resumed", None))

    async def wait_event(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[Any]:
        """Wait until ``count`` events of ``kind`` were recorded."""

        async def poll() -> list[Any]:
            while True:
                found = [e for k, e in self.events if k == kind]
                if len(found) >= count:
                    return found
                await asyncio.sleep(0.02)

        return await asyncio.wait_for(poll(), timeout)
