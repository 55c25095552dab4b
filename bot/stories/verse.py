"""Indented verse lines: how the model keeps them, and how files carry them both ways.

A poem's indented line ("        Weialala leia") is kept in the model as the line's leading run of
no-break spaces (or other fixed-width spaces: an em space, a thin space...), which no importer's
whitespace rule collapses, unlike plain spaces and tabs. So:

- importers turn a line's indentation into such spaces: a `class="indent"`/`"indent2"` line (The
  Waste Land), an `i1`/`i4` span (Standard Ebooks, Project Gutenberg), leading spaces on a
  Markdown verse line; and keep leading no-break spaces on every line of a verse paragraph;
- exporters write them as they are, and turn leading plain spaces and tabs of verse lines into
  no-break spaces first, so an indentation survives export -> import in every format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.stories.model import Span

NBSP = "\u00a0"
# Fixed-width spaces a line may be indented with; str.strip() would remove them, so edges are
# trimmed of `PLAIN_SPACE` only where indentation must stay.
INDENT_CHARS = NBSP + "\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u3000"
PLAIN_SPACE = " \t\r\n\f\v"
INDENT_STEP = NBSP * 4  # one level of an "indent"/"indentN" class
EM = NBSP * 2  # one step of an "iN" class (N ems, as Gutenberg and Standard Ebooks mean it)
TAB = NBSP * 4
_INDENT_CLASS = re.compile(r"^(?:(indent)|i)(\d{0,2})$")
_LEADING = re.compile(r"(^|\n)([ \t]+)")


def class_indent(names: Iterable[str]) -> str:
    """The indentation an element's classes give its line ("" for none, or "i0")."""
    for name in names:
        match = _INDENT_CLASS.match(name)
        if match:
            level = int(match[2]) if match[2] else 1
            return (INDENT_STEP if match[1] else EM) * level
    return ""


def held_indents(spans: Sequence[Span]) -> tuple[Span, ...]:
    """`spans` with every verse line's leading spaces and tabs as no-break spaces.

    The first line counts as verse only when the paragraph has line breaks: a prose
    paragraph's leading space is layout, not the author's.
    """
    at_start = any("\n" in span.text for span in spans)
    out: list[Span] = []
    for span in spans:
        text = _LEADING.sub(lambda m, start=at_start: _hold(m, start), span.text)
        at_start = text.endswith("\n") or (at_start and not text.strip(INDENT_CHARS + " \t"))
        out.append(span if text == span.text else replace(span, text=text))
    return tuple(out)


def _hold(match: re.Match[str], at_start: bool) -> str:
    if not match[1] and not at_start:
        return match[0]  # spaces inside a line, not at its start
    return match[1] + _held(match[2])


def _held(lead: str) -> str:
    """Leading spaces and tabs as the no-break spaces the model keeps indentation in."""
    return lead.replace("\t", TAB).replace(" ", NBSP)


def source_indents(spans: Sequence[Span], source_lines: Sequence[str]) -> list[Span]:
    """Spans of a paragraph with line breaks, each line given back its indentation in the
    source (leading spaces and tabs, as no-break spaces); unchanged unless the line counts agree.
    """
    leads = [line[: len(line) - len(line.lstrip(" \t"))] for line in source_lines]
    if sum(span.text.count("\n") for span in spans) + 1 != len(leads) or not any(leads):
        return list(spans)
    held = [_held(lead) for lead in leads]
    out: list[Span] = []
    line, at_start = 0, True
    for span in spans:
        parts = span.text.split("\n")
        for index, part in enumerate(parts):
            if index:
                line += 1
                at_start = True
            if at_start and (part or index < len(parts) - 1):
                parts[index] = held[line] + part
                at_start = False
        out.append(replace(span, text="\n".join(parts)))
    return out
