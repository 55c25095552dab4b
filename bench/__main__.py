"""`python -m bench all | <name> [--smoke]`: run benchmarks, print JSON, record results.

Each benchmark prints one JSON object (one line) on stdout. A full run also appends a row to the
results table in bench/README.md and exits 1 when a target was missed; `--smoke` runs in
seconds, records nothing and exits 0 unless something broke (it is what CI runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from bench import BENCHMARKS, load
from bench.common import append_result_row, machine_info, machine_label, print_json, utc_now


def build_parser() -> argparse.ArgumentParser:
    """The benchmark runner's argument parser."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("name", choices=["all", *BENCHMARKS], help="which benchmark to run")
    parser.add_argument("--smoke", action="store_true", help="quick run; record nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks; the exit status is 1 if a full run missed a target."""
    args = build_parser().parse_args(argv)
    names = list(BENCHMARKS) if args.name == "all" else [args.name]
    machine = machine_info()
    missed = False
    for name in names:
        module = load(name)
        date = utc_now()
        started = time.perf_counter()
        result = {"date": date, "machine": machine, **module.run(smoke=args.smoke)}
        # Wall time against the benchmark's budget (`BUDGET_S`), so `all` stays predictable.
        result["elapsed_s"] = round(time.perf_counter() - started, 1)
        result["budget_s"] = getattr(module, "BUDGET_S", None)
        print_json(result)
        if not args.smoke:
            append_result_row(name, machine_label(machine), module.summary(result), date=date)
            missed = missed or not result.get("targets_met", True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
