"""The Dockerfile and compose.yaml keep their essentials (no Docker engine needed to check)."""

from __future__ import annotations

from pathlib import Path

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
