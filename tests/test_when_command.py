"""`chapterbot when`: the JSON contract, and one-line refusals with exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.when_command import run_when

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-11-25T10:00:00Z"  # a Wednesday


def when(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    """Run `chapterbot when ARGS --json` in process: status, parsed stdout, stderr."""
    status = run_when([*args, "--json"])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if out.strip() else {}), err


def test_the_json_contract_for_a_repeat_without_a_first_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, result, err = when(
        capsys, "", "--repeat", "every other friday 18:00", "--tz", "Europe/Paris", "--now", NOW
    )
    assert (status, err) == (0, "")
    assert result == {
        "first": "2026-11-27T18:00:00+01:00",
        "next": [
            "2026-12-11T18:00:00+01:00",
            "2026-12-25T18:00:00+01:00",
            "2027-01-08T18:00:00+01:00",
            "2027-01-22T18:00:00+01:00",
            "2027-02-05T18:00:00+01:00",
        ],
        "zone": "Europe/Paris",
        "phrase": "every other Friday at 18:00",
        "understood": "Fri 27 Nov 2026 18:00 CET",
    }


def test_a_one_off_has_no_next_runs_and_a_typed_zone_wins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, result, _ = when(capsys, "2027-07-01 18:00 CET", "--tz", "Asia/Tokyo", "--now", NOW)
    assert status == 0
    assert result["first"] == "2027-07-01T18:00:00+02:00"  # summer: CEST
    assert (result["next"], result["zone"]) == ([], "Europe/Paris")
    assert result["understood"] == "Thu 1 Jul 2027 18:00 CEST"


def test_the_locale_decides_slash_dates(capsys: pytest.CaptureFixture[str]) -> None:
    _, french, _ = when(capsys, "04/12/2027 18:00", "--locale", "fr", "--now", NOW)
    _, american, _ = when(capsys, "04/12/2027 18:00", "--now", NOW)
    assert french["first"] == "2027-12-04T18:00:00+00:00"
    assert american["first"] == "2027-04-12T18:00:00+00:00"
    status, _, err = when(capsys, "12/24/2026 6pm", "--locale", "en-US", "--now", NOW)
    assert status == 0 and err == ""


def test_when_and_repeat_together_and_count(capsys: pytest.CaptureFixture[str]) -> None:
    status, result, _ = when(
        capsys, "tomorrow 9am", "--repeat", "weekdays 9am", "--count", "3", "--now", NOW
    )
    assert status == 0
    assert result["first"] == "2026-11-26T09:00:00+00:00"
    assert result["next"] == [
        "2026-11-27T09:00:00+00:00",
        "2026-11-30T09:00:00+00:00",
        "2026-12-01T09:00:00+00:00",
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["every fridy 18:00"], 'did you mean "every friday 18:00"?'),
        (["friday 18:00", "--tz", "Europe/Pariss"], "europe/paris"),
        (["gibberish"], "can't read"),
        (["31.02.2027 18:00"], "no day 31 in february"),
        (["25:00"], "hours go from 0 to 23"),
        (["2020-01-01 10:00"], "in the past"),
        (["18:00", "--now", "yesterday"], "iso 8601"),
        (["18:00", "--count", "lots"], "whole number"),
        (["18:00", "--bogus"], "unrecognized arguments"),
        (["", "--repeat", "0 0 31 2 *"], "never happens"),
    ],
)
def test_refusals_are_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    status = run_when([*args, "--now", NOW] if "--now" not in args else args)
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and says in err.lower()
    assert "usage" not in err.lower()


def test_the_console_command_runs_it() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "when", "in two hours", "--now", NOW, "--json"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["first"] == "2026-11-25T12:00:00+00:00"
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "when", "every fridy 18:00"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1
