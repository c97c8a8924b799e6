"""Whole-recording summaries of WavePulse talk radio: how many picks are station breaks.

Radio has no reference summaries, so this counts what an analyst would strike out: picks
that `nlp.station_breaks` calls station breaks (idents, promos, sponsor copy, sign-offs,
time checks) and picks with fewer than three content words. It runs the summarizer as the
app does (five-minute clips, five sentences for the whole recording, IDF over all the
transcripts as over a library) under three rules for what may be picked: five words or
more (before station breaks were left out); the cues and content-word minimum of
`worth_summarizing`; those plus the trained head (`scripts/train_station_breaks.py`,
fitted on the other half of the files); and all that plus break blocks (what sits between
two breaks, `station_break_flags`), which is what the app does. The cues judging their
own filter is circular, so `--show` prints the held-out half's summaries to read by hand;
`resources/MODELS.md` quotes such a reading.

    .venv/bin/python benchmarks/radio_summaries.py [--data ../shared/data/wavepulse] [--show]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.transcripts import read_transcript  # noqa: E402
from nlp.keywords import candidate_terms, idf_table  # noqa: E402
from nlp.station_breaks import is_station_break  # noqa: E402
from nlp.summarize import (  # noqa: E402
    MIN_CONTENT_WORDS,
    MIN_WORDS,
    Summarizer,
    Utterance,
    content_words,
    utterances_from_segments,
)

DATA = ROOT.parent / "shared" / "data" / "wavepulse"


def five_words_or_more(utterance: Utterance) -> bool:
    """The rule before this benchmark existed."""
    return len(utterance.text.split()) >= MIN_WORDS


def load(folder: Path) -> list[tuple[str, list[Utterance]]]:
    out = []
    for path in sorted((folder / "transcripts").glob("*.json")):
        timed = [(c.start_s, c.end_s, c.text) for c in read_transcript(path)]  # as imported
        out.append((path.stem, utterances_from_segments(timed)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", action="store_true", help="print the held-out half's picks")
    args = parser.parse_args()
    if not (args.data / "transcripts").is_dir():
        print(f"No WavePulse transcripts at {args.data}; pass --data.", file=sys.stderr)
        return 2
    recordings = load(args.data)
    idf = idf_table(candidate_terms(" ".join(u.text for u in us)) for _n, us in recordings)
    rules = {
        "five words or more (before)": (five_words_or_more, False, False),
        "worth_summarizing (cues)": (None, False, False),
        "cues + trained head": (None, True, False),
        "cues + head + break blocks": (None, True, True),
    }
    print(f"WavePulse: {len(recordings)} recordings, whole-recording summaries of 5 sentences")
    print("held out: every second file (the other half was read to write the cues)\n")
    print("| rule | half | picks | station breaks | < 3 content words | s |")
    print("|---|---|---|---|---|---|")
    shown: dict[str, list[list[str]]] = {}
    held_out = {name for i, (name, _u) in enumerate(recordings) if i % 2 == 1}
    for label, (rule, head, blocks) in rules.items():
        summarizer = Summarizer(idf=idf, eligible=rule, break_head=head, break_blocks=blocks)
        for half in ("design", "held out"):
            started = time.perf_counter()
            picks = breaks = empty = 0
            for i, (name, utterances) in enumerate(recordings):
                if (i % 2 == 1) != (half == "held out"):
                    continue
                _clips, overall = summarizer.summarize(utterances, title=name)
                texts = [u.text for u in overall]
                shown.setdefault(name, []).append(texts)
                picks += len(texts)
                breaks += sum(is_station_break(t) for t in texts)
                empty += sum(len(content_words(t)) < MIN_CONTENT_WORDS for t in texts)
            seconds = time.perf_counter() - started
            print(
                f"| {label} | {half} | {picks} | {breaks} ({breaks / max(picks, 1):.0%}) "
                f"| {empty} ({empty / max(picks, 1):.0%}) | {seconds:.0f} |"
            )
    if args.show:
        for name, versions in shown.items():
            if name not in held_out:
                continue
            print(f"\n## {name}")
            for label, texts in zip(rules, versions, strict=True):
                print(f"  [{label}]")
                for text in texts:
                    print(f"    - {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
