"""The `/stats` chart: readers per chapter as bars, retention as a line on a second axis.

matplotlib is imported inside `draw_stats_chart` only (with the Agg backend), so the bot starts
fast and never needs a display; nothing else in the bot pays for it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.feedback.stats import StoryStats
from bot.i18n import SOURCE, Speaker
from bot.text import clip

# Past this many chapters the x labels would overlap; show every n-th one.
MAX_X_LABELS = 30


@dataclass(frozen=True)
class Chart:
    """A drawn chart: the PNG bytes and the data read back from the axes it was drawn on."""

    png: bytes
    chapters: tuple[int, ...]
    bar_heights: tuple[int, ...]
    retention: tuple[float | None, ...]


def draw_stats_chart(stats: StoryStats, t: Speaker = SOURCE) -> Chart:
    """Draw the chart of `stats` as a PNG, labelled in `t`'s language (CPU-bound: run it in
    a thread from async code)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    numbers = [c.number for c in stats.chapters]
    readers = [c.readers for c in stats.chapters]
    retention = [c.retention for c in stats.chapters]
    positions = list(range(len(numbers)))

    # A Figure (not pyplot) keeps no global state, so concurrent /stats calls can't mix.
    figure = Figure(figsize=(max(6.0, min(16.0, 0.35 * len(numbers) + 4)), 4.0), dpi=100)
    bars_axes = figure.add_subplot()
    readers_label = t.gettext("Readers")
    bars = bars_axes.bar(positions, readers, color="#5865F2", label=readers_label)
    bars_axes.set_xlabel(t.pgettext("chapter heading", "Chapter"))
    bars_axes.set_ylabel(readers_label)
    # "$" would start matplotlib mathtext.
    bars_axes.set_title(clip(stats.story.title, 60).replace("$", r"\$"))
    step = max(1, -(-len(numbers) // MAX_X_LABELS))
    bars_axes.set_xticks(positions[::step], [str(n) for n in numbers[::step]])
    bars_axes.set_ylim(0, max(readers, default=0) * 1.15 + 1)

    line_axes = bars_axes.twinx()
    retention_label = t.gettext("Retention vs chapter 1 (%)")
    shown = [(p, r) for p, r in zip(positions, retention, strict=True) if r is not None]
    if shown:
        line_axes.plot(
            [p for p, _ in shown],
            [r for _, r in shown],
            color="#ED4245",
            marker="o",
            label=retention_label,
        )
    line_axes.set_ylim(0, 105)
    line_axes.set_ylabel(retention_label)
    handles = [bars, *line_axes.get_lines()]
    bars_axes.legend(handles=handles, loc="upper right", fontsize="small")
    figure.tight_layout()

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    # Read the drawn data back from the artists, so callers can check what was drawn.
    drawn_heights = tuple(round(patch.get_height()) for patch in bars.patches)
    drawn_line = _line_values(line_axes, positions)
    return Chart(buffer.getvalue(), tuple(numbers), drawn_heights, drawn_line)


def _line_values(axes: object, positions: list[int]) -> tuple[float | None, ...]:
    lines = axes.get_lines()  # type: ignore[attr-defined]
    if not lines:
        return tuple(None for _ in positions)
    xs, ys = lines[0].get_xdata(), lines[0].get_ydata()
    by_x = {int(x): float(y) for x, y in zip(xs, ys, strict=True)}
    return tuple(by_x.get(p) for p in positions)
