"""ingest.runtime.pool: every item gets an outcome in order; a hanging or bloating item fails alone."""

from __future__ import annotations

import os
import sys
import time

import pytest

from ingest.runtime.pool import Limits, exceeded_memory, exceeded_time, run_limited


def imported(module: str) -> bool:
    """Test worker: whether ``module`` is imported in the worker when the item arrives."""
    return module in sys.modules


def behave(item: str) -> str:
    """Test worker: ``hang`` sleeps, ``bloat`` allocates without bound, ``boom`` raises,
    ``exit`` kills its own process; anything else comes back upper-cased."""
    if item == "hang":
        time.sleep(3600)
    if item == "bloat":
        hoard = []
        while True:
            hoard.append(bytearray(16 * 1024 * 1024))
    if item == "boom":
        raise ValueError("bad item")
    if item == "exit":
        os._exit(3)
    return item.upper()


def test_outcomes_in_order_with_progress():
    seen: list[tuple[int, int]] = []
    items = [f"r{i}" for i in range(12)]
    outcomes = list(run_limited(behave, items, Limits(seconds=30, memory_mb=512), workers=2,
                                on_progress=lambda done, total: seen.append((done, total))))
    assert [o.index for o in outcomes] == list(range(12))
    assert [o.value for o in outcomes] == [i.upper() for i in items]
    assert all(o.failure is None for o in outcomes)
    assert [d for d, _ in seen] == list(range(1, 13)) and {t for _, t in seen} == {12}


def test_a_hanging_item_fails_alone_and_the_rest_go_on():
    limits = Limits(seconds=1.5, memory_mb=512)
    started = time.monotonic()
    outcomes = list(run_limited(behave, ["a", "hang", "b", "hang", "c"], limits, workers=2))
    assert time.monotonic() - started < 15
    assert [o.value for o in outcomes] == ["A", None, "B", None, "C"]
    assert [o.failure for o in outcomes] == [None, "parse exceeded 1.5 s", None, "parse exceeded 1.5 s", None]
    assert exceeded_time(limits) == "parse exceeded 1.5 s"


def test_a_bloating_item_is_stopped_at_the_memory_limit():
    limits = Limits(seconds=60, memory_mb=200)
    outcomes = list(run_limited(behave, ["a", "bloat", "b"], limits, workers=1))
    assert [o.value for o in outcomes] == ["A", None, "B"]
    assert outcomes[1].failure == exceeded_memory(limits) == "parse exceeded 200 MB"


def test_errors_and_dead_workers_become_failures():
    outcomes = list(run_limited(behave, ["boom", "exit", "ok"], Limits(seconds=30, memory_mb=512), workers=1))
    assert outcomes[0].failure == "parse error: ValueError: bad item"
    assert outcomes[1].failure == "parse worker died (exit code 3)"
    assert outcomes[2].value == "OK"


@pytest.mark.parametrize("bad", [dict(seconds=0), dict(seconds=float("nan")), dict(seconds=float("inf")),
                                 dict(seconds=-1), dict(memory_mb=0), dict(memory_mb=-5)])
def test_limits_must_be_positive_and_finite(bad):
    with pytest.raises(ValueError):
        Limits(**bad)


def test_preloaded_modules_are_imported_before_the_first_item():
    """What a worker needs loaded (the parser's gazetteer) is loaded before it takes an item, so
    it is not counted in the item's time budget."""
    limits = Limits(seconds=30, memory_mb=512)
    assert [o.value for o in run_limited(imported, ["colorsys"], limits, workers=1)] == [False]
    assert [o.value for o in run_limited(imported, ["colorsys"], limits, workers=1, preload=["colorsys"])] == [True]


def test_large_items_and_results_never_deadlock_the_pipe():
    """A worker reads the item sent ahead only after sending its result: items and results larger
    than the pipe's buffer once blocked both ends for good (a 2 MB report hung a refresh)."""
    items = [f"报告{i}" * 1_000_000 for i in range(4)]
    outcomes = list(run_limited(behave, items, Limits(seconds=120, memory_mb=1024), workers=1))
    assert [o.value for o in outcomes] == [item.upper() for item in items]
