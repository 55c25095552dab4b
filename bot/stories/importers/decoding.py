"""Turn uploaded bytes into text: BOM-aware UTF-8/UTF-16, detected legacy encodings, LF ends.

Not UTF-8: a file holding some valid UTF-8 lines is a paste-up and is decoded line by line
(UTF-8, else Windows-1252); otherwise charset-normalizer names the encoding (Windows-1251,
KOI8-R, Shift-JIS...), and Western single-byte guesses fall back to the per-line reading.
"""

from __future__ import annotations

import codecs
import unicodedata

import charset_normalizer

from bot.errors import ImportRefused
from bot.i18n import N_

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
            N_("This file looks binary (it contains NUL bytes), not text."),
            hint=N_("Upload a .txt, .md, .html or .epub file."),
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
                    N_("The file starts with a {encoding} byte-order mark but is not {encoding}."),
                    hint=N_("Save it again as UTF-8 and re-upload."),
                    params={"encoding": encoding},
                ) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not _has_utf8_lines(raw):
        detected = _detected(raw)
        if detected is not None:
            return detected
    return _decode_lines(raw)


def _detected(raw: bytes) -> str | None:
    """The text in charset-normalizer's most likely non-Western encoding, if it reads well."""
    rejected: list[str] = []
    for _ in range(3):  # a rejected guess is excluded and the file asked about again
        before = len(rejected)
        for match in charset_normalizer.from_bytes(raw, cp_exclusion=rejected or None):
            if codecs.lookup(match.encoding).name in _WESTERN:
                return None  # the per-line reading is better for these
            try:
                text = raw.decode(match.encoding)
            except (UnicodeDecodeError, LookupError):
                rejected.append(match.encoding)
                continue
            # Single-byte Cyrillic or Greek misread as Shift-JIS turns into half-width
            # katakana, which real Japanese prose barely uses.
            if sum(1 for ch in text if "\uff61" <= ch <= "\uff9f") * 20 > len(text):
                rejected.append(match.encoding)
                continue
            if _mostly_latin(text):
                return None  # a Latin-script guess (Baltic, Turkish...) is cp1252 misread
            return text
        if len(rejected) == before:
            return None
    return None


# Guesses the per-line UTF-8/Windows-1252 reading already covers (charset-normalizer often
# can't tell these apart on English text, and cp1252 is what such files nearly always are).
_WESTERN = frozenset(
    codecs.lookup(name).name
    for name in ("ascii", "cp1252", "latin-1", "iso8859-15", "cp1250", "iso8859-2", "mac-roman")
)


def _mostly_latin(text: str) -> bool:
    """True when most non-ASCII letters are Latin: then the per-line cp1252 reading is the
    better bet (on a few accented words, detectors pick Baltic or Turkish pages at random)."""
    letters = [ch for ch in text if not ch.isascii() and ch.isalpha()]
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin * 2 > len(letters)


def _has_utf8_lines(raw: bytes) -> bool:
    """True when some line with non-ASCII bytes is valid UTF-8 (a mixed file)."""
    for line in raw.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


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
