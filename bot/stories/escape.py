r"""Escape story text so Discord shows it as written instead of reading it as markdown.

Discord drops a backslash before any punctuation character, so `\\*` renders as `*`; that is
the tool for almost everything here. Rules, and why each exists:

- `\\ * _ ~ \` | [` are escaped everywhere: inline styles, code, spoilers and masked links
  (`[x](y)`) all start with one of them, and `\\` must be escaped so it cannot escape our own
  markers.
- A word that would start a header (`# `, `## `, `### `), subtext (`-# `), quote (`> `,
  `>>> `) or list item (`- `, `1. `) gets its first `#`/`-`/`>` (or the `1.`'s dot) escaped.
  These only work at the start of a line, but any word can begin a line once a page is cut
  before it, so escaping by word keeps every page safe on its own.
- `<` before anything but whitespace is escaped so `<@123>`, `<#1>`, `<t:…>`, `<:emoji:1>`,
  `</cmd:1>` and `<https://…>` (which may start well before its `://`) show as text.
- `@everyone` / `@here` get a zero-width space after the `@`: they read the same but can never
  ping, even if a message were sent without `allowed_mentions`.
- A URL is wrapped as `<https://…>` instead: Discord links URLs wherever they appear, before
  any escape applies (a backslash would end up inside the link), and the angle brackets keep
  the link from swallowing a closing style marker and spare the page a link preview.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"

_ALWAYS = ("\\", "*", "_", "~", "`", "|", "[")
# One pass for the context-dependent rules. Each alternative starts by consuming one of a few
# characters and then checks its context with lookarounds: far faster on prose than leading with
# a lookbehind, and matches are rare, so the callback costs little.
_CONTEXT = re.compile(
    r"[<@#>\-\d](?:"
    r"(?<=<)(?=\S)"  # mention, channel, timestamp, emoji, slash command, autolink
    r"|(?<=@)(?=everyone|here)"  # mass mentions
    r"|(?<=#)(?<!\S#)(?=#{0,2}(?:\s|$))"  # header: `#`, `##`, `###` then a space
    r"|(?<=>)(?<!\S>)(?=(?:>>)?(?:\s|$))"  # quote: `> ` or `>>> `
    r"|(?<=-)(?<!\S-)(?=\s|$|#)"  # list item `- ` or subtext `-# `
    r"|(?<=\d)(?<!\S\d)\d*\.(?=\s|$)"  # numbered list item `1. `
    r")"
)
_URL = r"https?://[^\s<>]+[^<>.,:;\"')\]\s]"
# The slow path, for text holding a URL: the URL, or a character the fast path escapes.
_WITH_URLS = re.compile(_URL + r"|[\\*_~`|\[]|" + _CONTEXT.pattern)


def escape_text(text: str) -> str:
    """Escape `text` (whitespace untouched) so Discord renders it literally."""
    if "://" in text:
        return _WITH_URLS.sub(_url_or_escape, text)
    # str.replace runs at C speed; escaping the backslash first keeps later escapes intact.
    for char in _ALWAYS:
        if char in text:
            text = text.replace(char, "\\" + char)
    return _CONTEXT.sub(_context_escape, text)


def _context_escape(match: re.Match[str]) -> str:
    found = match.group()
    if found == "@":
        return "@" + ZWSP
    if found[-1] == "." and len(found) > 1:
        return found[:-1] + "\\."
    return "\\" + found


def _url_or_escape(match: re.Match[str]) -> str:
    found = match.group()
    if found.startswith("http"):
        return f"<{found}>"
    if found in _ALWAYS:
        return "\\" + found
    return _context_escape(match)
