"""Benchmarks for chapterbot: `python -m bench all | <name> [--smoke]`.

Each benchmark is a module with `NAME`, `DESCRIPTION`, `run(smoke) -> dict` (its JSON result,
with a `targets_met` flag) and `summary(result) -> str` (the "key numbers" for the results
table). Register a new one by adding its module to `BENCHMARKS`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# name -> module; kept in the order `all` runs them.
BENCHMARKS: dict[str, str] = {
    "import": "bench.import_speed",
    "next_load": "bench.next_load",
    "memory": "bench.memory",
    "throughput": "bench.throughput",
    "growth": "bench.growth",
    "posting": "bench.posting",
    "release_precision": "bench.release_precision",
    "crash_trials": "bench.crash_trials",
    "when": "bench.when_parse",
    "follow": "bench.follow",
    "next_backends": "bench.next_backends",
    "release_lag": "bench.release_lag",
    "fleet_posting": "bench.fleet_posting",
}


def load(name: str) -> ModuleType:
    """The module of the benchmark registered as `name` (KeyError if there is none)."""
    return importlib.import_module(BENCHMARKS[name])
