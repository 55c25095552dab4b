"""Load the real-world downloads in `../shared/realworld/` for the importer tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from bot.stories.importers import import_story
from bot.stories.model import Story

REALWORLD = Path(__file__).resolve().parents[2].parent / "shared" / "realworld"


@cache
def _imported(name: str) -> Story:
    path = REALWORLD / name
    return import_story(path.read_bytes(), name)


def load(name: str) -> Story:
    """The imported story of `../shared/realworld/<name>`; the test is skipped when absent."""
    if not (REALWORLD / name).is_file():
        pytest.skip(f"real-world file ../shared/realworld/{name} is absent")
    return _imported(name)
