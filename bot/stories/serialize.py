"""Chapter bodies (lists of blocks) to and from JSON, so a stored chapter can be re-rendered.

The format is versioned and compact, since every chapter body is stored this way:

    {"v": 1, "blocks": [
        {"t": "p", "spans": [{"text": "Hello, "}, {"text": "world", "i": 1}]},
        {"t": "break"},
        {"t": "quote", "paragraphs": [{"t": "p", "spans": [...]}]}
    ]}

A span lists only the styles it has: "i" italic, "b" bold, "u" underline, "s" strike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.stories.model import Block, BlockQuote, Paragraph, SceneBreak, Span

FORMAT_VERSION = 1

_STYLE_KEYS = (("i", "italic"), ("b", "bold"), ("u", "underline"), ("s", "strike"))


def blocks_to_json(blocks: Iterable[Block]) -> str:
    """Encode blocks as a compact JSON document."""
    document = {"v": FORMAT_VERSION, "blocks": [_encode_block(b) for b in blocks]}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def blocks_from_json(text: str) -> list[Block]:
    """Decode a document made by `blocks_to_json`; raises ValueError if it is malformed."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"chapter body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("v") != FORMAT_VERSION:
        raise ValueError("chapter body is not a version-1 block document")
    return [_decode_block(b) for b in _expect(document.get("blocks"), list, "blocks")]


def _encode_block(block: Block) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"t": "p", "spans": [_encode_span(s) for s in block.spans]}
    if isinstance(block, SceneBreak):
        return {"t": "break"}
    if isinstance(block, BlockQuote):
        return {"t": "quote", "paragraphs": [_encode_block(p) for p in block.paragraphs]}
    raise TypeError(f"not a block: {block!r}")


def _encode_span(span: Span) -> dict[str, Any]:
    encoded: dict[str, Any] = {"text": span.text}
    for key, attribute in _STYLE_KEYS:
        if getattr(span, attribute):
            encoded[key] = 1
    return encoded


def _decode_block(data: Any) -> Block:
    data = _expect(data, dict, "block")
    kind = data.get("t")
    if kind == "p":
        return _decode_paragraph(data)
    if kind == "break":
        return SceneBreak()
    if kind == "quote":
        paragraphs = _expect(data.get("paragraphs"), list, "quote paragraphs")
        return BlockQuote(
            tuple(_decode_paragraph(_expect(p, dict, "paragraph")) for p in paragraphs)
        )
    raise ValueError(f"unknown block type {kind!r}")


def _decode_paragraph(data: dict[str, Any]) -> Paragraph:
    if data.get("t") != "p":
        raise ValueError(f"expected a paragraph, got block type {data.get('t')!r}")
    spans = _expect(data.get("spans"), list, "paragraph spans")
    return Paragraph(tuple(_decode_span(s) for s in spans))


def _decode_span(data: Any) -> Span:
    data = _expect(data, dict, "span")
    text = _expect(data.get("text"), str, "span text")
    styles = {attribute: bool(data.get(key)) for key, attribute in _STYLE_KEYS}
    return Span(text, **styles)


def _expect(value: Any, kind: type, what: str) -> Any:
    """`value` if it has the expected JSON type, else a ValueError naming the part."""
    if not isinstance(value, kind):
        raise ValueError(f"chapter body: {what} should be a {kind.__name__}")
    return value
