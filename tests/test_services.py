"""Services are built once and shared; cogs find each other only through events and registries."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A use case or repository constructed in a cog: it must come from `bot.services` instead.
CONSTRUCTED = re.compile(
    r"\b(Authoring|ReadingService|FeedbackService|PublishingService|\w+Repository)\("
)


def sources(*folders: str) -> dict[str, str]:
    """Every Python file under the folders, by path relative to the repository."""
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def test_no_cog_looks_another_up_by_name() -> None:
    found = [path for path, text in sources("bot", "cogs", "testkit").items() if "get_cog(" in text]
    assert found == []


def test_cogs_build_no_services_or_repositories() -> None:
    found = {
        path: CONSTRUCTED.findall(text)
        for path, text in sources("cogs").items()
        if CONSTRUCTED.search(text)
    }
    assert found == {}


def test_feature_cogs_do_not_import_each_other() -> None:
    """`cogs/<feature>/` imports only itself and the shared `cogs/*.py` helpers."""
    features = {p.name for p in (ROOT / "cogs").iterdir() if (p / "__init__.py").exists()}
    sideways = []
    for path, text in sources("cogs").items():
        parts = Path(path).parts
        if len(parts) < 3:
            continue  # a shared helper module
        own = parts[1]
        for other in re.findall(r"^\s*(?:from|import) cogs\.(\w+)", text, re.MULTILINE):
            if other in features and other != own:
                sideways.append(f"{path} -> cogs.{other}")
    assert sideways == []
