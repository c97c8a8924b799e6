"""Whole-recording summaries of WavePulse talk radio: how many picks are station breaks,
advertisements or empty.

Radio has no reference summaries, so this counts what an analyst would strike out. It runs
the summarizer as the app does (five-minute clips, five sentences for the whole recording,
IDF over all the transcripts as over a library) under four rules for what may be picked:
five words or more (before station breaks were left out); the station-break detector as it
was before issue 17 (cues, content-word minimum, break blocks, and the head given by
`--before-head`; no ad cues); the detector with the ad and promo cues of `nlp.ads` but no
head; and everything, which is what the app does.

Two counts per rule. "Cued" is what the detector itself calls a break or an ad: circular
for the rules that filter with it, so the figure that matters is the hand-labelled one.
`radio_summaries_labels.json` labels every pick these rules make on the held-out half, and
the app rule's picks on the design half (programme, break, ad, empty or lyrics; keyed by a
hash of the sentence; its "about" says how they were read). The cues were written on the
design half (the 1st, 3rd, … file); the held-out half is the measurement. The design half's
labels also train the station-break head (`scripts/train_station_breaks.py`, only sentences
the held-out half never says), so the design rows of the rules with a head are in sample.
The rules with break blocks read them over the whole recording, across clip boundaries. At
the end, the detector's precision and recall against the hand labels on the first rule's
held-out picks (which nothing filtered). Last, the app rule's held-out picks as a second
reader labelled them (`radio_summaries_labels_second_reader.json`: a session that did not
tune the detector, reading without the first labels or the verdicts), with the two readers'
agreement. `--cache` keeps the sentence vectors between runs.

    .venv/bin/python benchmarks/radio_summaries.py [--data ../shared/data/wavepulse] [--show]
        [--dump picks.json] [--cache /tmp/radio_vectors.npz] [--before-head old_head.json]
        [--struck design]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ingest.transcripts import read_transcript  # noqa: E402
from nlp.keywords import candidate_terms, idf_table  # noqa: E402
from nlp.station_breaks import (  # noqa: E402
    is_station_break,
    load_break_head,
    station_break_flags,
)
from nlp.summarize import (  # noqa: E402
    MIN_CONTENT_WORDS,
    MIN_WORDS,
    Summarizer,
    Utterance,
    content_words,
    utterances_from_segments,
)

DATA = ROOT.parent / "shared" / "data" / "wavepulse"
LABELS = Path(__file__).resolve().parent / "radio_summaries_labels.json"
# The app rule's held-out picks read again by someone who did not tune the detector.
SECOND_READER = Path(__file__).resolve().parent / "radio_summaries_labels_second_reader.json"
STRUCK = ("break", "ad", "empty")


def sentence_key(text: str) -> str:
    """How the labels file names a sentence: the start of its SHA-1."""
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:16]


def five_words_or_more(utterance: Utterance) -> bool:
    """The rule before this benchmark existed."""
    return len(utterance.text.split()) >= MIN_WORDS


@contextmanager
def as_before_issue_17():
    """The station-break detector as it was before it knew advertisements (no ad cues, no
    newsroom routines or hand-offs, no sponsor names, no ad pods, break blocks one round
    deep)."""
    with (
        mock.patch("nlp.station_breaks.ad_cues", lambda _text: []),
        mock.patch("nlp.station_breaks.sounds_like_selling", lambda _text: False),
        mock.patch("nlp.station_breaks.names_the_sponsor", lambda _text, _spot: False),
        mock.patch("nlp.station_breaks._ROUTINES", re.compile(r"(?!)")),
        mock.patch("nlp.station_breaks._HANDOFFS", re.compile(r"(?!)")),
        mock.patch("nlp.station_breaks.BLOCK_ROUNDS", 1),
        mock.patch("nlp.station_breaks._fill_ad_pods", lambda _items, flags, _s, _n: flags),
    ):
        yield


class CachedEncoder:
    """The sentence encoder, remembering what it encoded: the rules share most sentences."""

    def __init__(self, cache: Path | None = None) -> None:
        from nlp.embeddings import load_sentence_encoder

        self.encoder = load_sentence_encoder()
        self.vectors: dict[str, np.ndarray] = {}
        self.cache = cache
        if cache is not None and cache.is_file():
            with np.load(cache, allow_pickle=False) as stored:
                self.vectors = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))

    def save(self) -> None:
        """Keep the vectors for the next run (`--cache`)."""
        if self.cache is not None and self.vectors:
            texts = list(self.vectors)
            np.savez(
                self.cache, texts=np.array(texts), vectors=np.stack(list(self.vectors.values()))
            )

    def encode(self, texts) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.encoder.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])


def load(folder: Path) -> list[tuple[str, list[Utterance]]]:
    out = []
    for path in sorted((folder / "transcripts").glob("*.json")):
        timed = [(c.start_s, c.end_s, c.text) for c in read_transcript(path)]  # as imported
        out.append((path.stem, utterances_from_segments(timed)))
    return out


def read_labels(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    return json.loads(path.read_text())["labels"]


def second_reading(
    picks: list[str], first: dict[str, str], second: dict[str, str]
) -> tuple[int, int, int, float]:
    """The picks struck (break, ad or empty) by the second reader and by the first, how many
    picks the second reader labelled, and Cohen's kappa of the two readers' struck-or-not
    over the distinct sentences both labelled (chance-corrected agreement: 1 is perfect)."""
    read = [t for t in picks if sentence_key(t) in second]
    by_second = sum(second[sentence_key(t)] in STRUCK for t in read)
    by_first = sum(first.get(sentence_key(t)) in STRUCK for t in read)
    pairs = [
        (second[k] in STRUCK, first[k] in STRUCK)
        for k in {sentence_key(t) for t in read}
        if k in first
    ]
    if not pairs:
        return by_second, by_first, len(read), float("nan")
    observed = sum(a == b for a, b in pairs) / len(pairs)
    p_second = sum(a for a, _ in pairs) / len(pairs)
    p_first = sum(b for _, b in pairs) / len(pairs)
    chance = p_second * p_first + (1 - p_second) * (1 - p_first)
    kappa = (observed - chance) / (1 - chance) if chance < 1 else 1.0
    return by_second, by_first, len(read), kappa


def detector_agreement(recordings, picks: list[str], labels: dict[str, str], encoder) -> None:
    """Precision and recall against the hand labels, on the held-out picks of the first
    rule (which leaves nothing out): of the cues and blocks (what keywords, trends and the
    transcript use) and of those plus the trained head (what summaries use)."""
    flagged: dict[str, bool] = {}
    for _name, utterances in recordings:
        flags = station_break_flags([(u.start_s, u.end_s, u.text) for u in utterances])
        for u, f in zip(utterances, flags, strict=True):
            flagged[sentence_key(u.text)] = flagged.get(sentence_key(u.text), False) or f
    sample = [t for t in picks if sentence_key(t) in labels]
    head = load_break_head()
    by_head = head.flags(encoder.encode(sample)) if head is not None else np.zeros(len(sample))
    truth = [labels[sentence_key(t)] for t in sample]
    detectors = {
        "cues + blocks": [flagged.get(sentence_key(t), False) for t in sample],
        "cues + blocks + head": [
            flagged.get(sentence_key(t), False) or bool(h)
            for t, h in zip(sample, by_head, strict=True)
        ],
    }
    print(f"\nDetector against the hand labels ({len(sample)} held-out picks of the first rule)")
    print("| detector | flagged | precision (break or ad) | recall: break or ad | break | ad |")
    print("|---|---|---|---|---|---|")
    for name, flags in detectors.items():
        hits = [t for t, f in zip(truth, flags, strict=True) if f]
        right = sum(t in ("break", "ad") for t in hits)

        def recall(kinds, flags=flags):
            relevant = [f for t, f in zip(truth, flags, strict=True) if t in kinds]
            return f"{sum(relevant)}/{len(relevant)} ({sum(relevant) / max(len(relevant), 1):.0%})"

        print(
            f"| {name} | {len(hits)} | {right}/{len(hits)} ({right / max(len(hits), 1):.0%}) "
            f"| {recall(('break', 'ad'))} | {recall(('break',))} | {recall(('ad',))} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--show", action="store_true", help="print the held-out half's picks")
    parser.add_argument(
        "--struck",
        choices=("design", "held out"),
        help="print the app rule's picks on this half that were struck by hand or not labelled",
    )
    parser.add_argument("--dump", type=Path, help="write every pick (for labelling) as JSON")
    parser.add_argument("--cache", type=Path, help="keep sentence vectors in this .npz file")
    parser.add_argument(
        "--before-head",
        type=Path,
        help="the station-break head before issue 17, for the second rule (git show "
        "d2bf986:resources/models/station_breaks_head.json); without it, the shipped head",
    )
    args = parser.parse_args()
    if not (args.data / "transcripts").is_dir():
        print(f"No WavePulse transcripts at {args.data}; pass --data.", file=sys.stderr)
        return 2
    recordings = load(args.data)
    labels = read_labels(args.labels)
    idf = idf_table(candidate_terms(" ".join(u.text for u in us)) for _n, us in recordings)
    encoder = CachedEncoder(args.cache)
    rules = {
        "five words or more (before)": (five_words_or_more, False, False, False),
        "breaks as before issue 17": (None, True, True, False),
        "breaks and ads, no head": (None, False, True, True),
        "breaks and ads (the app)": (None, True, True, True),
    }
    print(f"WavePulse: {len(recordings)} recordings, whole-recording summaries of 5 sentences")
    print("held out: every second file (the other half was read to write the cues)\n")
    print(
        "| rule | half | picks | cued break/ad | < 3 content words | summaries < 5 picks "
        "| hand-labelled | struck by hand (break / ad / empty) | lyrics | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    struck_picks: list[tuple[str, str, str]] = []
    shown: dict[str, list[list[str]]] = {}
    dumped = []
    first_rule_held_out: list[str] = []
    app_held_out: list[str] = []
    held_out = {name for i, (name, _u) in enumerate(recordings) if i % 2 == 1}
    for label, (rule, head, blocks, ads) in rules.items():
        summarizer = Summarizer(
            encoder, idf=idf, eligible=rule, break_head=head, break_blocks=blocks
        )
        if head and not ads and args.before_head:
            summarizer.break_head = load_break_head(args.before_head)
        for half in ("design", "held out"):
            started = time.perf_counter()
            texts_of_half = []
            short = 0
            for i, (name, utterances) in enumerate(recordings):
                if (i % 2 == 1) != (half == "held out"):
                    continue
                if ads:
                    _clips, overall = summarizer.summarize(utterances, title=name)
                else:
                    with as_before_issue_17():
                        _clips, overall = summarizer.summarize(utterances, title=name)
                texts = [u.text for u in overall]
                short += len(texts) < 5
                shown.setdefault(name, []).append(texts)
                if ads and head and half == args.struck:
                    struck_picks += [
                        (name, labels.get(sentence_key(t), "not labelled"), t)
                        for t in texts
                        if labels.get(sentence_key(t), "not labelled") in (*STRUCK, "not labelled")
                    ]
                texts_of_half += texts
                dumped += [
                    {
                        "rule": label,
                        "half": half,
                        "recording": name,
                        "key": sentence_key(t),
                        "text": t,
                    }
                    for t in texts
                ]
            if half == "held out" and rule is five_words_or_more:
                first_rule_held_out = texts_of_half
            if half == "held out" and ads and head:
                app_held_out = texts_of_half
            seconds = time.perf_counter() - started
            picks = len(texts_of_half)
            cued = sum(is_station_break(t) for t in texts_of_half)
            empty = sum(len(content_words(t)) < MIN_CONTENT_WORDS for t in texts_of_half)
            known = [labels[sentence_key(t)] for t in texts_of_half if sentence_key(t) in labels]
            struck = [sum(k == kind for k in known) for kind in STRUCK]
            print(
                f"| {label} | {half} | {picks} | {cued} ({cued / max(picks, 1):.0%}) "
                f"| {empty} ({empty / max(picks, 1):.0%}) | {short} | {len(known)} "
                f"| {sum(struck)} ({sum(struck) / max(len(known), 1):.1%}): "
                f"{' / '.join(map(str, struck))} | {known.count('lyrics')} | {seconds:.0f} |"
            )
    if labels and first_rule_held_out:
        detector_agreement(
            [(n, us) for n, us in recordings if n in held_out],
            first_rule_held_out,
            labels,
            encoder,
        )
    second = read_labels(SECOND_READER)
    if labels and second and app_held_out:
        by_second, by_first, read, kappa = second_reading(app_held_out, labels, second)
        print(
            f"\nSecond reader (did not tune the detector), the app rule's held-out picks: "
            f"{by_second} of {read} struck ({by_second / max(read, 1):.1%}), against "
            f"{by_first} ({by_first / max(read, 1):.1%}) by the first reader; agreement on "
            f"struck or not, Cohen's kappa {kappa:.2f}"
        )
    encoder.save()
    if args.struck:
        print(f"\nThe app rule's picks on the {args.struck} half struck by hand or not labelled")
        for name, label, text in struck_picks:
            print(f"  [{label}] {name}: {text}")
    if args.dump:
        args.dump.write_text(json.dumps(dumped, indent=1))
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
