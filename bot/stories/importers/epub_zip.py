"""Open an EPUB's zip archive defensively: size and ratio limits, DRM detection, capped reads.

A zip's headers state each file's size, but they can lie, so the declared sizes are checked up
front *and* every read is capped. Any failure of the zip machinery on a damaged archive (bad
headers, a truncated deflate stream, a CRC mismatch) becomes an `ImportRefused`.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from io import BytesIO
from urllib.parse import unquote

import lxml.etree as etree

from bot.errors import ImportRefused
from bot.i18n import N_, Quantity
from bot.stories.importers.markup import check_depth, decode_markup

MAX_TOTAL_BYTES = 100 * 1024 * 1024  # all files, uncompressed
MAX_ENTRIES = 10_000
MAX_RATIO = 200  # uncompressed/compressed; text deflates ~3-10x, bombs by 1000x and more
RATIO_FLOOR = 1024 * 1024  # small files may legitimately compress extremely well
# Font obfuscation is not DRM: readers undo it with the book's identifier.
_FONT_OBFUSCATION = frozenset(
    ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")
)
_FONT_SUFFIXES = (".otf", ".ttf", ".woff", ".woff2", ".eot")
# Everything the zip and inflate code raises on a damaged archive.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    OverflowError,
    UnicodeDecodeError,
    KeyError,
    IndexError,
)
METADATA_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, recover=True, remove_comments=True
)


def damaged(detail: str) -> ImportRefused:
    """The refusal for an archive that cannot be read."""
    return ImportRefused(
        N_("The EPUB is damaged ({detail})."),
        hint=N_("Download or export it again and re-upload."),
        params={"detail": detail},
    )


class EpubArchive:
    """Read-only access to the files of an EPUB, within size limits."""

    def __init__(self, raw: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(BytesIO(raw))
            infos = self._zip.infolist()
        except ZIP_ERRORS as exc:
            raise damaged("its zip archive cannot be opened") from exc
        _check_sizes(infos)
        self._by_name = {_normal(info.filename): info for info in infos}
        self._by_folded = {name.casefold(): info for name, info in self._by_name.items()}
        self._budget = MAX_TOTAL_BYTES
        self._check_drm()

    def names(self) -> list[str]:
        """All file paths in the archive."""
        return list(self._by_name)

    def has(self, path: str) -> bool:
        """True when the archive holds `path` (case-insensitively, as readers do)."""
        return self._info(path) is not None

    def read(self, path: str) -> bytes | None:
        """The bytes of `path`, or None if it is absent. Never reads past the size budget."""
        info = self._info(path)
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise _encrypted()
        try:
            with self._zip.open(info) as handle:
                data = handle.read(self._budget + 1)
        except ZIP_ERRORS as exc:
            raise damaged(f"`{info.filename}` cannot be unpacked") from exc
        if len(data) > self._budget:
            raise _too_big()
        self._budget -= len(data)
        return data

    def xml(self, path: str) -> etree._Element | None:
        """Parse a metadata file (container, OPF, NCX) forgivingly; None if absent or empty."""
        data = self.read(path)
        if not data or not data.strip():
            return None
        # The forgiving parser would silently cut a too-deep file short; refuse it instead.
        check_depth(decode_markup(data), xml=True)
        try:
            root = etree.fromstring(data, METADATA_PARSER)
        except (etree.XMLSyntaxError, ValueError):
            return None
        return root

    def _info(self, path: str) -> zipfile.ZipInfo | None:
        name = _normal(path)
        return self._by_name.get(name) or self._by_folded.get(name.casefold())

    def _check_drm(self) -> None:
        root = self.xml("META-INF/encryption.xml")
        if root is None:
            if self.has("META-INF/encryption.xml"):
                raise _encrypted()  # present but unreadable: assume the worst
            return
        for data in root.iter("{*}EncryptedData"):
            method = next(data.iter("{*}EncryptionMethod"), None)
            algorithm = method.get("Algorithm", "") if method is not None else ""
            for ref in data.iter("{*}CipherReference"):
                uri = (ref.get("URI") or "").lower()
                if not (algorithm in _FONT_OBFUSCATION and uri.endswith(_FONT_SUFFIXES)):
                    raise _encrypted()


def resolve(base_file: str, href: str) -> tuple[str, str | None]:
    """The archive path and fragment an `href` inside `base_file` points to."""
    href, _, fragment = href.strip().partition("#")
    path = unquote(href)
    if path:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), path))
    else:
        path = base_file
    return _normal(path), unquote(fragment) or None


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise ImportRefused(
            N_("The EPUB holds {files} files; the limit is {limit}."),
            hint=N_("This does not look like an ordinary e-book; export it again."),
            params={"files": Quantity(len(infos)), "limit": Quantity(MAX_ENTRIES)},
        )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_TOTAL_BYTES or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise _too_big()


def _too_big() -> ImportRefused:
    return ImportRefused(
        N_(
            "The EPUB unpacks to more than {limit} MB (or is built to expand far beyond its "
            "size), so it was not opened."
        ),
        hint=N_("Upload the story as a normal EPUB, .html or .txt file."),
        params={"limit": Quantity(MAX_TOTAL_BYTES // 1_048_576)},
    )


def _encrypted() -> ImportRefused:
    return ImportRefused(
        N_("The EPUB is encrypted (DRM-protected), so its text cannot be read."),
        hint=N_("Upload a DRM-free copy, for example the author's own export or an AO3 download."),
    )


def _normal(name: str) -> str:
    name = name.replace("\\", "/")
    while name.startswith(("./", "/")):
        name = name[1:] if name.startswith("/") else name[2:]
    return name
