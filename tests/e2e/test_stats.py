"""`/stats` end to end: exact reader counts and retention, a valid chart matching the text."""

from __future__ import annotations

import io
import struct

import pytest

from bot.actor import Actor
from bot.client import ChapterBot
from bot.feedback.chart import draw_stats_chart
from bot.feedback.service import FeedbackService
from bot.feedback.stats import story_stats
from testkit.emulator import DiscordEmulator
from tests.e2e.feedback_helpers import (
    publish_story,
    readers_in_text,
    retention_in_text,
    stats_reply,
)

pytestmark = pytest.mark.e2e

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_stats_counts_readers_and_retention_and_attaches_a_matching_chart(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, carol, dave = (emulator.user(n) for n in ("alice", "bob", "carol", "dave"))
    eve = emulator.create_user("eve")
    published = await publish_story(emulator, chapterbot, alice)
    story = str(published.story.id)
    # Who reads what (through the bot): the ground truth the numbers must reflect.
    reads = [(bob, [1, 2, 3]), (dave, [1, 2]), (carol, [1]), (eve, [3])]
    for reader, chapters in reads:
        for number in chapters:
            shown = await emulator.slash(reader, "read", story=story, chapter=number)
            assert shown.ephemeral
    post = published.last_pages[2]
    mark = next(
        item["custom_id"]
        for row in post.components
        for item in row["components"]
        if "Mark read" in item.get("label", "")
    )
    await emulator.click(carol, post, mark)  # marking a chapter read makes a reader too
    readers = {
        1: {bob.id, dave.id, carol.id},
        2: {bob.id, dave.id, carol.id},
        3: {bob.id, eve.id},
    }

    reply = await stats_reply(emulator, alice, published.story.id)
    assert reply.ephemeral
    text = reply.embeds[0]["description"]
    assert readers_in_text(text) == {n: len(users) for n, users in readers.items()}
    starters = readers[1]
    expected = {
        n: round(100 * len(users & starters) / len(starters))
        for n, users in readers.items()
        if n > 1
    }
    assert retention_in_text(text) == expected

    [attachment] = reply.attachments
    png = attachment.data
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 0 and height > 0
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    assert reply.embeds[0]["image"]["url"].endswith(attachment.filename)

    # The attached PNG is exactly the chart drawn from these statistics, whose bars and line
    # (read back from the axes) are the numbers of the text.
    service = FeedbackService(chapterbot.database)
    actor = Actor(user_id=alice.id, guild_id=emulator.guild.id)
    chart = draw_stats_chart(await story_stats(service, actor, published.story))
    assert chart.png == png
    assert dict(zip(chart.chapters, chart.bar_heights, strict=True)) == readers_in_text(text)
    line = dict(zip(chart.chapters, chart.retention, strict=True))
    assert {n: round(v) for n, v in line.items() if n > 1 and v is not None} == (
        retention_in_text(text)
    )


async def test_stats_is_refused_to_non_authors_and_open_to_manage_server(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    alice, bob, carol = (emulator.user(n) for n in ("alice", "bob", "carol"))
    published = await publish_story(emulator, chapterbot, alice, release=1)
    refused = await emulator.slash(bob, "stats", story=str(published.story.id))
    assert refused.ephemeral and "Only the authors" in (refused.content or "")
    assert not refused.attachments
    allowed = await stats_reply(emulator, carol, published.story.id)
    assert allowed.ephemeral and allowed.attachments


async def test_stats_of_a_story_with_nothing_released_says_so(
    emulator: DiscordEmulator, chapterbot: ChapterBot
) -> None:
    from tests.e2e.publishing_helpers import upload_story

    alice = emulator.user("alice")
    from tests.e2e.feedback_helpers import THREE_CHAPTERS

    story = await upload_story(emulator, chapterbot, alice, "three.md", THREE_CHAPTERS)
    reply = await stats_reply(emulator, alice, story.id)
    assert "nothing to count" in reply.embeds[0]["description"]
    assert not reply.attachments
