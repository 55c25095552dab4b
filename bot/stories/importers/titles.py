"""Clean chapter titles: drop the numbering that `Chapter.number` already carries.

The rule, applied to table-of-contents labels, AO3 chapter headings and document headings alike:

1. Whitespace is collapsed.
2. A leading "Chapter N" label is removed with the separator after it: "Chapter 1. Loomings."
   -> "Loomings.", "CHAPTER IV: The Storm" -> "The Storm", "Ch. 3 - Home" -> "Home", "Chapter
   Twelve" -> "". N may be arabic, roman or an English number word; "Chap."/"Ch." and a few
   other languages' words for "chapter" count too.
3. Otherwise a leading bare number followed by punctuation is removed: "1. Title" -> "Title",
   "IV. DEATH BY WATER" -> "DEATH BY WATER", "12: Home" -> "Home". A number *not* followed by
   punctuation is part of the title and stays ("190 A FOUR-LEAVED CLOVER", "1984").
4. One trailing "." or ":" is removed ("Loomings." -> "Loomings"), but not an ellipsis ("...",
   "…") and not the period of an abbreviation such as "Mr." or "St.".
5. Nothing left (or only a number below 1000, or a roman one) means the chapter has no title: None.

Case and punctuation inside the title are kept as written.
"""

from __future__ import annotations

import re

from bot.stories.importers.markup import names

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_BELOW_100 = rf"(?:(?:{_TENS})(?:[- ](?:{_UNITS}))?|{_TEENS}|{_UNITS})"
_WORD_NUMBER = rf"(?:(?:(?:{_UNITS}|a) )?hundred(?:(?: and)?[- ]{_BELOW_100})?|{_BELOW_100})"
_NUMBER = rf"(?:\d+|[ivxlcdm]+|{_WORD_NUMBER})"
_LABEL = r"(?:chapter|chap\.?|ch\.?|capítulo|capitulo|chapitre|kapitel|hoofdstuk|глава)"
_SEPARATOR = r"(?:\s*[.:)\]|–—-]+\s*|\s+|$)"

_LABELLED = re.compile(rf"^{_LABEL}\s*{_NUMBER}{_SEPARATOR}", re.I)
# Bare roman numerals are limited to 1-99 and must be capitals, so words like "MIX" survive.
_ROMAN_1_99 = r"(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_NUMBERED = re.compile(rf"^(?:\d+|(?={_ROMAN_1_99}\b)[IVXL]+)\s*[.:)\]–—-]+\s*")
# A bare "12" or "IV" is numbering; a four-digit "1984" may well be the title.
_ONLY_NUMBER = re.compile(rf"^(?:\d{{1,3}}|{_ROMAN_1_99})$")
_ABBREVIATIONS = names("mr mrs ms dr st jr sr prof vs etc no vol pt")


# Labels the book prints for itself, kept as `Chapter.label` ("Stave One", "Book II Chapter 3").
_LABEL_WORD = rf"(?:{_LABEL}|stave|letter|book|part|volume|vol\.?)"
_BOOK_LABEL = re.compile(
    rf"^(?:(?P<label>(?:(?:book|part|volume)\s+{_NUMBER}[.,]?\s+)?{_LABEL_WORD}\s*{_NUMBER})"
    rf"(?P<rest>{_SEPARATOR}.*)?"
    r"|(?P<named>prologue|epilogue|interlude|preface|foreword|afterword|etymology|extracts)"
    r"(?P<after>\s*[.:)\]|–—-]+\s*.*)?)$",
    re.I,
)


_OPENERS = "\"“‘'([.:)]|–—-"


def split_label(raw: str | None, *, verbatim: bool = False) -> tuple[str | None, str | None]:
    """The source's label and the clean title: "CHAPTER 40. Midnight, Forecastle." ->
    ("CHAPTER 40", "Midnight, Forecastle"); "Stave One" -> ("Stave One", None); a title with no
    label -> (None, clean title). The label is as written, whitespace collapsed, stop removed.

    `verbatim` reads a heading we wrote ourselves (`exporters.heading.chapter_heading`): "label:
    title", a title or a bare position, with the title kept exactly as it was stored.
    """
    if not raw:
        return None, None
    text = " ".join(raw.split())
    if verbatim:
        return _split_own_heading(text)
    match = _BOOK_LABEL.match(text)
    if not match:
        return None, clean_title(text)
    rest = (match["rest"] or "").lstrip()
    if rest and not (rest[0].isalnum() or rest[0] in _OPENERS):
        return None, _drop_trailing_stop(text)  # "Chapter 4 & 4.5": all of it is the title
    if match["named"] and not (match["after"] or "").strip(" .:;,–—-"):
        return None, clean_title(text)  # a bare "Prologue" is the chapter's title
    label = (match["label"] or match["named"]).rstrip(".,")
    rest = _drop_trailing_stop((match["rest"] or match["after"] or "").strip(" .:;,–—-"))
    return label, rest or None


def _split_own_heading(text: str) -> tuple[str | None, str | None]:
    if _ONLY_NUMBER.match(text):
        return None, None  # a chapter with neither label nor title is headed by its position
    label, title = split_label(text)
    if label is None:
        return None, text
    head, sep, rest = text.partition(": ")
    return (head, rest or None) if sep and head == label else (label, title)


def clean_title(raw: str | None) -> str | None:
    """The chapter title without its "Chapter N" numbering or trailing period; None if empty."""
    if not raw:
        return None
    title = " ".join(raw.split())
    if _ONLY_NUMBER.match(_drop_trailing_stop(title)):
        return None
    stripped = _LABELLED.sub("", title, count=1)
    if stripped == title:
        stripped = _NUMBERED.sub("", title, count=1)
    return _drop_trailing_stop(stripped.strip()) or None


# AO3 numbers chapters itself: "Chapter 3: Title" in headings, "3. Title" in some contents.
_AO3_PREFIX = re.compile(r"^(?:chapter\s+\d+\s*(?::\s*|$)|\d+\.(?:\s+|$))", re.I)


def ao3_title(raw: str | None) -> str | None:
    """An AO3 chapter title: AO3's own "Chapter N: " prefix removed, the rest as the author typed.

    AO3 prints the prefix itself, so it is interface text, not the title; the author's title is
    kept whole, trailing period included ("The Last of the Spirits.").
    """
    if not raw:
        return None
    title = " ".join(raw.split())
    return _AO3_PREFIX.sub("", title, count=1).strip() or None


def _drop_trailing_stop(title: str) -> str:
    if title.endswith(":"):
        return title[:-1].rstrip()
    if not title.endswith(".") or title.endswith(".."):
        return title
    last_word = title[:-1].rsplit(None, 1)[-1] if title[:-1].strip() else ""
    if last_word.lower().strip("(\"'“‘") in _ABBREVIATIONS:
        return title
    return title[:-1].rstrip()
