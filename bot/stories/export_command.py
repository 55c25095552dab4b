"""`chapterbot export (FILE | --db URL --story ID_OR_TITLE [--guild ID]) --format F [-o OUT]`.

A file is read with the same importers an upload uses and written by `export_story`, so the
command shows what `/story download` would give for it; a stored story is read from the
database (every chapter, as its authors get it, or only the released ones).
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.errors import UserError
from bot.storage import Database
from bot.stories.download import to_story
from bot.stories.exporters import export_story
from bot.stories.importers import import_story
from bot.stories.records import StoryRecord
from bot.stories.repository import StoryRepository


def run_export(path: Path, fmt: str, out: Path | None) -> int:
    """Export `path` as `fmt` to `out` (default: the exported file name next to the input)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or type(exc).__name__}")
    try:
        exported = export_story(import_story(raw, path.name), fmt)
    except UserError as exc:
        return _fail(str(exc))
    target = out if out is not None else path.with_name(exported.filename)
    if target.resolve() == path.resolve():
        return _fail(f"refusing to overwrite the input {path}; pass -o OUT")
    try:
        target.write_bytes(exported.data)
    except OSError as exc:
        return _fail(f"cannot write {target}: {exc.strerror or type(exc).__name__}")
    print(f"{target} ({len(exported.data):,} bytes, {exported.media_type})")
    return 0


def _fail(message: str) -> int:
    print(f"chapterbot export: {message}", file=sys.stderr)
    return 2


async def run_export_stored(
    url: str,
    story_ref: str,
    guild_id: int | None,
    fmt: str,
    out: Path | None,
    *,
    released_only: bool = False,
) -> int:
    """Export a stored story (by id, or by title within `guild_id`) from the database at `url`.

    The operator gets every chapter, like an author; `released_only` gives a reader's copy.
    """
    db = await Database.open(url, pool_size=1)
    try:
        repo = StoryRepository(db)
        record = await _stored_story(repo, story_ref, guild_id)
        chapters = [c for c in await repo.chapters(record.id) if c.released or not released_only]
    finally:
        await db.close()
    if not chapters:
        return _fail(f"“{record.title}” has no chapters to export")
    exported = export_story(to_story(record, chapters), fmt)
    target = out if out is not None else Path(exported.filename)
    try:
        target.write_bytes(exported.data)
    except OSError as exc:
        return _fail(f"cannot write {target}: {exc.strerror or type(exc).__name__}")
    print(f"{target} ({len(exported.data):,} bytes, {len(chapters)} chapters)")
    return 0


async def _stored_story(repo: StoryRepository, ref: str, guild_id: int | None) -> StoryRecord:
    if ref.strip().isdigit():
        record = await repo.get(int(ref))
        if record is None or (guild_id is not None and record.guild_id != guild_id):
            raise UserError(f"there is no story with id {ref.strip()}")
        return record
    if guild_id is None:
        raise UserError("a story title needs --guild ID (or pass the story's id)")
    found = await repo.find_by_title(guild_id, ref, limit=5)
    if found and found[0].title.casefold() == ref.strip().casefold():
        return found[0]
    hint = "; closest: " + ", ".join(r.title for r in found) if found else ""
    raise UserError(f"no story titled “{ref.strip()}” in server {guild_id}{hint}")
