"""Build fan-fiction EPUBs for tests: AO3's (made by calibre from the HTML) and FanFicFare's.

calibre splits AO3's download HTML into files (the preface's tag list, then its title page,
one file per chapter, the afterword), renames most classes to `calibreN`, and builds an NCX from
the `h2` headings. FanFicFare writes a `title_page.xhtml` of "Label: value" lines, a contents
page, and one `fileNNNN.xhtml` per chapter opening with `h3.fff_chapter_title`.
"""

from __future__ import annotations

from html import escape

try:
    from tests.stories.ao3_epub_builders import (
        AO3,
        Ao3Chapter,
        Ao3Work,
        ncx_doc,
        opf,
        xhtml,
        zip_epub,
    )
except ImportError:  # collected without the repository root on sys.path
    from ao3_epub_builders import AO3, Ao3Chapter, Ao3Work, ncx_doc, opf, xhtml, zip_epub

__all__ = ["Ao3Chapter", "Ao3Work", "ao3_calibre_epub", "fanficfare_epub"]

_ENDNOTE_LINK = (
    '<div class="endnote-link">See the end of the chapter for '
    '<a href="#endnotes">more notes</a></div>'
)


def _calibre_tags(work: Ao3Work) -> str:
    rows = [
        ("Rating", [work.rating]),
        ("Archive Warning", work.warnings),
        ("Category", work.categories),
        ("Fandom", work.fandoms),
        ("Relationship", work.relationships),
        ("Characters", work.characters),
        ("Additional Tags", work.freeforms),
    ]
    out = []
    for label, names in rows:
        links = ", ".join(
            f'<a href="{AO3}/tags/{escape(n)}" class="calibre6">{escape(n)}</a>' for n in names
        )
        out.append(f'<dt class="calibre3">{label}:</dt>\n<dd class="calibre4">{links}</dd>')
    out.append(f'<dt class="calibre3">Language:</dt>\n<dd class="calibre4">{work.language}</dd>')
    out.append(
        '<dt class="calibre3">Stats:</dt>\n'
        '<dd class="calibre5">Published: 2021-03-04 Words: 1,234 Chapters: 2/2</dd>'
    )
    return '<dl class="tags">\n' + "\n".join(out) + "\n</dl>"


def _quote(label: str, html: str | None) -> str:
    return (
        f'<p class="calibre7">{label}</p>\n<blockquote class="userstuff">{html}</blockquote>'
        if html
        else ""
    )


def _calibre_chapter(position: int, chapter: Ao3Chapter) -> str:
    heading = f"Chapter {position}" + (f": {escape(chapter.title)}" if chapter.title else "")
    end = ""
    if chapter.end_notes:
        notes = _quote("Chapter End Notes", chapter.end_notes)
        end = f'<div class="meta1" id="endnotes{position}">{notes}</div>'
    return xhtml(
        f"""<div class="userstuff1">
<div class="meta1">
<h2 class="heading" id="calibre_toc_{position + 1}">{heading}</h2>
{_quote("Chapter Summary", chapter.summary)}
{_quote("Chapter Notes", chapter.notes)}
{_ENDNOTE_LINK if chapter.end_notes else ""}
</div>
<div class="userstuff2">{chapter.body}</div>
{end}
</div>""",
        title=escape(heading),
        body_attrs=' class="calibre"',
    )


def ao3_calibre_epub(work: Ao3Work) -> bytes:
    """An AO3 EPUB as calibre builds it from the HTML download."""
    stem = "The_Long_Way_Home"
    author = work.authors[0]
    files: dict[str, str | bytes] = {
        f"OEBPS/{stem}_split_000.xhtml": xhtml(
            f"""<div id="preface" class="calibre1">
<h2 class="toc-heading" id="calibre_toc_1">Preface</h2>
<p class="message"><b class="calibre2">{escape(work.title)}</b><br class="calibre1"/>
Posted originally on the <a href="{AO3}/">Archive of Our Own</a> at
<a href="{AO3}/works/4242">{AO3}/works/4242</a>.</p>
<div class="calibre1">{_calibre_tags(work)}</div>
</div>""",
            body_attrs=' class="calibre"',
        ),
        f"OEBPS/{stem}_split_001.xhtml": xhtml(
            f"""<div class="calibre1"><div class="calibre1">
<h1 class="calibre8">{escape(work.title)}</h1>
<div class="byline">by <a rel="author" href="{AO3}/users/{author}">{author}</a></div>
{_quote("Summary", work.summary)}
{_quote("Notes", work.notes)}
</div></div>""",
            body_attrs=' class="calibre"',
        ),
    }
    manifest = {
        "titlepage": "titlepage.xhtml",
        "p0": f"{stem}_split_000.xhtml",
        "p1": f"{stem}_split_001.xhtml",
    }
    files["OEBPS/titlepage.xhtml"] = xhtml(
        '<div><svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%">'
        '<image href="cover.jpeg"/></svg></div>'
    )
    entries = [("Preface", f"{stem}_split_000.xhtml")]
    for position, chapter in enumerate(work.chapters, 1):
        name = f"{stem}_split_{position + 1:03}.xhtml"
        files[f"OEBPS/{name}"] = _calibre_chapter(position, chapter)
        manifest[f"c{position}"] = name
        label = f"{position}. {chapter.title}" if chapter.title else f"Chapter {position}"
        entries.append((label, name))
    after = f"{stem}_split_{len(work.chapters) + 2:03}.xhtml"
    files[f"OEBPS/{after}"] = xhtml(
        f"""<div id="afterword" class="calibre1">
<h2 class="toc-heading" id="calibre_toc_99">Afterword</h2>
<div class="calibre1"><div id="endnotes" class="calibre1">
{_quote("End Notes", work.end_notes)}
</div></div>
<p class="message">Please drop by the archive and comment to let the creator know if you
enjoyed their work!</p>
</div>""",
        body_attrs=' class="calibre"',
    )
    manifest["after"] = after
    entries.append(("Afterword", after))
    files["OEBPS/toc.ncx"] = ncx_doc(entries, title=work.title)
    tags = [work.rating, *work.warnings, *work.fandoms, *work.relationships, *work.characters]
    files["OEBPS/content.opf"] = opf(
        title=work.title,
        authors=work.authors,
        spine=list(manifest),
        manifest=manifest,
        ncx="toc.ncx",
        description=work.summary,
        subjects=tuple(tags),
    )
    return zip_epub(files)


def fanficfare_epub(work: Ao3Work, *, table: bool = False) -> bytes:
    """A FanFicFare EPUB of `work` (title page as `<b>Label:</b>` lines, or as a table)."""
    fields = [
        ("Category", ", ".join(work.fandoms)),
        ("Rating", work.rating),
        ("Warnings", ", ".join(work.warnings)),
        ("Relationships", ", ".join(work.relationships)),
        ("Characters", ", ".join(work.characters)),
        ("Freeform Tags", ", ".join(work.freeforms)),
        ("Status", "Completed"),
        ("Language", work.language),
        ("Summary", "Two strangers, one storm. Note: an AU."),
        ("Words", "1,234"),
    ]
    if table:
        rows = "".join(f"<tr><td><b>{k}:</b></td><td>{escape(v)}</td></tr>" for k, v in fields)
        listing = f'<table class="full">{rows}</table>'
    else:
        listing = "<div>" + "".join(f"<b>{k}:</b> {escape(v)}<br />" for k, v in fields) + "</div>"
    author = work.authors[0]
    files: dict[str, str | bytes] = {
        "OEBPS/title_page.xhtml": xhtml(
            f'<h3><a href="{AO3}/works/4242">{escape(work.title)}</a> by '
            f'<a href="{AO3}/users/{author}">{author}</a></h3>{listing}',
            body_attrs=' class="fff_titlepage"',
        ),
        "OEBPS/toc_page.xhtml": xhtml(
            "<div><h3>Table of Contents</h3>"
            + "".join(
                f'<a href="file{i:04}.xhtml">Chapter {i}</a><br />'
                for i in range(1, len(work.chapters) + 1)
            )
            + "</div>",
            body_attrs=' class="fff_tocpage"',
        ),
    }
    manifest = {"title_page": "title_page.xhtml", "toc_page": "toc_page.xhtml"}
    entries = [("Title Page", "title_page.xhtml"), ("Table of Contents", "toc_page.xhtml")]
    for position, chapter in enumerate(work.chapters, 1):
        name = f"file{position:04}.xhtml"
        label = chapter.title or f"Chapter {position}"
        files[f"OEBPS/{name}"] = xhtml(
            f'<h3 class="fff_chapter_title">{escape(label)}</h3>\n{chapter.body}',
            body_attrs=' class="fff_chapter"',
        )
        manifest[f"file{position:04}"] = name
        entries.append((label, name))
    files["OEBPS/toc.ncx"] = ncx_doc(entries, title=work.title)
    files["OEBPS/content.opf"] = opf(
        title=work.title,
        authors=work.authors,
        spine=list(manifest),
        manifest=manifest,
        ncx="toc.ncx",
        subjects=tuple(work.freeforms),
    )
    return zip_epub(files)
