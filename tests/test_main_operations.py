"""Operating the CLI as a newcomer: clear one-line errors, flags in --help (issue 17)."""

from __future__ import annotations

from pathlib import Path

from tests.test_main import run_cli


def test_migrate_into_an_unwritable_path_says_so_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory should be")
    url = f"sqlite:///{blocker / 'data' / 'chapterbot.db'}"
    result = run_cli("migrate", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("chapterbot: Could not create the database directory")
    assert str(blocker / "data") in lines[0]
    assert "Discord" not in result.stderr  # no misleading cause


def test_backup_refuses_a_missing_directory_unless_parents(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'chapterbot.db'}"}
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    target = tmp_path / "backups" / "nightly" / "copy.db"
    refused = run_cli("backup", str(target), env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "--parents" in refused.stderr
    assert not target.parent.exists()
    made = run_cli("backup", str(target), "--parents", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert target.is_file()
    again = run_cli("backup", str(target), env=env, cwd=tmp_path)
    assert again.returncode == 2 and "--overwrite" in again.stderr


def test_every_backup_flag_is_in_help(tmp_path: Path) -> None:
    result = run_cli("backup", "--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    for flag in ("--overwrite", "--parents"):
        assert flag in result.stdout
