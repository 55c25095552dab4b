"""What the machine itself is doing while a benchmark measures: busy CPU, steal, speed.

The load benchmarks compare two runs made one after the other on a shared 2-core virtual
machine; these readings tell a fair comparison from one the machine disturbed.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from pathlib import Path
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # per second, /proc


def _cpu_ticks() -> list[int]:
    """The machine's CPU time counters (user, nice, system, idle, iowait, irq, softirq,
    steal, ...) in clock ticks, from /proc/stat; [] where there is none."""
    try:
        return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return []


def system_busy_seconds() -> float:
    """CPU seconds all processes on this machine have been busy (non-idle), from /proc/stat."""
    fields = _cpu_ticks()
    if len(fields) < 4:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def steal_seconds() -> float:
    """CPU seconds the host of this virtual machine has taken from it (0 on bare metal).

    Time stolen during a measured run is time the measured processes were ready and not
    running: a run with seconds of it is disturbed, whatever its ratios say.
    """
    fields = _cpu_ticks()
    return fields[7] / CLOCK_TICKS if len(fields) > 7 else 0.0


class SpeedProbe:
    """How much CPU a fixed bit of Python takes on this machine, sampled while a side runs.

    This virtual machine's host switches it between fast and slow periods that steal time does
    not show: the same loop takes about 1.0 or 1.6 ms of CPU, for seconds at a time. A side
    measured mostly in slow periods is slower for that reason alone, so each side records the
    probe's median (`probe_cpu_ms`) and a run whose sides differ much was not a fair comparison.
    Thread CPU time, not wall time, so the load being measured does not inflate it; one sample
    every `every_s` costs well under 1% of a core.
    """

    LOOP = 20_000

    def __init__(self, every_s: float = 0.1) -> None:
        self.every_s = every_s
        self.samples_ms: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="speed-probe", daemon=True)

    def __enter__(self) -> SpeedProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            started = time.thread_time()
            total = 0
            for i in range(self.LOOP):
                total += i * i % 7
            self.samples_ms.append((time.thread_time() - started) * 1000)

    def median_ms(self) -> float:
        """The median sample, in ms of CPU (0 without samples)."""
        return round(statistics.median(self.samples_ms), 3) if self.samples_ms else 0.0


#: A side whose speed probe differs from the floor's by more than this ran on a different
#: machine, in effect (fair runs so far differed by up to ~10%; unfair ones by 23-33%).
PROBE_TOLERANCE = 0.15
#: CPU seconds the host may take from one side before its latencies say more about the host.
STEAL_TOLERANCE_S = 0.2
#: Two floors measured around one side whose p99s differ by more than this bracket a machine
#: that changed speed meanwhile: their mean is then a guess at what the floor was in between.
FLOOR_DRIFT_TOLERANCE = 0.25


def unfair_reasons(floor: dict[str, Any], sides: dict[str, dict[str, Any]]) -> list[str]:
    """Why comparing each of `sides` with the `floor` side is not fair (empty when it is).

    Informative only: a benchmark's targets and verdict do not change, but its summary says so,
    so that a reader need not check probes and steal by hand.
    """
    reasons = [
        f"{side['steal_s']} s stolen from the {name} side"
        for name, side in {"floor": floor, **sides}.items()
        if side.get("steal_s", 0.0) > STEAL_TOLERANCE_S
    ]
    base = floor.get("probe_cpu_ms") or 0.0
    for name, side in sides.items():
        probe = side.get("probe_cpu_ms") or 0.0
        if base and probe and abs(probe / base - 1) > PROBE_TOLERANCE:
            reasons.append(f"the {name} side's speed probe {probe / base - 1:+.0%} of the floor's")
    return reasons


def bracket_floor(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The floor to compare a side measured between the floor runs `before` and `after` with:
    their mean latencies and probe, the larger of their steal (a machine drifting evenly
    affects the side as much as the mean of the floors around it)."""
    mean = {
        key: round((before.get(key, 0.0) + after.get(key, 0.0)) / 2, 3)
        for key in ("p50_ms", "p99_ms", "probe_cpu_ms")
    }
    return mean | {"steal_s": max(before.get("steal_s", 0.0), after.get("steal_s", 0.0))}


def drift_reason(name: str, before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """Why the floors around `name`'s side disagree too much to stand for it, if they do."""
    first, second = before.get("p99_ms") or 0.0, after.get("p99_ms") or 0.0
    if first and second and abs(second / first - 1) > FLOOR_DRIFT_TOLERANCE:
        return f"the floor's p99 went from {first} to {second} ms around the {name} side"
    return None


def verdict(met: bool, reasons: list[str]) -> str:
    """The summary's verdict, with why the run was not a fair one where it was not."""
    text = "targets met" if met else "TARGETS MISSED"
    return f"{text} (not a fair run: {'; '.join(reasons)})" if reasons else text
