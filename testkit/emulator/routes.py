"""The full REST route table."""

from __future__ import annotations

from . import reactions, rest_channels, rest_core, rest_interactions, rest_messages
from .rest_base import Router


def register_routes(router: Router) -> None:
    """Register every emulated REST route (more specific templates first)."""
    rest_core.register(router)
    rest_messages.register(router)
    reactions.register(router)
    rest_channels.register(router)
    rest_interactions.register(router)
