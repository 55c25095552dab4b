"""Every write to chapters or pages in `bot/` bumps `stories.pages_version` (readers' memory).

`/next` serves a story's posted pages from memory while the story's `pages_version` is the one
it loaded them at (`bot.reading.released_pages`); a write that did not bump it would leave
readers on stale pages. This reads the source: each function that writes chapters or pages
must also run one of the bump statements of `bot.stories.chapters` (or a helper there that
runs one).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
WRITES = re.compile(r"(INSERT INTO|UPDATE|DELETE FROM)\s+(pages|chapters)\b")
# The bump statements, and the helpers of bot.stories.chapters that run one themselves.
BUMPS = ("pages_changed(", "PAGES_CHANGED_SQL", "PAGE_CHANGED_SQL", "await _rewrite_pages(")


def _writers() -> list[tuple[str, str, str]]:
    """(module, function, source) of every function whose SQL writes chapters or pages."""
    found = []
    for path in sorted(BOT.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not WRITES.search(text):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                source = ast.get_source_segment(text, node) or ""
                if WRITES.search(source):
                    found.append((str(path.relative_to(BOT)), node.name, source))
    return found


def test_the_writers_were_found() -> None:
    names = {name for _, name, _ in _writers()}
    assert {"insert_chapter", "mark_page_posted", "clear_page_posts", "sync_chapters"} <= names


def test_every_writer_of_chapters_or_pages_bumps_the_version() -> None:
    silent = [
        f"{module}:{name}"
        for module, name, source in _writers()
        if not any(b in source for b in BUMPS)
    ]
    assert not silent, f"these write chapters or pages without bumping pages_version: {silent}"
