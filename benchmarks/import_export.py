"""Batch import and CSV export throughput on the WavePulse radio transcripts.

Imports `../shared/data/wavepulse/transcripts` (100 WhisperX files, ~27k segments) into a
fresh library — with the analyses an import runs (punctuation where missing, summaries,
keywords, entities) unless `--no-analysis` — runs the same import again (everything
skipped), exports every kind to CSV, and searches the result. Prints wall times.

    .venv/bin/python benchmarks/import_export.py [--data DIR] [--no-analysis] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import load_settings  # noqa: E402
from app.exporter import export, select_recordings  # noqa: E402
from app.importer import IMPORTED, SKIPPED, BatchImport, discover  # noqa: E402
from app.services import open_library  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wavepulse" / "transcripts"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    return result, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-analysis", action="store_true", help="store the text only")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"No data at {args.data}; pass --data.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(db=str(Path(tmp) / "bench.db"), data_dir=tmp)
        library = open_library(settings)
        items, problems = discover([str(args.data)])
        batch = BatchImport(library, settings, workers=args.workers, analyse=not args.no_analysis)
        report, first = timed(lambda: batch.run(items))
        segments = sum(r.segment_count for r in library.recordings.list())
        again, second = timed(lambda: batch.run(items))
        recordings = select_recordings(library, everything=True)
        counts, export_s = timed(lambda: export(library, recordings, "all", Path(tmp) / "out"))
        hits, search_s = timed(lambda: library.search.search("election", limit=1000))
        size = (Path(tmp) / "out" / "transcript.csv").stat().st_size / 1e6
    print(f"items: {len(items)} ({len(problems)} not importable), segments: {segments}")
    analysis = "text only" if args.no_analysis else "with summaries, keywords, entities"
    print(
        f"first import : {first:6.2f} s  ({len(report.of(IMPORTED))} imported, {analysis}; "
        f"{segments / first:,.0f} segments/s, {args.workers} workers)"
    )
    print(f"second import: {second:6.2f} s  ({len(again.of(SKIPPED))} skipped)")
    rows = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    print(
        f"export all   : {export_s:6.2f} s  ({sum(counts.values())} rows: {rows}; "
        f"transcript.csv {size:.1f} MB)"
    )
    print(f"search       : {search_s * 1000:6.1f} ms ('election': {len(hits)} hits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
