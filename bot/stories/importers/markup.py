"""Decode and parse HTML/XHTML safely: charset sniffing, a nesting-depth guard, lxml parsing.

lxml (libxml2) silently drops everything below ~255 levels of nesting, so a deeply nested file
would import truncated without anyone noticing. `check_depth` scans the tags itself, before
lxml sees the text, and refuses such files instead.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from typing import Any

import lxml.etree as etree
import lxml.html

from bot.errors import ImportRefused
from bot.i18n import N_, Quantity

# Well below libxml2's limit (256 counting <html> and <body>); real books nest 10-30 deep.
MAX_DEPTH = 200
_SNIFF_BYTES = 4096

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# Browsers read these labels as windows-1252 (WHATWG Encoding Standard), and so do we.
_CP1252_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii", "l1"}


def names(text: str) -> frozenset[str]:
    """The set of whitespace-separated words in `text` (for tag-name tables)."""
    return frozenset(text.split())


_VOID = names(
    "area base br col embed hr img input link meta param source track wbr basefont "
    "bgsound frame keygen command"
)
# Tags a browser closes implicitly when the same tag opens again (<p>a<p>b are siblings).
_SELF_CLOSING_SIBLINGS = names("p li dt dd option optgroup tr td th rt rp")
# Comments and (in HTML) raw-text elements hold no tags; an unclosed one runs to the end, as in
# a browser, and matching it that way keeps the scan linear.
_TOKEN_HTML = re.compile(
    r"""<!--(?:.*?-->|.*\Z)
      | <(?P<raw>script|style|textarea|xmp)\b[^>]*(?<!/)>(?:.*?</(?P=raw)\s*>|.*\Z)
      | <(?P<close>/)?(?P<name>[A-Za-z][^\s/>]*)(?P<rest>[^>]*)>""",
    re.S | re.I | re.X,
)
# In XML, <script> content is markup like any other, so only comments are skipped.
_TOKEN_XML = re.compile(
    r"""<!--(?:.*?-->|.*\Z)
      | <(?P<close>/)?(?P<name>[A-Za-z][^\s/>]*)(?P<rest>[^>]*)>""",
    re.S | re.X,
)

XHTML_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=True,  # our own depth guard and size caps apply; this lifts libxml2's text cap
    remove_comments=True,
    remove_pis=True,
)
HTML_PARSER = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)


def decode_markup(raw: bytes) -> str:
    """Decode HTML/XML bytes using the BOM, then a declared charset, else UTF-8 or cp1252."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _strip_nul(raw.decode(encoding, errors="replace"))
    declared = _declared_encoding(raw[:_SNIFF_BYTES])
    for encoding in (declared, "utf-8"):
        if encoding:
            try:
                return _strip_nul(raw.decode(encoding))
            except (UnicodeDecodeError, LookupError):
                continue
    # Older word processors save Windows-1252; undefined bytes become U+FFFD, not dropped.
    return _strip_nul(raw.decode("cp1252", errors="replace"))


def check_depth(text: str, *, xml: bool = False, limit: int = MAX_DEPTH) -> None:
    """Refuse markup whose elements nest deeper than `limit` (lxml would silently truncate it).

    With `xml` set, no end tags are implied (XHTML must close every element), so the count is
    the strict one; otherwise `<p>`, `<li>`... close a previous sibling of the same name.
    """
    if too_deep(text, xml=xml, limit=limit):
        raise ImportRefused(
            N_(
                "This file nests its markup more than {limit} levels deep, too deep to read "
                "without losing text."
            ),
            hint=N_("Export it again from its source (or save it as plain text) and re-upload."),
            params={"limit": Quantity(limit)},
        )


def too_deep(text: str, *, xml: bool = False, limit: int = MAX_DEPTH) -> bool:
    """True when elements in `text` nest deeper than `limit` (see `check_depth`)."""
    stack: list[str] = []
    for match in (_TOKEN_XML if xml else _TOKEN_HTML).finditer(text):
        name = match.group("name")
        if name is None:
            continue  # a comment or raw-text element: its content holds no tags
        name = name.lower()
        if match.group("close"):
            _close(stack, name)
            continue
        if name in _VOID or match.group("rest").endswith("/"):
            continue
        if not xml and name in _SELF_CLOSING_SIBLINGS and stack and stack[-1] == name:
            stack.pop()
        stack.append(name)
        if len(stack) > limit:
            return True
    return False


def parse_html_document(text: str) -> Any:
    """Parse decoded HTML into an lxml element tree (after the depth guard)."""
    check_depth(text)
    try:
        return lxml.html.document_fromstring(_XML_DECL.sub("", text, count=1), parser=HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ImportRefused(
            N_("This HTML file has no readable content."),
            hint=N_("Open it in a browser to check it shows the story, then upload it again."),
        ) from exc


def parse_xhtml_document(raw: bytes) -> Any | None:
    """Parse an EPUB content document: strict XML first, forgiving HTML if that fails.

    Returns None when even the HTML parser finds nothing (an empty document).
    """
    text = decode_markup(raw)
    check_depth(text)  # too deep even for a browser: refuse
    body = _XML_DECL.sub("", text, count=1)
    # Strictly counted, unclosed <p>s pile up; such a file is not XML anyway, so read it as HTML.
    if not too_deep(text, xml=True):
        try:
            return etree.fromstring(body, XHTML_PARSER)
        except (etree.XMLSyntaxError, ValueError):
            pass  # sloppy XHTML (HTML entities, unclosed tags) still reads fine as HTML
    try:
        return lxml.html.document_fromstring(body, parser=HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None


def local_name(el: Any) -> str:
    """The element's tag without namespace, lower-cased ("" for comments, entities...)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def epub_types(el: Any) -> set[str]:
    """The tokens of the element's `epub:type` attribute (namespaced or, from HTML, literal)."""
    value = el.get("{http://www.idpf.org/2007/ops}type") or el.get("epub:type") or ""
    return set(value.lower().split())


def classes(el: Any) -> set[str]:
    """The element's class tokens, lower-cased."""
    return set((el.get("class") or "").lower().split())


def entity_text(el: Any) -> str:
    """The character an unresolved entity node (`&nbsp;` kept by the XML parser) stands for."""
    ref = (el.text or "").strip("&;")
    if ref.startswith("#"):
        try:
            code = int(ref[2:], 16) if ref[1:2] in ("x", "X") else int(ref[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return ""
    return html.entities.html5.get(ref + ";", "")


def is_entity(el: Any) -> bool:
    """True for an entity-reference node."""
    return el.tag is etree.Entity


# Line and page numbers printed in the margin are not part of the text.
MARGIN_NUMBERS = names("lnum linenum linenumber line-number pagenum pagenumber page-number")
# Elements whose text no reader sees; everything else in <body> is the page's readable text.
# <nav> is navigation (an EPUB's table of contents), not text the book holds.
_INVISIBLE = names("head script style template noscript title nav")
# Inline elements: their edges do not separate words ("<i>Some</i>thing" is one word).
_INLINE = names(
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark nobr q s samp small "
    "span strike strong sub sup time tt u var wbr"
)


def visible_text(root: Any) -> str:
    """The readable text of a document's body (or of `root` when it has none), for counting its
    words: no markup, scripts, styles or `<head>`; block edges and `<br>` separate words."""
    body = next(root.iter("{*}body", "body"), root)
    parts: list[str] = []
    _collect(body, parts)
    return "".join(parts)


def _collect(el: Any, parts: list[str]) -> None:
    tag = local_name(el)
    if not tag:
        if is_entity(el):
            parts.append(entity_text(el))
    elif not _unread(el, tag):
        inline = tag in _INLINE
        if not inline:
            parts.append(" ")
        if el.text:
            parts.append(el.text)
        for child in el:
            _collect(child, parts)
        if not inline:
            parts.append(" ")
    if el.tail:
        parts.append(el.tail)


def _unread(el: Any, tag: str) -> bool:
    """Invisible elements, hidden ones, and margin line or page numbers: not the text."""
    return (
        tag in _INVISIBLE
        or el.get("hidden") is not None
        or "pagebreak" in epub_types(el)
        or bool(classes(el) & MARGIN_NUMBERS)
    )


def _declared_encoding(head: bytes) -> str | None:
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace").lower()
    if label in _CP1252_ALIASES:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page that declares UTF-16 without a BOM is really ASCII-compatible (WHATWG rule).
    return "utf-8" if name.startswith("utf-16") else name


def _close(stack: list[str], name: str) -> None:
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] == name:
            del stack[index:]
            return
    # A stray end tag with nothing to close is ignored, as browsers do.


def _strip_nul(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text
