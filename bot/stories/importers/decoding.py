"""Turn uploaded bytes into text: BOM-aware UTF-8/UTF-16, per-line cp1252 fallback, LF ends."""

from __future__ import annotations

import codecs

from bot.errors import ImportRefused

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that never appear in text files; a few of them mean the upload is binary.
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def decode_text(raw: bytes) -> str:
    """Decode `raw` as text and normalise CRLF/CR to LF; refuse binary data."""
    text = _decode(raw)
    if "\x00" in text:
        raise ImportRefused(
            "This file looks binary (it contains NUL bytes), not text.",
            hint="Upload a .txt, .md, .html or .epub file.",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_binary(raw: bytes) -> bool:
    """True when the first KiB holds NUL bytes or many control characters (and no UTF-16 BOM)."""
    head = raw[:1024]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b in _CONTROL)
    return controls > max(8, len(head) // 20)


def _decode(raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ImportRefused(
                    f"The file starts with a {encoding} byte-order mark but is not {encoding}.",
                    hint="Save it again as UTF-8 and re-upload.",
                ) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_lines(raw)


def _decode_lines(raw: bytes) -> str:
    """Decode line by line: UTF-8 where a line is valid UTF-8, else Windows-1252.

    A file pasted together from several sources mixes both; decoding it whole as cp1252 would
    turn every UTF-8 line into mojibake ("â€œ"). A cp1252 line is almost never valid UTF-8 (its
    accented bytes would have to form exact multi-byte sequences), so the per-line test is safe.
    Bytes cp1252 leaves undefined are kept as U+FFFD, not dropped.
    """
    lines = raw.split(b"\n")
    decoded: list[str] = []
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(line.decode("cp1252", errors="replace"))
    return "\n".join(decoded)
