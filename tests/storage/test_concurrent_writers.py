"""Many writers at once lose nothing: recording threads, import workers and other processes
(here: a second `Library` on the same database, as another process would open it) write
segments, chat and sources together, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from storage import Library

WRITERS = 8
SEGMENTS_EACH = 25
CHAT_IDS = 40  # every writer delivers the same chat messages to one shared recording


def test_concurrent_writers_lose_nothing_and_count_duplicates_once(library, library_url):
    other = Library(library_url)  # another process's connections to the same library
    shared_chat = library.recordings.create(url="http://x/shared", mode="live").id
    start = threading.Barrier(WRITERS)
    at = datetime(2026, 12, 1, 12)

    def writer(n: int) -> tuple[int, int]:
        lib = library if n % 2 else other
        start.wait()  # all at once, not one after another
        # the same source from every writer: one creates it, the others join it
        rid = lib.recordings.create(
            url=f"http://x/{n}", source_url="http://x/station", mode="live"
        ).id
        for i in range(SEGMENTS_EACH):
            lib.segments.save(
                rid, start_s=float(i), end_s=i + 0.5, text=f"writer{n} line {i} quorum"
            )
        new = 0
        for first in range(0, CHAT_IDS, 10):  # in batches, overlapping the other writers'
            batch = [
                {"at": at, "offset_s": float(m), "kind": "message", "message_id": f"m{m}"}
                | {"author": f"w{n}", "text": f"message {m}"}
                for m in range(first, first + 10)
            ]
            new += lib.chat.add_many(shared_chat, batch)
        return rid, new

    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            results = list(pool.map(writer, range(WRITERS)))
    finally:
        other.close()

    recordings = {r.id: r for r in library.recordings.list()}
    assert len(recordings) == WRITERS + 1
    for rid, _ in results:
        texts = [s.text for s in library.segments.for_recording(rid)]
        assert len(texts) == SEGMENTS_EACH and len(set(texts)) == SEGMENTS_EACH
    assert len(library.search.matching_texts("quorum")) == WRITERS * SEGMENTS_EACH
    # each chat message stored once, and counted as new by exactly one writer
    assert library.chat.count(shared_chat) == CHAT_IDS
    assert sum(new for _, new in results) == CHAT_IDS
    stations = [s for s in library.sources.list() if s.url == "http://x/station"]
    assert len(stations) == 1 and stations[0].recording_count == WRITERS


def test_workers_opening_a_new_postgres_library_at_once_migrate_it_once(postgres_url):
    """Several workers start on an empty shared database together: one migrates (under an
    advisory lock), the others wait and find it done; none fails on a half-made schema."""
    start = threading.Barrier(4)

    def open_and_write(n: int) -> int:
        start.wait()
        with Library(postgres_url) as lib:
            return lib.recordings.create(url=f"http://x/{n}", mode="live").id

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(open_and_write, range(4)))
    assert len(set(ids)) == 4
    with Library(postgres_url) as lib:
        assert len(lib.recordings.list()) == 4
