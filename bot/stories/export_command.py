"""`chapterbot export FILE --format epub|html|md [-o OUT]`: convert a story file offline.

The file is read with the same importers an upload uses and written by `export_story`, so the
command shows exactly what `/story download` would hand a reader for that story.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.errors import UserError
from bot.stories.exporters import export_story
from bot.stories.importers import import_story


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
