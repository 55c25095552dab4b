"""Thin Discord adapters: slash commands, buttons and listeners that call the domain in `bot/`."""
