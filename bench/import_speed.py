"""`import`: how fast a story file becomes pages, and how close the page count is to the minimum.

Datasets: Moby-Dick (EPUB, ../shared/corpus) and a synthetic plain-text novel of 1,000,000 words
generated deterministically in memory (chapters, dialogue, *italics*, scene breaks). For each:
the median seconds of import + render + paginate in the `text` style, pinned to one core; the
plain-text MB per second that makes; and, for both styles, pages against the lower bound
(sum over chapters of ceil(chars / limit)).

Also every real-world download in ../shared/realworld (AO3, FanFicFare, Gutenberg, Standard
Ebooks, pandoc, Markdown), once each.

Targets: Moby-Dick in under 0.3 s; every real-world file in under 1 s; pages / lower bound
<= 1.10 everywhere.
`--smoke` runs once, on Moby-Dick, or on a 50,000-word synthetic text when the corpus is absent.
"""

from __future__ import annotations

import random
from typing import Any

from bench.common import CORPUS, median_seconds, one_core, timed
from bot.stories.importers import import_story
from bot.stories.model import Story
from bot.stories.paginate import STYLE_LIMITS, lower_bound, paginate
from bot.stories.render import render_story

NAME = "import"
DESCRIPTION = "import + render + paginate speed, and pages / lower bound, per style"
MOBY_DICK = "moby-dick.epub"
SYNTHETIC_WORDS = 1_000_000
SMOKE_SYNTHETIC_WORDS = 50_000
RUNS = {MOBY_DICK: 5, "synthetic": 3}
TARGET_SECONDS = {MOBY_DICK: 0.3}
REALWORLD = CORPUS.parent / "realworld"
REALWORLD_SECONDS = 1.0
_REALWORLD_SUFFIXES = (".epub", ".html", ".txt", ".md")
TARGET_RATIO = 1.10

_VOCAB_TEXT = (
    "the a an and of to in that it was he she they his her whale sea ship captain harpoon "
    "deck wind sail rope oil night storm crew voyage ocean wave boat mast sky said looked "
    "went came turned saw thought never always again suddenly slowly quietly Ahab Ishmael "
    "Queequeg Starbuck Stubb Flask Pequod Nantucket leviathan"
)
_VOCAB = _VOCAB_TEXT.split()


def synthetic_text(words: int, seed: int = 1851) -> bytes:
    """A deterministic plain-text novel of about `words` words, in the importer's layout."""
    rng = random.Random(seed)
    lines = ["Synthetic Voyage by Bench Writer", ""]
    written, chapter = 0, 0
    while written < words:
        chapter += 1
        lines += [f"Chapter {chapter}: Leg {chapter}", ""]
        for paragraph in range(rng.randint(15, 40)):
            if paragraph and rng.random() < 0.04:
                lines += ["* * *", ""]
            lines += [_paragraph(rng), ""]
            written += len(lines[-2].split())
    return "\n".join(lines).encode("utf-8")


def _paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(1, 9)):
        words = rng.choices(_VOCAB, k=rng.randint(4, 28))
        words[0] = words[0].capitalize()
        if rng.random() < 0.15:
            i = rng.randrange(len(words))
            words[i] = f"*{words[i]}*"
        sentence = " ".join(words) + rng.choice(".....!?")
        sentences.append(f"“{sentence}”" if rng.random() < 0.2 else sentence)
    return " ".join(sentences)


def measure(filename: str, raw: bytes, runs: int) -> dict[str, Any]:
    """Time the pipeline on one file and count its pages in every style."""

    def pipeline() -> Story:
        story = import_story(raw, filename)
        for chapter in render_story(story):
            paginate(chapter, STYLE_LIMITS["text"])
        return story

    with one_core() as pinned:
        seconds, every_run, story = median_seconds(pipeline, runs)
        import_seconds, _ = timed(lambda: import_story(raw, filename))
        render_seconds, rendered = timed(lambda: render_story(story))
    text_mb = sum(len(ch.text.encode("utf-8")) for ch in story.chapters) / 1e6
    styles = {}
    for style, limit in STYLE_LIMITS.items():
        pages = sum(len(paginate(chapter, limit)) for chapter in rendered)
        bound = lower_bound(rendered, limit)
        styles[style] = {
            "limit": limit,
            "pages": pages,
            "lower_bound": bound,
            "ratio": round(pages / bound, 4),
        }
    return {
        "file": filename,
        "source_mb": round(len(raw) / 1e6, 3),
        "text_mb": round(text_mb, 3),
        "chapters": len(story.chapters),
        "words": story.word_count,
        "rendered_chars": sum(ch.chars for ch in rendered),
        "runs": len(every_run),
        "seconds": round(seconds, 4),
        "seconds_each": [round(s, 4) for s in every_run],
        "import_seconds": round(import_seconds, 4),
        "render_seconds": round(render_seconds, 4),
        "mb_per_s": round(text_mb / seconds, 2),
        "pinned_to_one_core": pinned,
        "styles": styles,
    }


def _datasets(smoke: bool) -> list[tuple[str, bytes, int]]:
    moby = CORPUS / MOBY_DICK
    datasets = []
    if moby.exists():
        datasets.append((MOBY_DICK, moby.read_bytes(), 1 if smoke else RUNS[MOBY_DICK]))
    if not smoke or not datasets:
        words = SMOKE_SYNTHETIC_WORDS if smoke else SYNTHETIC_WORDS
        runs = 1 if smoke else RUNS["synthetic"]
        datasets.append((f"synthetic-{words}-words.txt", synthetic_text(words), runs))
    if not smoke and REALWORLD.is_dir():
        for path in sorted(REALWORLD.iterdir()):
            if path.suffix in _REALWORLD_SUFFIXES and path.name != "SOURCES.md":
                datasets.append((path.name, path.read_bytes(), 1))
    return datasets


def _target(name: str) -> float:
    """Seconds allowed for a dataset: its own target, 1 s for a real file, none for synthetic."""
    if name in TARGET_SECONDS:
        return TARGET_SECONDS[name]
    return float("inf") if name.startswith("synthetic-") else REALWORLD_SECONDS


def run(smoke: bool = False) -> dict[str, Any]:
    """Measure every dataset; `targets_met` says whether all targets hold."""
    results = [measure(name, raw, runs) for name, raw, runs in _datasets(smoke)]
    met = all(
        style["ratio"] <= TARGET_RATIO for r in results for style in r["styles"].values()
    ) and all(r["seconds"] < _target(r["file"]) for r in results)
    return {
        "benchmark": NAME,
        "smoke": smoke,
        "corpus_found": (CORPUS / MOBY_DICK).exists(),
        "targets": {"seconds": TARGET_SECONDS, "ratio": TARGET_RATIO},
        "datasets": results,
        "targets_met": met,
    }


def summary(result: dict[str, Any]) -> str:
    """Key numbers for the results table."""
    parts = []
    for r in result["datasets"]:
        ratios = ", ".join(f"{s} {v['ratio']:.3f}" for s, v in r["styles"].items())
        parts.append(
            f"{r['file']}: {r['seconds']:.3f} s median of {r['runs']} "
            f"({r['mb_per_s']:.1f} MB/s of text), pages/bound {ratios}"
        )
    verdict = "targets met" if result["targets_met"] else "TARGETS MISSED"
    return "; ".join(parts) + f" — {verdict}"
