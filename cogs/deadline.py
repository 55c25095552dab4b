"""Every interaction is acknowledged within Discord's 3 seconds, however slow the work behind it.

A handler normally answers at once. When its work takes longer (a SQLite file locked by a backup
tool, a PostgreSQL server gone quiet until `DATABASE_TIMEOUT`), Discord would show "The
application did not respond" and refuse whatever the handler says afterwards, success or error.
So each interaction gets a `DeadlineResponse` on arrival: if nothing has answered it
`ACK_AFTER_S` later, it is deferred (a private "thinking…" for commands and forms; a silent
acknowledgement for buttons and menus), and the handler's answer, when it comes, goes where an
answer to a deferred interaction must go: a followup, or an edit of the original message.
A command's late answer is private, as every command's answer of this bot is.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from bot.app_errors import not_answering, send_ephemeral, speaker_for

log = logging.getLogger(__name__)

# Discord allows 3 s from the user's click; the acknowledgement itself needs a round trip.
ACK_AFTER_S = 2.2

_ARMED = (
    discord.InteractionType.application_command,
    discord.InteractionType.component,
    discord.InteractionType.modal_submit,
)


def answer_in_time(interaction: discord.Interaction[Any], delay: float = ACK_AFTER_S) -> None:
    """Arm `interaction` to be acknowledged `delay` seconds from now unless answered by then."""
    if interaction.type not in _ARMED:
        return  # autocomplete answers are their own deadline; nothing to defer
    response = DeadlineResponse(interaction)
    # discord.py builds `Interaction.response` lazily into this slot; there is no factory hook.
    interaction._cs_response = response  # type: ignore[attr-defined]
    response.arm(delay)


class DeadlineResponse(discord.InteractionResponse):  # type: ignore[type-arg]
    """discord.py's `InteractionResponse`, acknowledged automatically when the handler is slow.

    One lock orders the handler's answer and the automatic acknowledgement, so the two never
    both reach Discord (it would refuse the second with "already acknowledged").
    """

    __slots__ = ("_late", "_lock", "_task", "_timer")

    def __init__(self, parent: discord.Interaction[Any]) -> None:
        super().__init__(parent)
        self._lock = asyncio.Lock()
        self._late = False  # acknowledged by the timer: answers go as followups or edits
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    def arm(self, delay: float) -> None:
        """Acknowledge the interaction `delay` seconds from now, unless answered by then."""
        self._timer = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        if not self.is_done():
            self._task = asyncio.ensure_future(self._acknowledge())

    def _answered(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def _acknowledge(self) -> None:
        async with self._lock:
            if self.is_done():
                return
            parent = self._parent
            try:
                if parent.type is discord.InteractionType.component:
                    await super().defer()  # the clicked message may be edited later
                else:
                    await super().defer(ephemeral=True, thinking=True)
            except Exception as error:  # too late, or the bot is shutting down
                log.warning("could not acknowledge slow interaction %s: %r", parent.id, error)
                return
            self._late = True
            log.info("interaction %s acknowledged for its slow handler", parent.id)

    async def defer(self, **kwargs: Any) -> Any:
        """discord.py's `defer`; nothing to do once the timer has deferred it."""
        async with self._lock:
            if self._late:
                return None
            result = await super().defer(**kwargs)
        self._answered()
        return result

    async def send_message(self, content: Any = None, **kwargs: Any) -> Any:
        """discord.py's `send_message`, or the same message as a followup once deferred."""
        async with self._lock:
            if not self._late:
                result = await super().send_message(content, **kwargs)
                self._answered()
                return result
        return await self._send_late(content, **kwargs)

    async def edit_message(self, **kwargs: Any) -> Any:
        """discord.py's `edit_message`, or the same edit of the clicked message once deferred."""
        async with self._lock:
            if not self._late:
                result = await super().edit_message(**kwargs)
                self._answered()
                return result
        kwargs.pop("delete_after", None)  # neither exists for an edit of the original
        kwargs.pop("suppress_embeds", None)
        return await self._parent.edit_original_response(**kwargs)  # None still removes

    async def send_modal(self, modal: discord.ui.Modal, /) -> Any:
        """discord.py's `send_modal`; once deferred, a form can no longer open: say why."""
        async with self._lock:
            if not self._late:
                result = await super().send_modal(modal)
                self._answered()
                return result
        # What made the handler this slow is the database (nothing else it awaits is slow).
        await send_ephemeral(self._parent, not_answering(speaker_for(self._parent)))
        return None

    async def _send_late(self, content: Any, **kwargs: Any) -> Any:
        """Send what the handler meant as its answer, after the timer deferred it."""
        parent = self._parent
        kwargs.pop("delete_after", None)
        ephemeral = bool(kwargs.pop("ephemeral", False))
        # After a command's private "thinking…", the first followup takes its place and stays
        # private whatever it asks (every command's answer is private here anyway); a click's
        # followups stand on their own, private or not.
        return await parent.followup.send(content, ephemeral=ephemeral, wait=True, **_given(kwargs))


def _given(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments actually given: discord.py's webhook methods take MISSING, not
    None, for "not set"."""
    return {key: value for key, value in kwargs.items() if value is not None}
