"""The architecture's rules, checked on the source: layering, no import loops, small modules.

See docs/architecture.md. These read the code with `ast`; nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "cogs")
MAX_LINES = 400
# Only these modules of the domain may talk to discord.py: the client, the CLI that starts it,
# and the error reporter the command tree calls. Everything else Discord-specific is in cogs/.
DISCORD_ALLOWED = {"bot.client", "bot.__main__", "bot.app_errors"}
# The composition root loads the cog extensions; no other module of bot/ may know cogs/ exist.
COMPOSITION_ROOT = {"bot.client", "bot.__main__"}
SQL_WORDS = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE")


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


MODULES = dict(_modules())


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports, at any depth (lazy imports in functions count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from module import thing` imports the module; `from pkg import module` imports that
            # module *and* runs pkg's __init__, which is how a package re-exporting its own
            # submodules closes a loop.
            targets = [base]
            targets += [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
        else:
            continue
        for target in targets:
            # `from pkg import module` names a module; `from module import thing` does not.
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycle_from(start: str) -> list[str] | None:
    """A path start -> ... -> start through the import graph, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in GRAPH.get(node, ()):
            # Importing a package runs its __init__, but a module inside a package importing its
            # own package's __init__ (that re-exports it) is the usual shape, not a loop.
            if nxt == start:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_the_import_graph_was_read() -> None:
    assert "bot.client" in GRAPH and "cogs.common" in GRAPH
    assert "bot.config" in GRAPH["bot.client"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_loops(module: str) -> None:
    cycle = _cycle_from(module)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_domain_never_imports_cogs() -> None:
    upward = {
        name: sorted(t for t in targets if t.startswith("cogs"))
        for name, targets in GRAPH.items()
        if name.startswith("bot") and name not in COMPOSITION_ROOT
    }
    assert {name: t for name, t in upward.items() if t} == {}


def test_discord_only_in_the_allowed_domain_modules() -> None:
    offenders = []
    for name, path in MODULES.items():
        if not name.startswith("bot") or name in DISCORD_ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "discord" or n.startswith("discord.") for n in names):
                offenders.append(name)
    assert offenders == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by concept"


def test_no_get_cog_anywhere() -> None:
    users = [n for n, p in MODULES.items() if "get_cog(" in p.read_text(encoding="utf-8")]
    assert users == []


def test_no_sql_in_cogs() -> None:
    offenders = []
    for name, path in MODULES.items():
        if not name.startswith("cogs"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.upper()
                if (any(word in text for word in SQL_WORDS) and " FROM " in f" {text} ") or (
                    "INSERT INTO" in text or "CREATE TABLE" in text
                ):
                    offenders.append(f"{name}: {node.value[:60]!r}")
    assert offenders == []
