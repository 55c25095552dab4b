"""The command line: fast, clear failures before any network call; token never logged."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from bot.logs import RedactSecrets

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` with exactly `env` (plus PATH) in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_token_fails_at_once(tmp_path: Path) -> None:
    # An unroutable API base proves no network call is attempted: it would hang or error.
    result = run_cli("run", env={"DISCORD_API_BASE": "http://192.0.2.1/api/v10"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_malformed_token_fails_without_echoing_it(tmp_path: Path) -> None:
    result = run_cli("run", env={"DISCORD_TOKEN": "hunter2-secret"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "does not look like a bot token" in result.stderr
    assert "hunter2-secret" not in result.stderr + result.stdout


def test_token_is_read_from_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=short\n")
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "does not look like a bot token" in result.stderr


def test_redact_filter_removes_secret_from_message_and_traceback() -> None:
    secret = "MTIz.secret.token"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token=%s", (secret,), None)
    try:
        raise RuntimeError(f"boom {secret}")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    RedactSecrets(secret).filter(record)
    assert secret not in record.getMessage()
    assert secret not in (record.exc_text or "")
    assert "[redacted]" in record.getMessage()
