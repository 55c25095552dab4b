"""Clicks on components nothing in this bot handles any more get a clear ephemeral answer.

A button from an older version (a custom_id scheme since renamed) or a view that no longer
exists reaches `on_component_interaction` (the bot's `on_interaction` for clicks only) and,
unanswered, would leave the user with "This interaction failed". discord.py routes component
clicks through its view store (persistent views by message id or none, `DynamicItem`s by
pattern); what the store would not route is ours to answer, and only that, so no interaction
is answered twice.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.i18n import N_
from cogs.i18n import speaker_of

STALE_BUTTON_TEXT = N_("This button no longer works — use /next to carry on reading.")


def routed_by_view_store(store: Any, interaction: discord.Interaction[Any]) -> bool:
    """Whether discord.py's view store dispatches this component click to some item.

    Mirrors `ViewStore.dispatch_view` (discord.py 2.7): any `DynamicItem` pattern matching the
    custom_id, else an item keyed (component type, custom_id) under the message's id or None.
    """
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = str(data.get("custom_id", ""))
    key = (data.get("component_type"), custom_id)
    if any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items):
        return True
    message_id = interaction.message.id if interaction.message is not None else None
    views = store._views
    return (
        views.get(message_id, {}).get(key) is not None or views.get(None, {}).get(key) is not None
    )


async def answer_if_stale(interaction: discord.Interaction[Any], store: Any) -> bool:
    """Answer an unrouted component click ephemerally; True if it was stale."""
    if interaction.type is not discord.InteractionType.component:
        return False
    if routed_by_view_store(store, interaction) or interaction.response.is_done():
        return False
    text = speaker_of(interaction).gettext(STALE_BUTTON_TEXT)
    await interaction.response.send_message(text, ephemeral=True)
    return True
