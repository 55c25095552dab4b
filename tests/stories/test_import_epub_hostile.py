"""Hostile and damaged EPUBs: zip bombs, lying headers, DRM, truncation, fuzzed bytes.

Every one must end in a `Story` or a specific `ImportRefused`, never another exception.
"""

from __future__ import annotations

import io
import logging
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import ImportRefused
from bot.stories.importers import import_story
from bot.stories.model import Story

try:
    from tests.stories.ao3_epub_builders import nav_doc, opf, simple_epub, xhtml, zip_epub
except ImportError:  # collected without the repository root on sys.path
    from ao3_epub_builders import nav_doc, opf, simple_epub, xhtml, zip_epub


# --- Refusals ---------------------------------------------------------------------------------


def small_epub() -> bytes:
    return simple_epub([("One", "<p>Some words.</p>"), ("Two", "<p>More words.</p>")])


def _patch_central(
    raw: bytes, name: str, *, size: int | None = None, flags: int | None = None
) -> bytes:
    """Rewrite the central-directory record of `name` (its declared size or flag bits)."""
    data = bytearray(raw)
    at = data.find(b"PK\x01\x02" + b"")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == name.encode():
            if size is not None:
                struct.pack_into("<I", data, at + 24, size)
            if flags is not None:
                struct.pack_into("<H", data, at + 8, flags)
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} not in archive")


def test_zip_bomb_by_ratio_is_refused() -> None:
    files = {"OEBPS/zeros.xhtml": b"\0" * (3 * 1024 * 1024)}
    with pytest.raises(ImportRefused, match="100 MB"):
        import_story(zip_epub(files), "bomb.epub")


def test_zip_bomb_by_declared_total_size_is_refused() -> None:
    raw = _patch_central(small_epub(), "OEBPS/chapter01.xhtml", size=200 * 1024 * 1024)
    with pytest.raises(ImportRefused, match="100 MB"):
        import_story(raw, "bomb.epub")


def test_lying_size_header_is_refused_not_trusted() -> None:
    raw = _patch_central(small_epub(), "OEBPS/chapter01.xhtml", size=10)
    with pytest.raises(ImportRefused, match="damaged"):
        import_story(raw, "liar.epub")


def test_truncated_and_corrupted_epubs_are_refused() -> None:
    raw = small_epub()
    with pytest.raises(ImportRefused, match="damaged"):
        import_story(raw[: len(raw) // 2], "cut.epub")
    start = raw.find(b"OEBPS/chapter01.xhtml") + len("OEBPS/chapter01.xhtml")
    corrupted = raw[:start] + bytes(b ^ 0x5A for b in raw[start : start + 40]) + raw[start + 40 :]
    with pytest.raises(ImportRefused, match="damaged"):
        import_story(corrupted, "corrupt.epub")


def test_missing_package_file_is_refused() -> None:
    chapter = xhtml("<p>text</p>")
    with pytest.raises(ImportRefused, match="package file"):
        import_story(zip_epub({"OEBPS/a.xhtml": chapter}), "no-opf.epub")
    with pytest.raises(ImportRefused, match="package file"):
        import_story(zip_epub({"OEBPS/a.xhtml": chapter}, opf_path=None), "no-container.epub")


def test_drm_encrypted_epub_is_refused_but_font_obfuscation_is_not() -> None:
    def with_encryption(uri: str, algorithm: str) -> bytes:
        buffer = io.BytesIO(small_epub())
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr(
                "META-INF/encryption.xml",
                '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
                f'<enc:EncryptionMethod Algorithm="{algorithm}"/><enc:CipherData>'
                f'<enc:CipherReference URI="{uri}"/></enc:CipherData></enc:EncryptedData>'
                "</encryption>",
            )
        return buffer.getvalue()

    aes = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
    with pytest.raises(ImportRefused, match="DRM"):
        import_story(with_encryption("OEBPS/chapter01.xhtml", aes), "drm.epub")
    font = with_encryption("OEBPS/fonts/a.otf", "http://www.idpf.org/2008/embedding")
    assert len(import_story(font, "fonts.epub").chapters) == 2


def test_encrypted_zip_entry_is_refused() -> None:
    raw = _patch_central(small_epub(), "OEBPS/chapter01.xhtml", flags=0x1)
    with pytest.raises(ImportRefused, match="encrypted"):
        import_story(raw, "locked.epub")


def test_epub_without_chapters_is_refused() -> None:
    files = {
        "OEBPS/cover.xhtml": xhtml('<img src="c.jpg" alt="cover"/>'),
        "OEBPS/nav.xhtml": nav_doc([("Cover", "cover.xhtml")]),
        "OEBPS/content.opf": opf(
            title="T", authors=[], spine=["c"], manifest={"c": "cover.xhtml"}, nav="nav.xhtml"
        ),
    }
    with pytest.raises(ImportRefused, match="no readable chapters"):
        import_story(zip_epub(files), "cover-only.epub")


def test_deeply_nested_chapter_is_refused() -> None:
    deep = "<div>" * 10_000 + "x" + "</div>" * 10_000
    raw = simple_epub([("One", "<p>fine</p>"), ("Two", deep)])
    with pytest.raises(ImportRefused, match="levels deep"):
        import_story(raw, "deep.epub")


# --- Fuzzing ----------------------------------------------------------------------------------


def _stored(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


SEED_FILES = _stored(
    simple_epub(
        [
            ("Chapter 1. Rain", "<p>It <em>rained</em>.</p><hr/><blockquote><p>q</p></blockquote>"),
            ("Chapter 2", "<p>Sun.<br/>Wind.</p><p>* * *</p>"),
        ]
    )
)
SEED = simple_epub([("One", "<p>Some <b>words</b>.</p>"), ("Two", "<p>More.</p>")])
SNIPPETS = [b"<div>", b"</p>", b"<br/>", b"&nbsp;", b"&#0;", b"<!--", b"<![CDATA[", b"\xff\xfe"]


def _check(raw: bytes, caplog: pytest.LogCaptureFixture) -> None:
    """Import `raw`: a Story or ImportRefused, and no unexpected exception logged."""
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="bot.stories.importers"):
        try:
            assert isinstance(import_story(raw, "x.epub"), Story)
        except ImportRefused as refusal:
            assert str(refusal)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.binary(max_size=2048), zip_magic=st.booleans())
def test_random_bytes(data: bytes, zip_magic: bool, caplog: pytest.LogCaptureFixture) -> None:
    _check((b"PK\x03\x04" + data) if zip_magic else data, caplog)


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), max_size=12))
def test_byte_flips_of_a_valid_epub(
    flips: list[tuple[int, int]], caplog: pytest.LogCaptureFixture
) -> None:
    data = bytearray(SEED)
    for position, value in flips:
        data[position] = value
    _check(bytes(data), caplog)


@FUZZ
@given(data=st.data())
def test_mutated_files_inside_a_valid_epub(
    data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in SEED_FILES.items():
            if name != "mimetype" and data.draw(st.booleans()):
                content = _mutate(content, data)
            archive.writestr(name, content)
    _check(buffer.getvalue(), caplog)


def _mutate(content: bytes, data: st.DataObject) -> bytes:
    mutated = bytearray(content)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, max(len(mutated) - 1, 0)))
        action = data.draw(st.sampled_from(["cut", "insert", "replace"]))
        if action == "cut":
            del mutated[position : position + data.draw(st.integers(1, 40))]
        elif action == "insert":
            mutated[position:position] = data.draw(st.sampled_from(SNIPPETS))
        elif mutated:
            mutated[position] = data.draw(st.integers(0, 255))
    return bytes(mutated)
