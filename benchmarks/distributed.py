"""Beyond one process: Celery workers and the library on PostgreSQL.

1. Streams kept up with: N loopback radio streams (Icecast-style MP3 on 127.0.0.1, the
   programme of `many_streams.py`, staggered leads) handed out with `record --queue`'s
   dispatch to one `python main.py worker` process against two, on a throwaway Redis with a
   password; the same batched decoding in each worker (tiny.en, `monitor` mode). For each:
   worker CPU-s per audio-s, the most a stream was behind at a heartbeat (kept up: never
   more than 15 s), how long after the stream's end its recording finished (that includes
   the end-of-recording analyses: summaries, keywords), WER per stream.
2. The 100 WavePulse transcripts (`../shared/data/wavepulse/transcripts`) imported (text
   only), searched (words, a phrase, a prefix) and exported to CSV, on SQLite against a
   throwaway PostgreSQL on 127.0.0.1.

    .venv/bin/python benchmarks/distributed.py [--counts 2,4] [--paragraphs 3]
        [--no-streams] [--no-library]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from many_streams import KEPT_UP_S, _proc_cpu, close, stations, wer  # noqa: E402

from app.distributed.dispatch import follow_recordings, queue_recordings  # noqa: E402
from app.session import RecordingJob  # noqa: E402
from storage import Library  # noqa: E402
from tests.fixtures.postgres import PostgresServer, why_unavailable  # noqa: E402
from tests.fixtures.redis import RedisServer  # noqa: E402
from tests.fixtures.redis_workers import Worker, wait_until_listening, worker_env  # noqa: E402

WAVEPULSE = ROOT.parent / "shared" / "data" / "wavepulse" / "transcripts"
SEARCHES = ("election", '"city council"', "weath*")


def streams(workdir: Path, redis: RedisServer, n: int, workers: int, paragraphs: int, db: int):
    """One configuration: `n` streams on `workers` worker processes. Its figures."""
    folder = workdir / f"streams_{n}_{workers}"
    folder.mkdir()
    radios = stations(folder / "radio", n, paragraphs)
    url = redis.url(db)
    library_url = f"sqlite:///{folder / 'library.db'}"
    Library(library_url).close()  # migrated before the workers start
    env = worker_env(url, library_url, folder / "data", workdir / "cache")
    procs = [
        Worker(env, f"bench{i}@localhost", folder / f"w{i}.log", math.ceil(n / workers))
        for i in range(workers)
    ]
    try:
        wait_until_listening(url, procs)
        cpu_before = sum(_proc_cpu(p.pid) for p in procs)
        jobs = [
            RecordingJob(url=r.server.url, mode="monitor", duration_s=r.seconds, name=f"radio{i}")
            for i, r in enumerate(radios)
        ]
        library = Library(library_url)
        most_behind = {"s": 0.0}
        done = threading.Event()

        def watch() -> None:
            while not done.wait(2.0):
                for rec in library.recordings.running():
                    most_behind["s"] = max(most_behind["s"], rec.lag_s or 0.0)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        queued = follow_recordings(queue_recordings(url, jobs))
        done.set()
        cpu = sum(_proc_cpu(p.pid) for p in procs) - cpu_before
        audio_s, finish_after, wers, on = 0.0, [], [], set()
        for item, radio in zip(queued, radios, strict=True):
            rec = library.recordings.get(item.recording_id)
            audio_s += rec.duration_s
            finish_after.append((rec.ended_at - rec.started_at).total_seconds() - rec.duration_s)
            text = " ".join(s.text for s in library.segments.for_recording(rec.id))
            wers.append(wer(radio.text, text))
            on.add(rec.worker)
        library.close()
        return {
            "cpu": cpu / audio_s if audio_s else float("nan"),
            "behind": most_behind["s"],
            "finish": max(finish_after),
            "wer": statistics.mean(wers),
            "wer_max": max(wers),
            "workers_used": len(on),
            "seconds": radios[0].seconds,
        }
    finally:
        for proc in procs:
            proc.stop()
        close(radios)


def library_figures(url: str, workdir: Path) -> dict:
    from app.config import load_settings
    from app.exporter import export, select_recordings
    from app.importer import IMPORTED, BatchImport, discover
    from app.services import open_library

    settings = load_settings(db=url, data_dir=str(workdir))
    library = open_library(settings)
    items, _ = discover([str(WAVEPULSE)])
    batch = BatchImport(library, settings, workers=2, analyse=False)
    start = time.perf_counter()
    report = batch.run(items)
    import_s = time.perf_counter() - start
    searches = {}
    for query in SEARCHES:
        library.search.search(query, limit=1000)  # warm
        start = time.perf_counter()
        for _ in range(5):
            hits = library.search.search(query, limit=1000)
        searches[query] = ((time.perf_counter() - start) / 5, len(hits))
    start = time.perf_counter()
    counts = export(library, select_recordings(library, everything=True), "all", workdir / "out")
    export_s = time.perf_counter() - start
    segments = sum(r.segment_count for r in library.recordings.list())
    library.close()
    return {
        "imported": len(report.of(IMPORTED)),
        "segments": segments,
        "import_s": import_s,
        "searches": searches,
        "export_s": export_s,
        "rows": sum(counts.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="2,4", help="streams per run (default 2,4)")
    parser.add_argument(
        "--paragraphs", type=int, default=3, help="programme length (3: about a minute)"
    )
    parser.add_argument("--no-streams", action="store_true")
    parser.add_argument("--no-library", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="streamlens-bench-") as tmp:
        workdir = Path(tmp)
        if not args.no_streams:
            redis = RedisServer().start()
            try:
                print(
                    "streams  workers  CPU-s/audio-s  most behind (s)  finished after end (s)"
                    "  WER mean/max  kept up"
                )
                db = 0
                for n in [int(c) for c in args.counts.split(",") if c]:
                    for workers in (1, 2):
                        f = streams(workdir, redis, n, workers, args.paragraphs, db)
                        db += 1
                        kept = f["behind"] <= KEPT_UP_S
                        print(
                            f"{n:>7}  {workers:>7}  {f['cpu']:>13.3f}  {f['behind']:>15.1f}  "
                            f"{f['finish']:>22.1f}  {f['wer']:.3f}/{f['wer_max']:.3f}  "
                            f"{'yes' if kept else 'NO'}"
                            + (f" (on {f['workers_used']})" if workers > 1 else ""),
                            flush=True,
                        )
                print(
                    f"(each stream {f['seconds']:.0f} s; kept up: never more than "
                    f"{KEPT_UP_S:.0f} s behind)"
                )
            finally:
                redis.stop()
        if not args.no_library:
            if not WAVEPULSE.is_dir():
                print(f"No WavePulse transcripts at {WAVEPULSE}.", file=sys.stderr)
                return 2
            backends = {"sqlite": f"sqlite:///{workdir / 'wavepulse.db'}"}
            server = None
            reason = why_unavailable()
            if reason is None:
                server = PostgresServer().start()
                backends["postgresql"] = server.url(server.create_database())
            else:
                print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
            try:
                print(
                    "\nlibrary      import (s)  segments/s  export all (s)  "
                    + "  ".join(f"search {q} (ms)" for q in SEARCHES)
                )
                for name, url in backends.items():
                    (workdir / name).mkdir()
                    f = library_figures(url, workdir / name)
                    searches = "  ".join(
                        f"{f['searches'][q][0] * 1000:>8.1f} ({f['searches'][q][1]})"
                        for q in SEARCHES
                    )
                    print(
                        f"{name:<11}  {f['import_s']:>10.2f}  "
                        f"{f['segments'] / f['import_s']:>10,.0f}  "
                        f"{f['export_s']:>14.2f}  {searches}",
                        flush=True,
                    )
                print(
                    f"({f['imported']} transcripts, {f['segments']} segments, text only; "
                    f"{f['rows']} rows exported)"
                )
            finally:
                if server is not None:
                    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
