"""Find where a rendered chapter may be cut into pages, and what each page costs.

Positions are indexes into `RenderedChapter.text`. A cut is a pair `(end, next_begin)`: the page
before it stops at `end`, the next starts at `next_begin`, and whatever lies between (whitespace,
the markers touching it, a `> ` prefix) is dropped. Gaps are found with small regex windows
around the spot asked about, never by scanning the whole chapter.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from bot.stories.inline import QUOTE_PREFIX, closer, opener, separated
from bot.stories.render import RenderedChapter

_WS = re.compile(r"\s+")
# A gap: whitespace, then any `> ` quote prefixes (with blank quoted lines) that follow it.
_GAP = re.compile(r"\s+(?:> \s*)*")
_SENTENCE_END = frozenset(".!?…。！？")
_CLOSING = frozenset("\"'”’»)]")
# Characters that belong to the one before them; a cut inside a long word avoids them.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f") | {chr(c) for c in range(0x1F3FB, 0x1F400)}
_WINDOW = 64
# What Discord reads as a header, subtext, quote or list item when it starts a line. Story text
# has these escaped at word starts only, so a cut inside a word must not leave one at a page's
# start (a quoted page starts with `> `, which would make `> # b` a quoted header).
_BLOCK_START = re.compile(r"(?:#{1,3}(?:\s|$)|-(?:#|\s|$)|>(?:>>)?(?:\s|$)|\d+\.(?:\s|$))")

Cut = tuple[int, int]


class CutFinder:
    """Cut points and page costs of one rendered chapter for one page limit."""

    def __init__(self, rendered: RenderedChapter, limit: int) -> None:
        self.text = rendered.text
        self.limit = limit
        trans = rendered.transitions
        self._t_starts = [t.start for t in trans]
        self._t_ends = [t.end for t in trans]
        self._t_stacks = [t.stack for t in trans]
        self._t_lens = [len(opener(t.stack)) for t in trans]
        self._t_close_first = [closer(t.stack)[:1] for t in trans]
        self._end_at = {t.end: t.start for t in trans}
        self._start_at = {t.start: t.end for t in trans}
        self._q_starts = [q[0] for q in rendered.quotes]
        self._q_ends = [q[1] for q in rendered.quotes]
        # Where the chapter's first word starts: after the `> ` of a chapter opening with a
        # quote, so that no cut inside that word leaves a page of just `> `.
        self._first_word = len(QUOTE_PREFIX) if self._q_starts[:1] == [0] else 0

    # --- page text and cost -------------------------------------------------------------

    def stack_at(self, pos: int) -> tuple[int, ...]:
        """Styles open at `pos` (a position outside any marker run)."""
        i = bisect_right(self._t_ends, pos) - 1
        return self._t_stacks[i] if i >= 0 else ()

    def reopen(self, begin: int) -> str:
        """What a page starting at `begin` needs in front: `> ` inside a quote, then openers."""
        return (QUOTE_PREFIX if self._quoted(begin) else "") + opener(self.stack_at(begin))

    def close(self, end: int) -> str:
        """The closers a page ending at `end` needs."""
        return separated(self.text[end - 1 : end], closer(self.stack_at(end)))

    def cost(self, begin: int, end: int) -> int:
        """Length of the page from `begin` to `end`."""
        return self._reopen_len(begin) + end - begin + self._close_len(end)

    def _marks_len(self, pos: int) -> int:
        """Length of the openers (= of the closers) of the styles open at `pos`."""
        i = bisect_right(self._t_ends, pos) - 1
        return self._t_lens[i] if i >= 0 else 0

    def _close_len(self, end: int) -> int:
        """Length of `close(end)` without building it."""
        i = bisect_right(self._t_ends, end) - 1
        if i < 0 or not self._t_lens[i]:
            return 0
        return self._t_lens[i] + (self.text[end - 1] == self._t_close_first[i])

    def _quoted(self, begin: int) -> bool:
        i = bisect_left(self._q_starts, begin) - 1
        return i >= 0 and begin < self._q_ends[i]

    def _reopen_len(self, begin: int) -> int:
        return (len(QUOTE_PREFIX) if self._quoted(begin) else 0) + self._marks_len(begin)

    def page(self, begin: int, end: int) -> str:
        """The text of the page from `begin` to `end`."""
        return self.reopen(begin) + self.text[begin:end] + self.close(end)

    # --- searches -----------------------------------------------------------------------

    def furthest_end(self, begin: int) -> Cut:
        """The cut ending the fullest page that starts at `begin`."""
        text = self.text
        room = begin + self.limit - self._reopen_len(begin)  # where end + closers must stop
        if room >= len(text):
            return len(text), len(text)
        best: Cut | None = None
        x = room
        while (i := self._last_space(x, begin)) is not None:
            gap = self._gap(i)
            if gap is None or gap[0] <= begin:
                break
            if gap[0] + self._close_len(gap[0]) <= room:
                best = gap[0], gap[1]
                break
            x = gap[2] - 1
        word = best[1] if best else max(begin, self._first_word)
        if best is None or self.cost(word, self._word_end(word)) > self.limit:
            split = self._split_forward(word, self._word_end(word), room)
            if split is not None:
                return split
        if best is None:
            raise AssertionError(f"no cut fits a page of {self.limit} from {begin}")
        return best

    def earliest_start(self, end: int) -> Cut:
        """`(begin, previous_end)` of the cut starting the fullest page that ends at `end`."""
        need = end + self._close_len(end) - self.limit  # begin - len(reopen(begin)) >= need
        if need <= 0:
            return 0, 0
        best: Cut | None = None
        y = need - 1
        while (i := self._next_space(y, end)) is not None:
            gap = self._gap(i)
            if gap is not None:
                if gap[1] >= end:
                    break
                if gap[1] - self._reopen_len(gap[1]) >= need:
                    best = gap[1], gap[0]
                    break
                y = gap[3]
            else:
                y = i + 1
        word = best[1] if best else end
        start = self._word_start(word)
        if best is None or self.cost(start, word) > self.limit:
            split = self._split_backward(start, word, need)
            if split is not None:
                return split
        if best is None:
            raise AssertionError(f"no cut fits a page of {self.limit} ending at {end}")
        return best

    def gaps_backwards(
        self, begin: int, end: int, min_cost: float
    ) -> Iterator[tuple[int, int, str]]:
        """Gaps ending a page from `begin` at or before `end`, latest first, while the page
        would still cost at least `min_cost`; each as `(end, next_begin, kind)`."""
        base = self._reopen_len(begin) - begin
        low = max(begin + 1, int(min_cost) - base - 24)
        spaces = [m.start() for m in _WS.finditer(self.text, low, min(len(self.text), end + 24))]
        seen = -1
        for i in reversed(spaces):
            gap = self._gap(i)
            if gap is None or gap[2] == seen or gap[0] > end:
                continue
            seen = gap[2]
            if gap[0] <= begin or base + gap[0] + self._close_len(gap[0]) < min_cost:
                return
            yield gap[0], gap[1], self._kind(gap)

    def last_paragraph_gap(self, begin: int, end: int, min_cost: float) -> Cut | None:
        """The latest paragraph boundary ending a page from `begin` at or before `end` that
        still costs at least `min_cost`."""
        text = self.text
        base = self._reopen_len(begin) - begin
        low = max(begin + 1, int(min_cost) - base - 24)
        high = min(len(text), end + 24)
        while high > low:
            i = max(text.rfind("\n\n", low, high), text.rfind("\n> \n", low, high))
            if i < 0:
                return None
            gap = self._gap(i)
            if gap is None or gap[0] <= begin or base + gap[0] + self._close_len(gap[0]) < min_cost:
                return None
            if gap[0] <= end:
                return gap[0], gap[1]
            high = gap[2]
        return None

    # --- helpers ------------------------------------------------------------------------

    def _gap(self, i: int) -> tuple[int, int, int, int] | None:
        """The gap around whitespace index `i`: (end, next_begin, region start, region end)."""
        text = self.text
        j = i
        while j > 0:
            c = text[j - 1]
            # A `>` after whitespace (or at the very start) is always our quote prefix: story
            # text has `>` escaped at word starts.
            if c.isspace() or (c == ">" and (j == 1 or text[j - 2].isspace())):
                j -= 1
            else:
                break
        if j == 0:
            return None  # the opening `> ` of a chapter that starts with a quote
        match = _GAP.match(text, j)
        stop = match.end() if match else i + 1
        return self._end_at.get(j, j), self._start_at.get(stop, stop), j, stop

    def _kind(self, gap: tuple[int, int, int, int]) -> str:
        newlines = self.text.count("\n", gap[2], gap[3])
        if newlines >= 2:
            return "paragraph"
        if newlines == 1:
            return "line"
        return "sentence" if self._ends_sentence(gap[0]) else "word"

    def _ends_sentence(self, end: int) -> bool:
        k = end - 1
        while k > 0 and end - k <= 3 and self.text[k] in _CLOSING:
            k -= 1
        return self.text[k] in _SENTENCE_END

    def _last_space(self, x: int, floor: int) -> int | None:
        """Index of the last whitespace character in (floor, x]."""
        high = x + 1
        width = _WINDOW
        while high > floor + 1:
            low = max(floor + 1, high - width)
            last = None
            for last in _WS.finditer(self.text, low, high):  # noqa: B007 - want the last match
                pass
            if last is not None:
                return last.end() - 1
            high, width = low, width * 4
        return None

    def _next_space(self, y: int, stop: int) -> int | None:
        """Index of the first whitespace character in [y, stop)."""
        match = _WS.search(self.text, max(y, 0), stop)
        return match.start() if match else None

    def _word_end(self, pos: int) -> int:
        i = self._next_space(pos, len(self.text))
        gap = self._gap(i) if i is not None else None
        return gap[0] if gap else len(self.text)

    def _word_start(self, pos: int) -> int:
        i = self._last_space(pos - 1, -1)
        gap = self._gap(i) if i is not None else None
        return gap[1] if gap else self._first_word

    def _split_forward(self, low: int, high: int, room: int) -> Cut | None:
        """The latest cut inside the word [low, high) with end + closers within `room`."""
        # Only a word of nothing but digits before `. ` has no cut that starts no block; there,
        # a page starting as a list item beats a page that cannot be cut at all.
        for avoid_blocks in (True, False):
            x = min(high - 1, room)
            while x > low:
                cut = self._inside(x, avoid_blocks)
                if low < cut[0] and cut[0] + self._close_len(cut[0]) <= room:
                    return cut
                x = min(x, cut[0]) - 1
        return None

    def _split_backward(self, low: int, high: int, need: int) -> Cut | None:
        """`(begin, previous_end)` of the earliest cut inside the word [low, high) whose page
        to the current end fits, i.e. begin - len(reopen(begin)) >= need."""
        for avoid_blocks in (True, False):
            x = max(low + 1, need)
            while x < high:
                cut = self._inside(x, avoid_blocks)
                if low < cut[0] and cut[1] < high and cut[1] - self._reopen_len(cut[1]) >= need:
                    return cut[1], cut[0]
                x = max(x, cut[1]) + 1
        return None

    def _inside(self, x: int, avoid_blocks: bool = True) -> Cut:
        """A valid cut at or just before `x` inside a word: never within a marker run, an
        escape pair or a joined emoji, nor (with `avoid_blocks`) where the next page would
        start with a header, quote or list marker."""
        text = self.text
        while True:
            i = bisect_right(self._t_starts, x) - 1
            if i >= 0 and x <= self._t_ends[i]:
                return self._t_starts[i], self._t_ends[i]  # skip the whole marker run
            backslashes = 0
            while x - 1 - backslashes >= 0 and text[x - 1 - backslashes] == "\\":
                backslashes += 1
            joined = text[x] in _JOINERS or text[x - 1] == "\u200d"
            block = avoid_blocks and _BLOCK_START.match(text, x) is not None
            if backslashes % 2 or joined or block or unicodedata.combining(text[x]):
                x -= 1
                continue
            return x, x
