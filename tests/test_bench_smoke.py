"""`python -m bench all --smoke` runs every benchmark, prints one sane JSON object each and
records nothing; plus the results-table helpers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import BENCHMARKS
from bench.common import RESULTS_MARKER, append_result_row

REPO = Path(__file__).resolve().parents[1]
# `all --smoke` runs in the first test that asks for it: about 3 minutes with the sharding
# benchmarks' three setups (SQLite x1, PostgreSQL x1 and x2), more on a loaded machine.
pytestmark = pytest.mark.timeout(600)


def _postgres_env() -> dict[str, str]:
    """The PostgreSQL server the benchmarks' PostgreSQL rows use, when the tests have one."""
    names = ("BENCH_DATABASE_URL", "TEST_DATABASE_URL")
    return {name: os.environ[name] for name in names if os.environ.get(name)}


def _smoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args, "--smoke"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), **_postgres_env()},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=540,
    )


@pytest.fixture(scope="module")
def smoke_all() -> dict[str, dict]:
    """`python -m bench all --smoke` once: every benchmark's JSON object by name; the README
    must be left exactly as it was."""
    readme = REPO / "bench" / "README.md"
    before = readme.read_text(encoding="utf-8")
    result = _smoke("all")
    assert result.returncode == 0, result.stderr[-3000:]
    assert readme.read_text(encoding="utf-8") == before
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [data["benchmark"] for data in lines] == list(BENCHMARKS)
    for data in lines:
        assert data["smoke"] is True and isinstance(data["targets_met"], bool)
        assert data["machine"]["cores"] >= 1 and data["machine"]["python"].count(".") == 2
    return {data["benchmark"]: data for data in lines}


@pytest.mark.slow
def test_import_smoke_prints_sane_json(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["import"]
    assert data["datasets"], "no dataset measured"
    expected_file = "moby-dick.epub" if data["corpus_found"] else "synthetic-50000-words.txt"
    assert [d["file"] for d in data["datasets"]] == [expected_file]
    for dataset in data["datasets"]:
        assert dataset["chapters"] >= 1 and dataset["words"] > 10_000
        assert 0 < dataset["seconds"] < 60 and dataset["mb_per_s"] > 0
        assert dataset["text_mb"] > 0 and dataset["rendered_chars"] > 0
        assert set(dataset["styles"]) == {"text", "embed"}
        for style in dataset["styles"].values():
            assert style["pages"] >= style["lower_bound"] >= 1
            assert style["ratio"] == pytest.approx(style["pages"] / style["lower_bound"], 1e-3)
            assert style["ratio"] <= 1.10


def _sane_load(side: dict) -> None:
    assert side["sent"] == side["answered"] > 0
    assert side["late_or_missing"] == 0
    assert 0 < side["p50_ms"] <= side["p99_ms"] <= side["max_ms"]
    assert side["expected_answers"] == side["sent"], side["sample"]
    assert side["stopped"] == 0, "the process did not exit cleanly on SIGTERM"


@pytest.mark.slow
def test_next_load_smoke_compares_bot_and_floor(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["next_load"]
    _sane_load(data["bot"])
    _sane_load(data["floor"])
    assert data["seeded"]["progress_rows"] == data["plan"]["progress_rows"]
    assert data["bot_answered_with_pages"] is True
    assert data["p99_ratio"] == pytest.approx(
        data["bot"]["p99_ms"] / data["floor"]["p99_ms"], abs=1e-3
    )
    assert isinstance(data["unfair_because"], list)
    assert data["emulator_violations"] == []


@pytest.mark.slow
def test_memory_smoke_reuses_the_next_load_run(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["memory"]
    assert data["reused_next_load_run"] is True
    assert data["bot_rss_idle_mb"] == smoke_all["next_load"]["bot"]["rss_idle_mb"]
    assert data["bot_rss_idle_mb"] > 0 and data["bot_rss_after_load_mb"] > 0


@pytest.mark.slow
def test_throughput_smoke_climbs_for_both(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["throughput"]
    for side in (data["bot"], data["floor"]):
        assert side["answers_ok"] is True and side["steps"]
        assert side["max_rate"] in [s["rate"] for s in side["steps"]] + [0.0]


@pytest.mark.slow
def test_growth_smoke_measures_every_size(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["growth"]
    rows = [p["progress_rows"] for p in data["points"]]
    assert rows == sorted(rows) and len(rows) >= 2 and rows[0] < rows[-1]
    assert all(p["pages_ok"] and p["late_or_missing"] == 0 for p in data["points"])
    assert isinstance(data["p99_slope_ms_per_decade"], float)


@pytest.mark.slow
def test_posting_smoke_posts_every_page_once_in_order(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["posting"]
    assert data["posted"] == data["pages"] and data["pages_match_in_order"] is True
    assert data["429"] == 0
    assert data["wall_s"] > 0 and data["ratio"] == pytest.approx(
        data["wall_s"] / data["bound_s"], abs=1e-3
    )


@pytest.mark.slow
def test_release_precision_smoke_posts_each_release_once(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["release_precision"]
    lag = data["precision"]
    assert lag["posted"] == lag["releases"] and lag["missing"] == 0 and lag["duplicated"] == 0
    assert lag["lag_min_s"] <= lag["lag_p50_s"] <= lag["lag_p99_s"] <= lag["lag_max_s"]
    startup = data["startup"]
    assert startup["backlog"]["start_to_first_post_s"] is not None
    assert startup["reconciliation_s"] is not None


def _measured(data: dict) -> list[dict]:
    """The setups a sharding benchmark ran; the others must say why they were skipped."""
    for row in data["setups"]:
        assert "skipped" not in row or "PostgreSQL" in row["skipped"], row
    if _postgres_env():
        assert data["skipped"] == [], data["skipped"]
    return [row for row in data["setups"] if "skipped" not in row]


@pytest.mark.slow
def test_next_backends_smoke_measures_floor_sqlite_and_postgres(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["next_backends"]
    for name in ("floor", "sqlite", "floor_between"):
        _sane_load(data[name])
    _compared_with_its_floors(data, "sqlite", "floor", "floor_between")
    if "skipped" in data["postgres"]:
        assert not _postgres_env() and "PostgreSQL" in data["postgres"]["skipped"]
        assert "floor_after" not in data
    else:
        _sane_load(data["postgres"])
        _sane_load(data["floor_after"])
        _compared_with_its_floors(data, "postgres", "floor_between", "floor_after")
    assert data["emulator_violations"] == []


def _compared_with_its_floors(data: dict, name: str, before: str, after: str) -> None:
    """`name`'s p99 ratio is against the mean p99 of the floors measured around it."""
    floors = (data[before]["p99_ms"] + data[after]["p99_ms"]) / 2
    ratios = data["ratios"][name]
    assert ratios["floor_p99_ms"] == pytest.approx(floors, abs=1e-3)
    assert ratios["p99_ratio"] == pytest.approx(data[name]["p99_ms"] / floors, abs=2e-3)
    assert ratios["p99_ratio_each_floor"] == [
        pytest.approx(data[name]["p99_ms"] / data[side]["p99_ms"], abs=1e-3)
        for side in (before, after)
    ]


@pytest.mark.slow
def test_release_lag_smoke_posts_every_release_once_per_setup(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["release_lag"]
    rows = _measured(data)
    assert [r["setup"] for r in rows][:1] == ["sqlite x1"]
    for row in rows:
        assert row["posted"] == row["releases"] and row["missing"] == 0, row
        assert row["duplicated"] == 0 and row["429"] == 0 and row["violations"] == []
        assert row["lag_min_s"] <= row["lag_p50_s"] <= row["lag_p99_s"] <= row["lag_max_s"]
        assert row["stopped"] == [0] * row["processes"]


@pytest.mark.slow
def test_fleet_posting_smoke_posts_every_page_in_order(smoke_all: dict[str, dict]) -> None:
    data = smoke_all["fleet_posting"]
    for row in _measured(data):
        assert row["finished"] and row["posted"] == row["messages"], row
        assert row["pages_in_order"] is True and row["429"] == 0
        assert row["ratio"] == pytest.approx(row["wall_s"] / row["bound_s"], abs=1e-3)
        assert row["bound_s"] == max(row["channel_s"], row["global_s"])
        assert row["stopped"] == [0] * row["processes"]


def test_an_unknown_benchmark_is_refused() -> None:
    result = _smoke("no-such-benchmark")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_result_rows_go_above_the_marker(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# B\n\n| a | b | c | d |\n| - | - | - | - |\n{RESULTS_MARKER}\n")
    append_result_row("import", "2 cores", "x | y", date="2026-01-01 00:00", readme=readme)
    append_result_row("import", "2 cores", "z", date="2026-01-02 00:00", readme=readme)
    lines = readme.read_text().splitlines()
    marker = lines.index(RESULTS_MARKER)
    assert lines[marker - 2] == "| 2026-01-01 00:00 | import | 2 cores | x \\| y |"
    assert lines[marker - 1] == "| 2026-01-02 00:00 | import | 2 cores | z |"


def test_a_readme_without_the_table_gets_one(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n")
    append_result_row("import", "1 core", "fast", date="2026-01-01 00:00", readme=readme)
    text = readme.read_text()
    assert "## Results" in text and "| 2026-01-01 00:00 | import | 1 core | fast |" in text
    assert text.rstrip().endswith(RESULTS_MARKER)
