"""Chapter bodies survive the trip to JSON and back, exactly."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.stories.model import Block, BlockQuote, Paragraph, SceneBreak, Span, plain_paragraph
from bot.stories.serialize import blocks_from_json, blocks_to_json

spans = st.builds(
    Span,
    text=st.text(),
    italic=st.booleans(),
    bold=st.booleans(),
    underline=st.booleans(),
    strike=st.booleans(),
)
paragraphs = st.builds(Paragraph, st.lists(spans, max_size=5).map(tuple))
blocks: st.SearchStrategy[Block] = st.one_of(
    paragraphs,
    st.just(SceneBreak()),
    st.builds(BlockQuote, st.lists(paragraphs, max_size=3).map(tuple)),
)


@given(st.lists(blocks, max_size=8))
def test_any_blocks_round_trip(original: list[Block]) -> None:
    assert blocks_from_json(blocks_to_json(original)) == original


def test_a_known_body_round_trips_and_stays_readable() -> None:
    body = [
        Paragraph((Span("“Quiet,” "), Span("she", italic=True, bold=True), Span(" said.\nNo…"))),
        SceneBreak(),
        BlockQuote((plain_paragraph("First"), plain_paragraph("Second"))),
    ]
    text = blocks_to_json(body)
    assert blocks_from_json(text) == body
    assert "“Quiet,”" in text  # stored as written, not \u-escaped
    assert json.loads(text)["blocks"][0]["spans"][1] == {"text": "she", "i": 1, "b": 1}


def test_an_empty_body_round_trips() -> None:
    assert blocks_from_json(blocks_to_json([])) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[]", "version-1"),
        ('{"v": 2, "blocks": []}', "version-1"),
        ('{"v": 1, "blocks": {}}', "blocks should be a list"),
        ('{"v": 1, "blocks": [{"t": "video"}]}', "unknown block type"),
        ('{"v": 1, "blocks": [{"t": "p", "spans": [{"text": 3}]}]}', "span text"),
        ('{"v": 1, "blocks": [{"t": "quote", "paragraphs": [{"t": "break"}]}]}', "paragraph"),
    ],
)
def test_malformed_bodies_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        blocks_from_json(text)


def test_encoding_something_that_is_not_a_block_fails() -> None:
    with pytest.raises(TypeError):
        blocks_to_json(["just a string"])  # type: ignore[list-item]
