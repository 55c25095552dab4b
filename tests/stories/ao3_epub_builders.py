"""Build realistic AO3 HTML downloads and small EPUBs (plain, AO3/calibre, FanFicFare) for tests.

The AO3 markup follows otwarchive's download templates (`_download_preface`, `show`,
`_download_chapter`, `_download_afterword`); the calibre EPUB mimics how calibre splits that
HTML into files and renames its classes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from html import escape

AO3 = "https://archiveofourown.org"


@dataclass
class Ao3Chapter:
    """One chapter of a generated AO3 work; `body` is the chapter's inner HTML."""

    body: str
    title: str | None = None
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None


@dataclass
class Ao3Work:
    """The fields of a generated AO3 work."""

    title: str = "The Long Way Home"
    authors: list[str] = field(default_factory=lambda: ["quill_and_ink"])
    rating: str = "Teen And Up Audiences"
    warnings: list[str] = field(default_factory=lambda: ["No Archive Warnings Apply"])
    categories: list[str] = field(default_factory=lambda: ["F/M"])
    fandoms: list[str] = field(default_factory=lambda: ["Original Work"])
    relationships: list[str] = field(default_factory=lambda: ["Mara/Theo"])
    characters: list[str] = field(default_factory=lambda: ["Mara", "Theo"])
    freeforms: list[str] = field(default_factory=lambda: ["Slow Burn", "Found Family"])
    language: str = "English"
    summary: str | None = "<p>Two strangers, one storm.</p><p>A second line.</p>"
    notes: str | None = "<p>Thanks to my beta!</p>"
    end_notes: str | None = "<p>Comments make my day.</p>"
    chapters: list[Ao3Chapter] = field(default_factory=list)
    dd_classes: bool = True  # AO3 has shipped both `<dd class="rating tags">` and bare `<dd>`


def _links(kind: str, names: list[str]) -> str:
    return ", ".join(f'<a href="{AO3}/tags/{escape(n)}/works">{escape(n)}</a>' for n in names)


def _tags_dl(work: Ao3Work) -> str:
    rows = [
        ("Rating", "rating", [work.rating]),
        ("Archive Warning", "warning", work.warnings),
        ("Category", "category", work.categories),
        ("Fandom", "fandom", work.fandoms),
        ("Relationship", "relationship", work.relationships),
        ("Character", "character", work.characters),
        ("Additional Tags", "freeform", work.freeforms),
    ]
    out = ['<dl class="tags">']
    for label, cls, names in rows:
        if not names:
            continue
        plural = label if len(names) == 1 or label.endswith("s") else label + "s"
        dd_class = f' class="{cls} tags"' if work.dd_classes else ""
        out.append(f"<dt>{plural}:</dt>\n<dd{dd_class}>{_links(cls, names)}</dd>")
    lang_class = ' class="language"' if work.dd_classes else ""
    out.append(f"<dt>Language:</dt>\n<dd{lang_class}>{work.language}</dd>")
    n = len(work.chapters)
    out.append(
        "<dt>Stats:</dt>\n<dd>\nPublished: 2021-03-04\nCompleted: 2021-05-06\n"
        f"Words: 12,345\nChapters: {n}/{n}\n</dd>\n</dl>"
    )
    return "\n".join(out)


def _byline(work: Ao3Work) -> str:
    links = ", ".join(
        f'<a rel="author" href="{AO3}/users/{escape(a)}/pseuds/{escape(a)}">{escape(a)}</a>'
        for a in work.authors
    )
    return f'<div class="byline">by {links}</div>'


def _quote(label: str, html: str | None) -> str:
    if not html:
        return ""
    return f'<p>{label}</p>\n<blockquote class="userstuff">{html}</blockquote>'


def ao3_preface(work: Ao3Work) -> str:
    """The `div#preface` of an AO3 download."""
    endnote_link = (
        '<div class="endnote-link">See the end of the work for more <a href="#endnotes">notes'
        "</a></div>"
        if work.end_notes
        else ""
    )
    return f"""<div id="preface">
<h2 class="toc-heading">Preface</h2>
<p class="message">
<b>{escape(work.title)}</b><br/>
Posted originally on the <a href="{AO3}/">Archive of Our Own</a> at
<a href="{AO3}/works/4242">{AO3}/works/4242</a>.
</p>
<div class="meta">
{_tags_dl(work)}
<h1>{escape(work.title)}</h1>
{_byline(work)}
{_quote("Summary", work.summary)}
{_quote("Notes", work.notes)}
{endnote_link}
</div>
</div>"""


def ao3_chapter(position: int, chapter: Ao3Chapter) -> str:
    """One chapter as `_download_chapter.html.erb` renders it."""
    heading = f"Chapter {position}" + (f": {escape(chapter.title)}" if chapter.title else "")
    end = ""
    if chapter.end_notes:
        end = (
            f'<div class="meta" id="endnotes{position}">\n'
            + _quote("Chapter End Notes", chapter.end_notes)
            + "\n</div>"
        )
    return f"""<div class="meta group">
<h2 class="heading">{heading}</h2>
{_quote("Chapter Summary", chapter.summary)}
{_quote("Chapter Notes", chapter.notes)}
</div>
<!--chapter content-->
<div class="userstuff">
{chapter.body}
</div>
<!--/chapter content-->
{end}"""


def ao3_afterword(work: Ao3Work) -> str:
    """The `div#afterword` with the work's end notes."""
    notes = ""
    if work.end_notes:
        notes = f'<div class="meta">\n<div id="endnotes">\n{_quote("End Notes", work.end_notes)}'
        notes += "\n</div>\n</div>"
    return f"""<div id="afterword">
<h2 class="toc-heading">Afterword</h2>
{notes}
<p class="message">Please <a href="{AO3}/works/4242/comments/new">drop by the archive and
comment</a> to let the creator know if you enjoyed their work!</p>
</div>"""


def ao3_html(work: Ao3Work) -> bytes:
    """A whole AO3 HTML download (multi-chapter when `work` has more than one chapter)."""
    if len(work.chapters) > 1:
        chapters = "\n".join(ao3_chapter(i, ch) for i, ch in enumerate(work.chapters, 1))
    else:
        chapters = f'<div class="userstuff">\n{work.chapters[0].body}\n</div>'
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8"/>
<title>{escape(work.title)} - {escape(work.authors[0])} - {escape(work.fandoms[0])}</title>
<style type="text/css">
#chapters {{ font-family: "Nimbus Roman No9 L", "Times New Roman", serif; padding: 1em; }}
.userstuff {{ font-family: "Nimbus Roman No9 L", "Times New Roman", serif; padding: 1em; }}
.toc-heading {{ display: none; }}
</style>
</head>
<body>
{ao3_preface(work)}
<div id="chapters" class="userstuff">
{chapters}
</div>
{ao3_afterword(work)}
</body>
</html>
"""
    return page.encode("utf-8")


# --- EPUB -------------------------------------------------------------------------------------

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="{path}" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def xhtml(body: str, *, title: str = "Chapter", body_attrs: str = "") -> str:
    """A minimal XHTML content document around `body`."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>{escape(title)}</title></head>
<body{body_attrs}>
{body}
</body>
</html>"""


def zip_epub(files: dict[str, str | bytes], *, opf_path: str | None = "OEBPS/content.opf") -> bytes:
    """Zip `files` as an EPUB (mimetype first, stored), with a container pointing at the OPF."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        if opf_path is not None:
            archive.writestr("META-INF/container.xml", CONTAINER.format(path=opf_path))
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def opf(
    *,
    title: str,
    authors: list[str],
    spine: list[str],
    manifest: dict[str, str],
    language: str = "en",
    description: str | None = None,
    subjects: tuple[str, ...] = (),
    nav: str | None = None,
    ncx: str | None = None,
    guide: str = "",
) -> str:
    """An EPUB 3 package document; `manifest` maps item ids to hrefs, `spine` lists ids."""
    items = [
        f'<item id="{ident}" href="{href}" media-type="application/xhtml+xml"/>'
        for ident, href in manifest.items()
    ]
    if nav:
        items.append(
            f'<item id="nav" href="{nav}" properties="nav" media-type="application/xhtml+xml"/>'
        )
    if ncx:
        items.append(f'<item id="ncx" href="{ncx}" media-type="application/x-dtbncx+xml"/>')
    meta = [f"<dc:title>{escape(title)}</dc:title>", f"<dc:language>{language}</dc:language>"]
    meta += [f"<dc:creator>{escape(a)}</dc:creator>" for a in authors]
    meta += [f"<dc:subject>{escape(s)}</dc:subject>" for s in subjects]
    if description:
        meta.append(f"<dc:description>{escape(description)}</dc:description>")
    spine_xml = "".join(f'<itemref idref="{ident}"/>' for ident in spine)
    toc_attr = ' toc="ncx"' if ncx else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">urn:uuid:1234</dc:identifier>
{chr(10).join(meta)}
</metadata>
<manifest>
{chr(10).join(items)}
</manifest>
<spine{toc_attr}>{spine_xml}</spine>
{guide}
</package>"""


def nav_doc(entries: list[tuple[str, str]]) -> str:
    """An EPUB 3 navigation document listing (label, href) entries."""
    lis = "".join(f'<li><a href="{href}">{escape(label)}</a></li>' for label, href in entries)
    return xhtml(
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{lis}</ol></nav>', title="Contents"
    )


def ncx_doc(entries: list[tuple[str, str]], *, title: str = "Book") -> str:
    """An EPUB 2 NCX listing (label, src) entries."""
    points = "".join(
        f'<navPoint id="p{i}" playOrder="{i}"><navLabel><text>{escape(label)}</text></navLabel>'
        f'<content src="{src}"/></navPoint>'
        for i, (label, src) in enumerate(entries, 1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
<head><meta name="dtb:uid" content="urn:uuid:1234"/></head>
<docTitle><text>{escape(title)}</text></docTitle>
<navMap>{points}</navMap>
</ncx>"""


def simple_epub(
    chapters: list[tuple[str, str]],
    *,
    title: str = "A Small Book",
    authors: tuple[str, ...] = ("Ann Author",),
    toc: str = "nav",
    front_matter: bool = True,
) -> bytes:
    """An EPUB with a cover, title page and one file per (title, body) chapter."""
    files: dict[str, str | bytes] = {}
    manifest: dict[str, str] = {}
    entries: list[tuple[str, str]] = []
    if front_matter:
        files["OEBPS/cover.xhtml"] = xhtml('<div><img src="cover.jpg" alt="Cover"/></div>')
        files["OEBPS/title.xhtml"] = xhtml(
            f'<section epub:type="titlepage"><h1>{escape(title)}</h1><p>{authors[0]}</p></section>'
        )
        manifest |= {"cover": "cover.xhtml", "titlepage": "title.xhtml"}
        entries.append(("Title Page", "title.xhtml"))
    for number, (label, body) in enumerate(chapters, 1):
        name = f"chapter{number:02}.xhtml"
        files[f"OEBPS/{name}"] = xhtml(f"<h2>{escape(label)}</h2>\n{body}", title=label)
        manifest[f"c{number}"] = name
        entries.append((label, name))
    nav = ncx = None
    if toc == "nav":
        nav = "nav.xhtml"
        files["OEBPS/nav.xhtml"] = nav_doc(entries)
    elif toc == "ncx":
        ncx = "toc.ncx"
        files["OEBPS/toc.ncx"] = ncx_doc(entries, title=title)
    files["OEBPS/content.opf"] = opf(
        title=title,
        authors=list(authors),
        spine=list(manifest),
        manifest=manifest,
        nav=nav,
        ncx=ncx,
        description="<p>A <b>tiny</b> book.</p>",
        subjects=("Testing", "Fiction"),
    )
    return zip_epub(files)


def guided_epub(bodies: dict[str, str], listed: list[tuple[str, str]], legal: str) -> bytes:
    """An EPUB of `bodies` (file stem -> body, in spine order) whose NCX lists `listed`
    ((label, stem)) and whose guide names file `legal` the copyright page."""
    files: dict[str, str | bytes] = {
        f"OEBPS/{stem}.xhtml": xhtml(body) for stem, body in bodies.items()
    }
    files["OEBPS/toc.ncx"] = ncx_doc([(label, f"{stem}.xhtml") for label, stem in listed])
    manifest = {stem: f"{stem}.xhtml" for stem in bodies}
    guide = f'<guide><reference type="copyright-page" title="Legal" href="{legal}.xhtml"/></guide>'
    files["OEBPS/content.opf"] = opf(
        title="T",
        authors=["A"],
        spine=list(manifest),
        manifest=manifest,
        ncx="toc.ncx",
        guide=guide,
    )
    return zip_epub(files)
