"""The bot token never appears in logs or in anything the bot says.

Three angles: a full in-process flow with every logger captured at DEBUG and *no* redaction
filter (nothing may log the token in the first place); `chapterbot run` as a process at DEBUG,
through faults and a SIGTERM (its whole stderr is checked); and start-up refusals of bad tokens,
which must not echo them.
"""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path

import pytest

from bot.client import ChapterBot
from bot.logs import setup_logging
from testkit.botproc import BotProcess, bot_env
from testkit.emulator import DiscordEmulator
from tests.e2e.publishing_helpers import finished, long_chapter, upload_story

pytestmark = [pytest.mark.e2e, pytest.mark.emulator(time_scale=10.0)]

STORY = b"# Secret Keeper\n\n## Chapter 1\n\nWords.\n\n## Chapter 2\n\nMore words.\n"


def token_parts(token: str) -> list[str]:
    """The token and its long parts: a leaked half is still a leak."""
    return [token, *(part for part in token.split(".") if len(part) >= 20)]


def assert_no_token(text: str, token: str, where: str) -> None:
    """Fail naming `where` if any part of the token is in `text`."""
    for part in token_parts(token):
        assert part not in text, f"the token (or part of it) appears in {where}"


def everything_said(emu: DiscordEmulator) -> str:
    """Every message in the emulator's world (channels, threads, DMs, replies) as text."""
    return "\n".join(
        f"{m.text}\n{m.components}"
        for channel_id in list(emu.world.channel_messages)
        for m in emu.messages(channel_id)
    )


async def test_a_full_flow_logs_no_token_even_without_redaction(
    emulator: DiscordEmulator, chapterbot: ChapterBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, discord.py's HTTP and gateway included
    alice, bob = emulator.user("alice"), emulator.user("bob")
    general = emulator.channel("general")
    story = await upload_story(emulator, chapterbot, alice, "s.md", STORY, channel=general)
    emulator.faults.fail(method="POST", path=r"/channels/\d+/messages", status=502, times=1)
    emulator.faults.rate_limit(path=r"/channels/\d+/messages", times=1, retry_after=0.2)
    assert "✅" in await finished(await emulator.slash(alice, "publish", story=str(story.id)))
    await emulator.drop_gateway()
    await emulator.slash(bob, "next", story=str(story.id))
    await emulator.slash(bob, "next", story="no such story")
    # A refused upload and a publish into a channel the bot cannot use: error paths.
    refused = await emulator.slash(alice, "story upload", file=emulator.upload("x.bin", b"\0" * 9))
    await refused.final() if refused.deferred else None
    emulator.faults.fail(method="POST", path=r"/channels/\d+/messages", status=403, times=5)
    failed = await emulator.slash(alice, "publish", story=str(story.id))
    assert "❌" in await finished(failed)

    records = list(caplog.records)
    assert records, "nothing was logged"
    assert any(r.name.startswith("discord") for r in records)
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        if record.exc_info and not record.exc_text:
            text += logging.Formatter().formatException(record.exc_info)
        assert_no_token(text, emulator.token, f"a log record of {record.name}")
    assert_no_token(everything_said(emulator), emulator.token, "a message the bot sent")


async def test_the_process_log_at_debug_never_holds_the_token(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    env = bot_env(
        token=emulator.token,
        api_base=emulator.api_base,
        gateway_url=emulator.gateway_url,
        database=tmp_path / "bot.db",
        log_level="DEBUG",
    )
    bot = BotProcess(env, tmp_path)
    try:
        await bot.start()
        alice, general = emulator.user("alice"), emulator.channel("general")
        upload = await emulator.slash(
            alice, "story upload", file=emulator.upload("long.md", long_chapter(3))
        )
        await upload.final(timeout=30)
        stories = [m for m in emulator.messages(general) if m.embeds]
        assert stories, "the upload was not answered"
        await emulator.slash(alice, "settings channel", story="A Long Night", channel="general")
        emulator.faults.fail(method="POST", path=r"/channels/\d+/messages", status=500, times=1)
        emulator.faults.rate_limit(is_global=True, times=2, retry_after=0.2)
        result = await emulator.slash(alice, "publish", story="A Long Night")
        assert "✅" in await finished(result, timeout=30)
        await emulator.drop_gateway()
        await asyncio.sleep(0.5)
        await emulator.slash(emulator.user("bob"), "next", story="A Long Night")
        assert await bot.terminate() == 0
    finally:
        await bot.ensure_dead()
    assert "DEBUG" in bot.log and "discord.http" in bot.log  # it really logged at DEBUG
    assert_no_token(bot.log, emulator.token, "the bot's stderr")
    assert_no_token(everything_said(emulator), emulator.token, "a message the bot sent")


@pytest.mark.parametrize(
    "token",
    [
        "MTAwMDAwMDAwMDAwMDAwMDAx.GEmuLa.a-wrong-but-well-shaped-token-000000",
        "not-a-token-but-a-secret-with-a-typo-0123456789",
    ],
    ids=["refused-by-discord", "malformed"],
)
async def test_a_refused_token_is_not_echoed(
    emulator: DiscordEmulator, tmp_path: Path, token: str
) -> None:
    env = bot_env(
        token=token,
        api_base=emulator.api_base,
        gateway_url=emulator.gateway_url,
        database=tmp_path / "bot.db",
        log_level="DEBUG",
    )
    bot = BotProcess(env, tmp_path)
    try:
        await bot.start(wait_ready=False)
        code = await bot.wait(timeout=30)
    finally:
        await bot.ensure_dead()
    assert code == 2, bot.log
    assert "token" in bot.log.lower()
    assert "Traceback" not in bot.log
    assert_no_token(bot.log, token, "the refusal")


def test_the_log_handler_redacts_a_token_in_messages_and_tracebacks() -> None:
    """The last line of defence: whatever a library logs, the handler blanks the token."""
    token = "MTAwMDAwMDAwMDAwMDAwMDAx.GEmuLa.emulator-token-for-tests-0000000000"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        setup_logging(logging.DEBUG, token)
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        log = logging.getLogger("tests.leaky")
        log.debug("Authorization: Bot %s", token)
        try:
            raise RuntimeError(f"request failed with headers {{'Authorization': 'Bot {token}'}}")
        except RuntimeError:
            log.exception("oops")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    output = stream.getvalue()
    assert "[redacted]" in output and "RuntimeError" in output
    assert_no_token(output, token, "the redacted log")
