"""`kill -9` while posting a 30-page chapter, 20 seeded trials: every page exactly once, in order.

The trials themselves live in `tests/reliability/crash_trials.py` (shared with
`bench/crash_trials.py`, which runs 200 of them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.crash_trials import PAGES, STRATEGIES, run_trials

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SEED = 8
TRIALS = 20


@pytest.mark.timeout(300)
async def test_kill_9_at_random_moments_never_loses_or_repeats_a_page(tmp_path: Path) -> None:
    results, violations = await run_trials(TRIALS, seed=SEED, workdir=tmp_path, workers=5)
    assert len(results) == TRIALS
    failed = [f"trial {r.trial} ({r.strategy}): {r.detail}" for r in results if not r.ok]
    assert failed == []
    assert violations == []
    # The kills really landed mid-chapter, in every way, some trials more than once.
    assert {r.strategy for r in results} == set(STRATEGIES)
    mid = [r for r in results if 0 < r.posted_at_first_kill < r.pages]
    assert len(mid) >= TRIALS // 2, [(r.trial, r.posted_at_first_kill) for r in results]
    assert all(r.pages == PAGES for r in results)
    assert any(r.kills > 1 for r in results)
