"""`chapterbot rotate-note-key` from the command line: listed in --help, one line, exit codes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.__main__ import build_parser, main


def test_rotate_note_key_is_in_help() -> None:
    assert "rotate-note-key" in build_parser().format_help()


def test_rotate_note_key_needs_a_key_file_then_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NOTE_KEY", raising=False)
    monkeypatch.delenv("NOTE_KEY_FILE", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    env_file = tmp_path / "absent.env"
    assert main(["--env-file", str(env_file), "rotate-note-key"]) == 2
    assert "no note key file" in capsys.readouterr().err
    key_file = tmp_path / "note.key"
    key_file.write_text("a" * 64 + "\n")
    assert main(["--env-file", str(env_file), "rotate-note-key"]) == 0
    assert "re-keyed 0 notes" in capsys.readouterr().out
    assert key_file.read_text().strip() != "a" * 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
