"""Reader buttons sent as ready-made components look exactly like discord.py's own items."""

from __future__ import annotations

import discord
from discord.webhook.async_ import interaction_message_response_params

from cogs.reading.buttons import ButtonRows, ButtonSpec, nav_spec, read_spec


def _specs(count: int) -> list[ButtonSpec]:
    return [read_spec(7, n, label=f"📖 Ch. {n}") for n in range(1, count + 1)]


async def test_a_spec_sends_what_the_discord_py_item_would() -> None:
    for spec in (nav_spec("back", 7, 2, 1, disabled=True), nav_spec("next", 7, 2, 1), *_specs(1)):
        assert spec.payload() == spec.item().to_component_dict()


async def test_rows_hold_five_buttons_each_in_order_like_a_view() -> None:
    specs = _specs(7)
    view = discord.ui.View(timeout=None)
    for spec in specs:
        view.add_item(spec.item())
    rows = ButtonRows(*specs).to_components()
    assert [len(row["components"]) for row in rows] == [5, 2]
    assert rows == view.to_components()


async def test_rows_are_finished_so_discord_py_never_stores_them() -> None:
    rows = ButtonRows(*_specs(3))
    assert rows.is_finished() and not rows.is_dispatchable()


async def test_discord_py_sends_the_rows_as_components_and_keeps_no_view() -> None:
    # ButtonRows skips View.__init__: what discord.py's senders ask of a view must still work.
    rows = ButtonRows(*_specs(2))
    params = interaction_message_response_params(
        type=discord.InteractionResponseType.channel_message.value,
        content="page",
        view=rows,
        flags=discord.MessageFlags(ephemeral=True),
    )
    assert params.payload["data"]["components"] == rows.to_components()
    assert params.payload["data"]["flags"] == discord.MessageFlags(ephemeral=True).value
    assert rows.timeout is None and not list(rows.walk_children()) and not rows.children
    assert "ButtonRows" in repr(rows)
