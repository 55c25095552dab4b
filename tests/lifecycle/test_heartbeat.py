"""`chapterbot health`: fresh, stale, never used, missing directory — and nothing created."""

from __future__ import annotations

from pathlib import Path

from bot.lifecycle.heartbeat import STALE_S, Heartbeat, check_health
from bot.storage import Database
from testkit.clock import Clock
from tests.test_main import run_cli


def test_missing_directory_is_unhealthy_and_stays_missing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nowhere' / 'chapterbot.db'}"
    result = run_cli("health", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_database_never_used_is_unhealthy_and_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chapterbot.db'}"
    result = run_cli("health", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 1 and "no database" in result.stderr
    assert not (tmp_path / "chapterbot.db").exists()


async def test_fresh_then_stale(db: Database, database_url: str) -> None:
    url = database_url  # the SQLite file, or this run's PostgreSQL database
    never = await check_health(url, now=1_000)
    assert not never.healthy and "never connected" in never.line
    await Heartbeat(db, clock=Clock(1_000)).beat()
    fresh = await check_health(url, now=1_000 + STALE_S)
    assert fresh.healthy, fresh.line
    stale = await check_health(url, now=1_001 + STALE_S)
    assert not stale.healthy and "last heartbeat" in stale.line
