"""The files a self-hoster meets first: .env.example, .dockerignore, the Dockerfile."""

from __future__ import annotations

from pathlib import Path

from dotenv import dotenv_values

from bot.config import DEFAULT_DATABASE_URL, Settings

REPO = Path(__file__).resolve().parents[1]
TOKEN = "A" * 24 + ".abcdef." + "B" * 27


def test_env_example_leaves_the_database_to_the_default_or_the_image() -> None:
    values = dotenv_values(REPO / ".env.example")
    assert "DATABASE_URL" not in values  # commented: Docker's ENV DATABASE_URL must stand
    settings = Settings.from_env({"DISCORD_TOKEN": TOKEN}, env_file=REPO / ".env.example")
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///data/chapterbot.db"
    in_docker = Settings.from_env(
        {"DISCORD_TOKEN": TOKEN, "DATABASE_URL": "sqlite:////data/chapterbot.db"},
        env_file=REPO / ".env.example",
    )
    assert in_docker.database_url == "sqlite:////data/chapterbot.db"


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    for entry in (".env", ".venv", "data/", ".git", ".pytest_cache", ".ruff_cache", "__pycache__"):
        assert entry in ignored, entry


def test_dockerfile_runs_as_non_root_with_a_volume_and_a_healthcheck() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert "USER chapterbot" in text and 'VOLUME ["/data"]' in text
    assert "DATABASE_URL=sqlite:////data/chapterbot.db" in text
    assert "HEALTHCHECK" in text and 'CMD ["chapterbot", "health"]' in text


def test_every_runtime_dependency_has_an_upper_bound() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        if requirement.startswith("tzdata"):
            continue  # time-zone data must stay current
        assert "~=" in requirement or "<" in requirement, requirement
