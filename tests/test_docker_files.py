"""The Dockerfile and compose.yaml keep their essentials (no Docker engine needed to check)."""

from __future__ import annotations

from pathlib import Path

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


def test_compose_essentials() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "    build: .\n" in text and "    env_file: .env\n" in text
    assert "      - chapterbot-data:/data\n" in text
    # PostgreSQL is opt-in: its service only starts with --profile postgres.
    postgres = text.split("  postgres:\n", 1)[1]
    assert '    profiles: ["postgres"]\n' in postgres
