"""Placement under the voice rule always ends: pairs that block one another in a cycle
are moved down a bounded number of times (a generated map once made it loop for minutes)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from evaluate_introductions import limited_pool, preferential_pairs  # noqa: E402
from generators import generate  # noqa: E402

from coalition.introductions.index import build_index  # noqa: E402
from coalition.introductions.placement import select  # noqa: E402


def test_the_voice_rule_never_defers_pairs_without_end() -> None:
    split = generate("homophily", n=150, seed=2)
    ix = build_index(split.view, today=split.today, seed=0)
    u, v, score = preferential_pairs(ix)
    pool, keep = limited_pool(ix, u, v)
    placed: list = []
    worker = threading.Thread(
        target=lambda: placed.extend(select(ix, pool, np.asarray(score[keep], dtype=float), 200)), daemon=True
    )
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "placement did not finish in 30 s"
    assert len(placed) == 200
    counts = np.zeros(ix.n, dtype=int)
    for c, _ in placed:
        counts[pool.u[c]] += 1
        counts[pool.v[c]] += 1
    assert (counts <= ix.remaining).all()
