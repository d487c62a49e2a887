"""Find a regular expression's worst input and measure how its search time grows with the input.

A backtracking engine is quadratic when many start positions each scan a long stretch of the text
(``[0-9][0-9.,]*元`` over a million digits with no unit). The worst inputs are repetitions of short
pieces built from the pattern itself: its literal words and one character of every character class
it uses (and one outside it), alone and in pairs. :func:`worst_pieces` times every such piece on a
short text and keeps the slowest; :func:`growth` times one piece repeated ``n`` and ``10 n`` times (CPU
time, best of three, so other processes on the machine do not count): about 10 for a linear pattern,
about 100 for a quadratic one.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterable, Iterator
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

# Characters every piece list starts with: the genre's digits, separators, spaces and a Chinese character.
_BASE = ("1", "1,", "1.", " ", "\t", "\n", ",", ".", "%", ":", "|", "(", "-", "中", "年", "分", "元", "a")
_CATEGORY_CHARS = {
    C.CATEGORY_DIGIT: "1", C.CATEGORY_NOT_DIGIT: "x", C.CATEGORY_SPACE: " ", C.CATEGORY_NOT_SPACE: "x",
    C.CATEGORY_WORD: "a", C.CATEGORY_NOT_WORD: " ", C.CATEGORY_LINEBREAK: "\n", C.CATEGORY_NOT_LINEBREAK: "x",
}


def _set_chars(items: Iterable) -> Iterator[str]:
    for op, arg in items:
        if op is C.LITERAL:
            yield chr(arg)
        elif op is C.RANGE:
            yield chr(arg[0])
            yield chr(arg[1])
        elif op is C.CATEGORY:
            yield _CATEGORY_CHARS.get(arg, "x")


def _walk(tree: Iterable, chars: set[str], loops: set[str], words: set[str], in_loop: bool = False) -> None:
    """Collect the characters, the characters under an unbounded repeat, and the literal words of a
    parsed pattern."""
    run = ""
    for op, arg in tree:
        if op is C.LITERAL:
            run += chr(arg)
            chars.add(chr(arg))
            if in_loop:
                loops.add(chr(arg))
            continue
        if len(run) > 1:
            words.add(run)
        run = ""
        found: set[str] = set()
        if op is C.IN:
            found = set(_set_chars(arg))
        elif op is C.NOT_LITERAL or op is C.ANY:
            found = {"x" if arg != ord("x") else "y"}
        elif op is C.CATEGORY:
            found = {_CATEGORY_CHARS.get(arg, "x")}
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            _walk(arg[2], chars, loops, words, in_loop or arg[1] == C.MAXREPEAT)
        elif op is C.SUBPATTERN:
            _walk(arg[-1], chars, loops, words, in_loop)
        elif op is C.ATOMIC_GROUP:
            _walk(arg, chars, loops, words, in_loop)
        elif op is C.BRANCH:
            for branch in arg[1]:
                _walk(branch, chars, loops, words, in_loop)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            _walk(arg[1], chars, loops, words, in_loop)
        elif op is C.GROUPREF_EXISTS:
            for branch in arg[1:]:
                if branch is not None:
                    _walk(branch, chars, loops, words, in_loop)
        chars |= found
        if in_loop:
            loops |= found
    if len(run) > 1:
        words.add(run)


def pieces(pattern: re.Pattern) -> list:
    """Short inputs to repeat: the pattern's characters and words, and, for the characters an
    unbounded repeat can consume, pairs of them and each word followed by one of them."""
    source = pattern.pattern
    as_bytes = isinstance(source, bytes)
    text = source.decode("latin-1") if as_bytes else source
    chars: set[str] = set(_BASE)
    loops: set[str] = {"1", " "}
    words: set[str] = set()
    _walk(_parser.parse(text, pattern.flags & ~re.UNICODE if as_bytes else pattern.flags), chars, loops, words)
    chars = {c for c in chars if c.isprintable() or c in " \t\n"}
    loops = set(sorted(c for c in loops if c.isprintable() or c in " \t\n")[:24])
    words = set(sorted(words, key=lambda w: (-len(w), w))[:24])
    out = chars | words
    out |= {a + b for a, b in itertools.product(sorted(loops | {"中", "\n", ","}), repeat=2)}
    out |= {w + c for w in words for c in loops | {"中"}}
    if as_bytes:
        return sorted({p.encode("latin-1", "ignore") for p in out} - {b""})
    return sorted(out)


def _cpu(pattern: re.Pattern, text, reps: int = 3) -> float:
    best = float("inf")
    for _ in range(reps):
        started = time.process_time()
        for _ in pattern.finditer(text):
            pass
        best = min(best, time.process_time() - started)
    return best


def worst_pieces(pattern: re.Pattern, chars: int = 20_000, keep: int = 3) -> list:
    """The ``keep`` pieces whose repetition to about ``chars`` characters takes this pattern longest."""
    timed = sorted(((_cpu(pattern, p * max(1, chars // len(p)), reps=1), p) for p in pieces(pattern)),
                   key=lambda tp: -tp[0])
    return [p for _, p in timed[:keep]]


FLOOR_SECONDS = 0.002
"""Times under this are taken as this when comparing sizes (timer noise would dominate them)."""


def ladder(pattern: re.Pattern, piece, sizes: Iterable[int] = (10**4, 10**5, 10**6),
           limit: float = 30.0) -> list[tuple[int, float, float]]:
    """Time ``piece`` repeated each of ``sizes`` times (growing tenfold); per step (repetitions,
    seconds, growth over the step before). Stops at the first step whose growth exceeds ``limit``
    (about 10 is linear, 100 quadratic), after timing it again, so a quadratic pattern is never
    run on the next, far longer input."""
    steps: list[tuple[int, float, float]] = []
    before = None
    for n in sizes:
        text = piece * n
        seconds = _cpu(pattern, text, reps=1)
        ratio = seconds / max(before, FLOOR_SECONDS) if before is not None else 1.0
        if ratio > limit and seconds < 1.0:
            seconds = _cpu(pattern, text)
            ratio = seconds / max(before, FLOOR_SECONDS)
        steps.append((n, seconds, ratio))
        if ratio > limit:
            break
        before = seconds
    return steps
