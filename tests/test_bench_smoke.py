"""`python -m bench import --smoke` runs, prints one sane JSON object and records nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import RESULTS_MARKER, append_result_row

REPO = Path(__file__).resolve().parents[1]


def _smoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args, "--smoke"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.mark.slow
def test_import_smoke_prints_sane_json_and_leaves_the_readme_alone() -> None:
    readme = REPO / "bench" / "README.md"
    before = readme.read_text(encoding="utf-8")
    result = _smoke("import")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert data["benchmark"] == "import" and data["smoke"] is True
    assert data["machine"]["cores"] >= 1 and data["machine"]["python"].count(".") == 2
    assert isinstance(data["targets_met"], bool)
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
    assert readme.read_text(encoding="utf-8") == before


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
