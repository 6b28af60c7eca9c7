"""Under load: writer and reader threads share one store object for a bounded time, on
every backend. No error, no lost write (the counts add up exactly), every read sees one
consistent map, and the audit trail holds one entry per record written."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from coalition.maps.integrity import check
from graph.sqlite.store import SQLiteStore
from graph.store import Store

from .test_store_contract import org, tie

WRITERS = 4
READERS = 3
SECONDS = float(os.environ.get("COALITION_LOAD_SECONDS", "6"))


def test_writers_and_readers_share_a_store_without_loss_or_torn_reads(store: Store) -> None:
    start_seq = max((e["seq"] for e in store.audit(limit=1)), default=0)
    written: list[list[str]] = [[] for _ in range(WRITERS)]
    errors: list[BaseException] = []
    reads = [0] * READERS
    deadline = time.monotonic() + SECONDS
    stop = threading.Event()

    def writer(n: int) -> None:
        mine = written[n]
        try:
            while time.monotonic() < deadline and not stop.is_set():
                org_id = f"w{n}_{len(mine)}"
                ties = [tie(mine[-1], org_id)] if mine else []
                store.write_map(organizations=[org(org_id)], ties=ties, actor=f"writer-{n}")
                mine.append(org_id)
        except BaseException as e:  # noqa: BLE001 (reported by the main thread)
            errors.append(e)
            stop.set()

    def reader(n: int) -> None:
        last = {"organizations": 0, "ties": 0}
        try:
            while time.monotonic() < deadline and not stop.is_set():
                snap = store.snapshot()
                ids = {o["id"] for o in snap["organizations"]}
                dangling = [t for t in snap["ties"] if t["source"] not in ids or t["target"] not in ids]
                assert not dangling, f"a read saw ties without their organizations: {dangling[:3]}"
                # Each writer's chain of ties is complete in every read: w_n_0 - w_n_1 - ...
                for w in range(WRITERS):
                    chain = sum(1 for i in ids if i.startswith(f"w{w}_"))
                    links = sum(1 for t in snap["ties"] if t["target"].startswith(f"w{w}_"))
                    assert links == max(chain - 1, 0), f"writer {w}: {chain} organizations but {links} ties"
                counts = {"organizations": len(snap["organizations"]), "ties": len(snap["ties"])}
                assert all(counts[k] >= last[k] for k in counts), f"counts went down: {last} -> {counts}"
                last = counts
                reads[n] += 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
            stop.set()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    threads += [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert not errors, f"{len(errors)} errors, the first: {errors[0]!r}"

    organizations = sum(len(ids) for ids in written)
    ties = sum(max(len(ids) - 1, 0) for ids in written)
    assert all(len(ids) > 5 for ids in written), [len(ids) for ids in written]
    assert all(r > 2 for r in reads), reads
    assert store.counts()["organizations"] == organizations
    assert store.counts()["ties"] == ties

    entries = store.audit(limit=None, after_seq=start_seq)
    assert len(entries) == organizations + ties
    by_writer: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_writer.setdefault(entry["actor"], []).append(entry)
    for n, ids in enumerate(written):
        keys = {e["key"] for e in by_writer[f"writer-{n}"] if e["kind"] == "organization"}
        assert keys == set(ids)
        assert all(e["action"] == "create" for e in by_writer[f"writer-{n}"])
    seqs = sorted(e["seq"] for e in entries)
    assert seqs == list(range(start_seq + 1, start_seq + 1 + len(entries)))
    assert check(store) == []
    print(f"\n{type(store).__name__}: {organizations} organizations, {ties} ties written; reads {reads}")


def test_reads_from_many_short_lived_threads_reuse_connections(sqlite_store: SQLiteStore) -> None:
    """The dashboard runs every page in a new thread: reads must not leave a connection
    open per thread."""
    sqlite_store.write_map(organizations=[org("a")])
    for _ in range(40):
        thread = threading.Thread(target=sqlite_store.snapshot)
        thread.start()
        thread.join()
    assert len(sqlite_store._all_connections) <= 3  # the writer and one or two readers
