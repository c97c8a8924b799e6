"""Trends on the WavePulse radio transcripts: word terms counted per recording against
what `trends` does (names and noun phrases, a station and a rebroadcast counted once).

Imports `../shared/data/wavepulse/transcripts` (text only) into a throwaway library (or the
one at `--library`, kept between runs: names are computed once), prints how much of their
terms pairs of recordings share (unrelated shows vs simulcasts), then the top trends of two
periods — 13–20 July 2024 (after the Butler shooting) and from 1 August — from the
recordings' word terms, each recording counted (the rule before issue 17 less its
rebroadcast merging), and from `trends` (what the app shows).

    .venv/bin/python benchmarks/trends.py [--data ../shared/data/wavepulse/transcripts]
        [--top 15] [--library /tmp/trends.db]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.importer import BatchImport, discover  # noqa: E402
from app.keywords import recording_names, recording_terms, trends  # noqa: E402
from app.services import open_library  # noqa: E402
from nlp.keywords import bursts  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wavepulse" / "transcripts"
PERIODS = [(datetime(2024, 7, 13), datetime(2024, 7, 21)), (datetime(2024, 8, 1), None)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--library", type=Path, help="keep the library in this file")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"No data at {args.data}; pass --data.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = args.library or Path(tmp) / "bench.db"
        settings = load_settings(db=str(db), data_dir=tmp)
        library = open_library(settings)
        items, _problems = discover([str(args.data)])
        BatchImport(library, settings, analyse=False).run(items)
        recordings = library.recordings.list()
        started = time.perf_counter()
        terms = recording_terms(library)  # what trends() reads; computed and stored here
        print(
            f"Computing and storing every recording's terms (first use, station breaks "
            f"left out): {time.perf_counter() - started:.2f} s; trends() below reads them."
        )
        started = time.perf_counter()
        recording_names(library)
        print(
            f"Their names and noun phrases (spaCy, first use or read back): "
            f"{time.perf_counter() - started:.1f} s\n"
        )
        shares = np.array(
            [
                len(terms[a] & terms[b]) / len(terms[a] | terms[b])
                for a, b in itertools.combinations(terms, 2)
            ]
        )
        print(f"{len(recordings)} recordings, {len(shares)} pairs; share of terms in common:")
        print(
            "  median {:.3f}, 90th percentile {:.3f}, 99th {:.3f}, max {:.3f}".format(
                *np.percentile(shares, [50, 90, 99, 100])
            )
        )
        for since, until in PERIODS:
            span = f"{since:%Y-%m-%d}" + (f" to {until:%Y-%m-%d}" if until else " on")
            recent = [
                terms[r.id]
                for r in recordings
                if r.started_at >= since and (until is None or r.started_at < until)
            ]
            baseline = [terms[r.id] for r in recordings if r.started_at < since]
            plain = bursts(recent, baseline, top=args.top)
            started = time.perf_counter()
            merged = trends(library, since, until, top=args.top)
            seconds = time.perf_counter() - started
            print(f"\n{span}: {len(recent)} recent recordings, {len(baseline)} earlier")
            print("  word terms, each recording counted: ")
            print("    " + ", ".join(f"{b.term} ({b.recent})" for b in plain))
            print("  trends() (names; a station, a rebroadcast once):")
            print("    " + ", ".join(f"{t.burst.term} ({t.burst.recent})" for t in merged))
            print(f"  trends() took {seconds:.2f} s")
        library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
