"""Diarization error rate on the ten AMI excerpts of `../shared/data/diarization`.

    .venv/bin/python benchmarks/diarization.py [--data DIR] [--tune]

For each file and overall: DER (pyannote.metrics `DiarizationErrorRate(collar=0.25,
skip_overlap=True)`: 0.25 s centred on each reference boundary is not scored, nor is
overlapped speech; its parts: missed speech, false alarm, confusion), the same with NIST
md-eval's wider collar (0.25 s on each side: pyannote's collar 0.5; column `±.25`), the
speaker-count error (found minus true speakers) and CPU seconds per audio second (VAD,
embeddings and clustering; model loading excluded), for

- `ours`: Silero VAD regions, 1.5-s windows every 0.75 s, Resemblyzer embeddings (ONNX),
  agglomerative clustering under a cosine-distance threshold, short turns smoothed away
  (`nlp.diarization.diarize` with its defaults);
- `ours, live` and `ours, live + refine`: the online labels (`nlp.speaker_online`), each
  VAD region pushed as a committed piece, and after `refine()` at the end;
- `one speaker`: the same VAD regions, all of them one speaker;
- `fixed windows`: the whole file cut into 1.5-s windows without overlap or VAD, each
  embedded and clustered with the same threshold, no smoothing;
- `ours, true speech` and `one, true speech`: the same two given the reference's speech
  regions instead of the VAD's (what the clustering is worth when speech detection is not
  in the way; the app can pass Whisper's word spans as `speech=`).

The ten files are the only labelled data: the defaults of `DiarizationOptions` and the
online threshold were tuned (`--tune`: a grid over the VAD threshold, padding and pause,
the window, the clustering threshold and the minimum turn, then the online threshold) on
trn00–trn04 only; the cluster minimum (`min_speaker_s`, `min_window_s`) was chosen on
trn00–trn04 and espeak-ng conversations. trn05–trn09 were not tuned on but were looked at
during development (resources/MODELS.md says how), so they are not a clean test set.
`--threshold T` scores another clustering threshold.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.ffmpeg import decode_to_array  # noqa: E402
from nlp.diarization import (  # noqa: E402
    DiarizationOptions,
    SpeakerTurn,
    cluster,
    diarize,
    embed_windows,
    label_all,
    smooth_turns,
    speech_regions,
    turns_from_windows,
)
from nlp.speaker_encoder import load_speaker_encoder  # noqa: E402
from nlp.speaker_online import ONLINE_THRESHOLD, OnlineDiarizer  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "diarization"
TUNE_FILES = [f"trn0{i}" for i in range(5)]  # tuned on these; trn05–trn09 held out
COLLAR = 0.25
SAMPLE_RATE = 16000


def read_rttm(path: Path) -> dict[str, list[tuple[float, float, str]]]:
    turns: dict[str, list[tuple[float, float, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0] == "SPEAKER":
            start, duration = float(parts[3]), float(parts[4])
            turns.setdefault(parts[1], []).append((start, start + duration, parts[7]))
    return turns


def annotation(turns):
    from pyannote.core import Annotation, Segment

    out = Annotation()
    for i, (start, end, label) in enumerate(turns):
        out[Segment(start, end), f"t{i}"] = label
    return out


def as_triples(turns: list[SpeakerTurn]) -> list[tuple[float, float, str]]:
    return [(t.start, t.end, f"S{t.speaker}") for t in turns]


def one_speaker(regions) -> list[SpeakerTurn]:
    return [SpeakerTurn(s, e, 0) for s, e in regions]


def fixed_windows(encoder, audio: np.ndarray, threshold: float) -> list[SpeakerTurn]:
    duration = len(audio) / SAMPLE_RATE
    spans = [(s, min(duration, s + 1.5)) for s in np.arange(0.0, duration - 0.3, 1.5)]
    labels = cluster(encoder.embed_spans(audio, spans), threshold)
    return [SpeakerTurn(s, e, int(k)) for (s, e), k in zip(spans, labels, strict=True)]


def _union(spans):
    out: list[tuple[float, float]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def online(encoder, audio: np.ndarray, regions, threshold: float = ONLINE_THRESHOLD):
    """Live labels with each speech region pushed as it would be committed, then the
    refinement at the end."""
    diarizer = OnlineDiarizer(encoder, threshold=threshold)
    live: list[SpeakerTurn] = []
    for s, e in regions:
        live += diarizer.push(audio[int(s * SAMPLE_RATE) : int(e * SAMPLE_RATE)], s)
    return live, diarizer.refine()


class Scorer:
    """DER parts and speaker-count error over a set of files."""

    def __init__(self) -> None:
        from pyannote.metrics.diarization import DiarizationErrorRate

        self.metric = DiarizationErrorRate(collar=COLLAR, skip_overlap=True)
        # NIST md-eval's "collar 0.25" is 0.25 s on each side: pyannote's collar 0.5.
        self.nist = DiarizationErrorRate(collar=2 * COLLAR, skip_overlap=True)
        self.count_errors: list[int] = []

    def add(self, reference, hypothesis: list[tuple[float, float, str]], duration: float) -> dict:
        from pyannote.core import Segment, Timeline

        ref, hyp = annotation(reference), annotation(hypothesis)
        uem = Timeline([Segment(0.0, duration)])
        parts = self.metric(ref, hyp, uem=uem, detailed=True)
        self.nist(ref, hyp, uem=uem)
        found = len({label for _, _, label in hypothesis})
        true = len({label for _, _, label in reference})
        self.count_errors.append(found - true)
        return {**parts, "count_error": found - true}

    def total(self) -> dict:
        parts = {k: self.metric[k] for k in ("missed detection", "false alarm", "confusion")}
        parts["total"] = self.metric["total"]
        return {
            "der": abs(self.metric),
            "der_nist": abs(self.nist),
            **{k: v / parts["total"] for k, v in parts.items() if k != "total"},
            "count_abs": float(np.mean(np.abs(self.count_errors))),
        }


def row(name: str, t: dict, count: str, cpu: str) -> str:
    parts = (t["missed detection"], t["false alarm"], t["confusion"], t["der_nist"])
    return f"{name:<22} {t['der']:6.3f} {parts[0]:7.3f} {parts[1]:6.3f} {parts[2]:6.3f} " + (
        f"{parts[3]:6.3f} {count:>7} {cpu:>9}"
    )


def evaluate(files, reference, audios, encoder, options: DiarizationOptions) -> None:
    systems = (
        "ours",
        "ours, live",
        "ours, live + refine",
        "one speaker",
        "fixed windows",
        "ours, true speech",
        "one, true speech",
    )
    threshold = options.threshold
    print(f"clustering threshold {threshold}")
    for subset, names in (
        ("trn00-04 (tuned on)", [f for f in files if f in TUNE_FILES]),
        ("trn05-09 (held out)", [f for f in files if f not in TUNE_FILES]),
        ("all ten", files),
    ):
        if not names:
            continue
        print(f"\n== {subset} ==")
        print(f"{'system':<22} {'DER':>6} {'missed':>7} {'FA':>6} {'conf':>6} {'±.25':>6}", end="")
        print(f" {'#spk±':>7} {'CPU s/s':>9}")
        for system in systems:
            scorer = Scorer()
            cpu = 0.0
            for name in names:
                audio = audios[name]
                started = time.process_time()
                if system == "ours":
                    hyp = list(diarize(audio, encoder=encoder, options=options).turns)
                elif system.startswith("ours, live"):
                    live, refined = online(encoder, audio, speech_regions(audio))
                    hyp = refined if system.endswith("refine") else live
                elif system == "ours, true speech":  # oracle VAD: the reference's speech
                    truth = [(s, e) for s, e, _ in reference[name]]
                    hyp = list(
                        diarize(audio, speech=_union(truth), encoder=encoder, options=options).turns
                    )
                elif system == "one, true speech":
                    hyp = one_speaker(_union([(s, e) for s, e, _ in reference[name]]))
                elif system == "one speaker":
                    hyp = one_speaker(speech_regions(audio))
                else:
                    hyp = fixed_windows(encoder, audio, threshold)
                cpu += time.process_time() - started
                parts = scorer.add(reference[name], as_triples(hyp), len(audio) / SAMPLE_RATE)
                if subset == "all ten":
                    der = parts["diarization error rate"]
                    print(
                        f"  {name} {system:<14} DER {der:6.3f}  speakers {parts['count_error']:+d}"
                    )
            seconds = sum(len(audios[n]) for n in names) / SAMPLE_RATE
            t = scorer.total()
            mean_count = float(np.mean(scorer.count_errors))
            count = f"{mean_count:+.1f}|{t['count_abs']:.1f}"
            print(row(system, t, count, f"{cpu / seconds:.3f}"))
    print(
        f"\nDER with a {COLLAR}-s collar (pyannote.metrics), overlapped speech not scored."
        " #spk±: mean signed | mean absolute error of the number of speakers found."
    )


def tune(files, reference, audios, encoder) -> None:
    """Grid over VAD, window, threshold and minimum turn on TUNE_FILES; prints the best."""
    names = [f for f in files if f in TUNE_FILES]
    results = []
    vads = [(0.5, 0.0, 0.3), (0.35, 0.2, 0.3), (0.2, 0.0, 0.3), (0.2, 0.2, 0.3), (0.1, 0.2, 0.3)]
    vads += [(0.35, 0.2, 0.15), (0.2, 0.2, 0.15)]
    for vad_threshold, vad_pad, vad_silence in vads:
        regions = {n: speech_regions(audios[n], vad_threshold, vad_pad, vad_silence) for n in names}
        for window, hop in ((1.0, 0.5), (1.5, 0.75), (2.0, 1.0)):
            options = DiarizationOptions(window_s=window, hop_s=hop)
            windows = {n: embed_windows(encoder, audios[n], regions[n], options) for n in names}
            for threshold, min_turn in itertools.product(
                np.arange(0.15, 0.61, 0.05), (0.0, 0.25, 0.5, 1.0)
            ):
                scorer = Scorer()
                for n in names:
                    labels, _ = label_all(windows[n], float(threshold))
                    turns = turns_from_windows(windows[n].spans, labels, regions[n])
                    turns = smooth_turns(turns, min_turn, options.max_gap_s)
                    scorer.add(reference[n], as_triples(turns), len(audios[n]) / SAMPLE_RATE)
                t = scorer.total()
                setting = f"vad {vad_threshold}/{vad_pad}/{vad_silence}  window {window:.1f}"
                setting += f"  threshold {threshold:.2f}  min turn {min_turn:.2f}"
                results.append((t["der"], setting, t["count_abs"]))
    print("every setting on", ", ".join(names), "(DER, setting, mean |speaker-count error|):")
    for der, setting, count in results:
        if "min turn 0.50" in setting:
            print(f"  {der:.3f}  {setting}  {count:.1f}")
    results.sort()
    print("best:")
    for der, setting, count in results[:10]:
        print(f"  {der:.3f}  {setting}  {count:.1f}")
    print("online threshold (default offline settings): DER live | refined, |#spk| live")
    regions = {n: speech_regions(audios[n]) for n in names}
    for threshold in np.arange(0.2, 0.51, 0.05):
        live, refined = Scorer(), Scorer()
        for n in names:
            turns, final = online(encoder, audios[n], regions[n], float(threshold))
            live.add(reference[n], as_triples(turns), len(audios[n]) / SAMPLE_RATE)
            refined.add(reference[n], as_triples(final), len(audios[n]) / SAMPLE_RATE)
        a, b = live.total(), refined.total()
        print(f"  {threshold:.2f}  {a['der']:.3f} | {b['der']:.3f}  {a['count_abs']:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--tune", action="store_true", help="grid search on trn00-trn04")
    parser.add_argument(
        "--threshold", type=float, default=None, help="clustering threshold (default: the app's)"
    )
    args = parser.parse_args()
    rttm = args.data / "train.rttm"
    if not rttm.exists():
        print(f"skipped: no diarization data at {args.data} (train.rttm and trnNN.flac)")
        return 0
    try:
        import pyannote.metrics  # noqa: F401
    except ImportError:
        print("skipped: pyannote.metrics is not installed (pip install -e '.[dev]')")
        return 0
    reference = read_rttm(rttm)
    files = sorted(n for n in reference if (args.data / f"{n}.flac").exists())
    audios = {n: decode_to_array(str(args.data / f"{n}.flac")) for n in files}
    started = time.perf_counter()
    encoder = load_speaker_encoder()
    print(f"speaker encoder loaded in {time.perf_counter() - started:.2f} s")
    if args.tune:
        tune(files, reference, audios, encoder)
    else:
        options = DiarizationOptions()
        if args.threshold is not None:
            options = DiarizationOptions(threshold=args.threshold)
        evaluate(files, reference, audios, encoder, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
