"""Write a story as an EPUB 3 file with only the standard library.

Layout: `mimetype` first and stored uncompressed (the EPUB OCF rule), `META-INF/container.xml`
pointing at `OEBPS/content.opf`, the package document (metadata, manifest, spine), an XHTML
navigation document with a `toc` nav and `landmarks`, a title page (`frontmatter`) holding the
story's summary and notes, one XHTML file per chapter, and an end-notes page when there are any.
Chapter headings and nav labels are `chapter_heading`'s, so our importer reads labels back.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime
from html import escape

from bot.stories.exporters.heading import chapter_heading
from bot.stories.exporters.html import chapter_html, notes_html
from bot.stories.model import Story

_CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles></container>\n'
)
_XHTML = "application/xhtml+xml"
GENERATOR = "chapterbot"


def epub_bytes(story: Story, *, modified: datetime | None = None) -> bytes:
    """The story as the bytes of an EPUB 3 file."""
    lang = story.language or "en"
    docs: list[tuple[str, str, str]] = []  # (file name, nav label or "", xhtml)
    front = [f"<h1>{escape(story.title)}</h1>"]
    if story.authors:
        front.append(f'<p class="byline">by {escape(", ".join(story.authors))}</p>')
    front += notes_html("Summary", story.summary) + notes_html("Notes", story.notes)
    docs.append(("title.xhtml", "", _page(story.title, lang, front, "frontmatter titlepage")))
    for chapter in story.chapters:
        body = chapter_html(chapter, level=2)
        name = f"chapter-{chapter.number:04d}.xhtml"
        docs.append(
            (name, chapter_heading(chapter), _page(chapter_heading(chapter), lang, body, "chapter"))
        )
    if story.end_notes and story.end_notes.strip():
        body = notes_html("Work End Notes", story.end_notes)
        docs.append(("end-notes.xhtml", "", _page("End Notes", lang, body, "backmatter")))
    stamp = (modified or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        _put(archive, "META-INF/container.xml", _CONTAINER)
        _put(archive, "OEBPS/content.opf", _package(story, lang, docs, stamp))
        _put(archive, "OEBPS/nav.xhtml", _nav(story, lang, docs))
        for name, _, xhtml in docs:
            _put(archive, f"OEBPS/{name}", xhtml)
    return buffer.getvalue()


def _put(archive: zipfile.ZipFile, name: str, text: str) -> None:
    archive.writestr(name, text.encode("utf-8"), zipfile.ZIP_DEFLATED)


def _page(title: str, lang: str, body: list[str], section: str) -> str:
    lang = escape(lang, quote=True)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}">\n'
        f"<head><title>{escape(title)}</title></head>\n"
        f'<body><section epub:type="{section}">\n'
        + "\n".join(body)
        + "\n</section></body>\n</html>\n"
    )


def _package(story: Story, lang: str, docs: list[tuple[str, str, str]], stamp: str) -> str:
    ident = uuid.uuid5(
        uuid.NAMESPACE_URL, "chapterbot:" + story.title + "|" + "|".join(story.authors)
    )
    meta = [
        f'<dc:identifier id="book-id">urn:uuid:{ident}</dc:identifier>',
        f"<dc:title>{escape(story.title)}</dc:title>",
        f"<dc:language>{escape(lang)}</dc:language>",
        f'<meta property="dcterms:modified">{stamp}</meta>',
        # Our importer reads the headings of its own export verbatim (a title's final period).
        f'<meta name="generator" content="{GENERATOR}"/>',
    ]
    for n, author in enumerate(story.authors, 1):
        meta.append(f'<dc:creator id="author{n}">{escape(author)}</dc:creator>')
        meta.append(f'<meta refines="#author{n}" property="role" scheme="marc:relators">aut</meta>')
    if story.summary:
        meta.append(f"<dc:description>{escape(story.summary)}</dc:description>")
    meta += [f"<dc:subject>{escape(tag)}</dc:subject>" for tag in story.tags]
    items = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    ]
    spine = []
    for n, (name, _, _) in enumerate(docs):
        items.append(f'<item id="doc{n}" href="{name}" media-type="{_XHTML}"/>')
        spine.append(f'<itemref idref="doc{n}"/>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + "\n".join(meta)
        + "\n</metadata>\n"
        "<manifest>\n" + "\n".join(items) + "\n</manifest>\n"
        "<spine>\n" + "\n".join(spine) + "\n</spine>\n</package>\n"
    )


def _nav(story: Story, lang: str, docs: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f'<li><a href="{name}">{escape(label)}</a></li>' for name, label, _ in docs if label
    )
    first = next((name for name, label, _ in docs if label), docs[0][0])
    landmarks = (
        '<li><a epub:type="titlepage" href="title.xhtml">Title Page</a></li>'
        f'<li><a epub:type="bodymatter" href="{first}">Start of Content</a></li>'
    )
    body = [
        f'<nav epub:type="toc" id="toc"><h1>{escape(story.title)}</h1><ol>{entries}</ol></nav>',
        f'<nav epub:type="landmarks" hidden="hidden"><ol>{landmarks}</ol></nav>',
    ]
    lang = escape(lang, quote=True)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}">\n<head><title>Contents</title></head>\n'
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
