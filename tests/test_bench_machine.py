"""bench.machine: telling a fair floor-versus-bot comparison from one the machine disturbed."""

from __future__ import annotations

from bench.machine import bracket_floor, drift_reason, unfair_reasons, verdict


def side(probe_ms: float, steal_s: float = 0.0) -> dict[str, float]:
    """The readings a load side records about the machine."""
    return {"probe_cpu_ms": probe_ms, "steal_s": steal_s}


def test_sides_at_the_same_speed_without_steal_are_a_fair_run() -> None:
    # 13:17's next_backends: probes 0.936 (floor), 0.908 and 0.901 ms, nothing stolen.
    assert unfair_reasons(side(0.936), {"sqlite": side(0.908), "postgres": side(0.901)}) == []
    assert verdict(True, []) == "targets met"
    assert verdict(False, []) == "TARGETS MISSED"


def test_a_slower_side_or_stolen_cpu_is_named() -> None:
    # 14:03's next_backends: the PostgreSQL side's probe 1.426 ms against the floor's 1.161.
    reasons = unfair_reasons(side(1.161), {"postgres": side(1.426)})
    assert reasons == ["the postgres side's speed probe +23% of the floor's"]
    # 14:01's: the host took 1.14 s from the floor's side.
    assert unfair_reasons(side(1.468, steal_s=1.14), {"bot": side(0.973)}) == [
        "1.14 s stolen from the floor side",
        "the bot side's speed probe -34% of the floor's",
    ]
    said = verdict(False, reasons)
    assert said.startswith("TARGETS MISSED (not a fair run: the postgres side's")


def test_missing_readings_make_no_claim() -> None:
    # A machine without /proc (no steal, no probe samples: 0) is not called unfair.
    assert unfair_reasons(side(0.0), {"bot": side(1.2)}) == []
    assert unfair_reasons({}, {"bot": {}}) == []


def floor_run(p50: float, p99: float, probe_ms: float, steal_s: float = 0.0) -> dict[str, float]:
    """A floor side's latencies and machine readings."""
    return {"p50_ms": p50, "p99_ms": p99} | side(probe_ms, steal_s)


def test_a_side_between_two_floors_is_compared_with_their_mean() -> None:
    before, after = floor_run(1.2, 2.0, 1.0), floor_run(1.4, 3.0, 1.2, steal_s=0.3)
    floor = bracket_floor(before, after)
    assert floor == {"p50_ms": 1.3, "p99_ms": 2.5, "probe_cpu_ms": 1.1, "steal_s": 0.3}
    # The side is judged against that floor: its probe matches the mean, the steal is named.
    assert unfair_reasons(floor, {"postgres": side(1.1)}) == ["0.3 s stolen from the floor side"]


def test_floors_that_moved_apart_around_a_side_are_named() -> None:
    assert drift_reason("postgres", floor_run(1.2, 2.0, 1.0), floor_run(1.2, 2.4, 1.0)) is None
    assert drift_reason("postgres", floor_run(1.2, 2.0, 1.0), floor_run(1.5, 3.0, 1.0)) == (
        "the floor's p99 went from 2.0 to 3.0 ms around the postgres side"
    )
    assert drift_reason("sqlite", {}, floor_run(1.2, 2.0, 1.0)) is None
