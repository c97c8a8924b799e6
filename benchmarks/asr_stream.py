"""Streaming ASR benchmark: offline vs `live` vs `monitor` on a ~5-minute radio programme.

Prints WER, CPU seconds per audio second, real-time factor and commit latency (audio
arrival → committed word; median and p95) for each mode.

Latency comes from a discrete-event replay of real time: chunks "arrive" every 0.5 s of
audio, the transcriber handles each no earlier than its arrival (taking, as `LiveSession`
does, every chunk that arrived while it was busy in one step), and its measured
processing time advances the clock. With one transcriber thread this is what a real-time
run measures, without waiting five minutes per mode.

    .venv/bin/python benchmarks/asr_stream.py [--model tiny.en]
        [--modes offline,live,monitor,live-shared,monitor-shared]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import jiwer  # noqa: E402
import numpy as np  # noqa: E402
from speech_programme import build  # noqa: E402

from app.session import CHUNK_S, JOIN_MAX_S  # noqa: E402
from ingest.ffmpeg import decode_to_array  # noqa: E402
from nlp.asr import AsrOptions, WhisperBackend  # noqa: E402
from nlp.decoding_service import LIVE, MONITOR, DecodingService, SharedBackend  # noqa: E402
from nlp.streaming import make_streaming_transcriber  # noqa: E402
from nlp.types import join_words  # noqa: E402

SR = 16000


def normalise(text: str) -> str:
    text = re.sub(r"[^a-z' ]+", " ", text.lower())
    return " ".join(text.split())


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalise(reference), normalise(hypothesis))


def run_offline(backend: WhisperBackend, audio: np.ndarray) -> dict:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    segments = list(backend.transcribe_file_audio(audio))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"text": " ".join(s.text for s in segments), "cpu": cpu, "wall": wall, "latencies": []}


def run_streaming(mode: str, backend: WhisperBackend, audio: np.ndarray) -> dict:
    """`live`/`monitor` decode one utterance per Whisper call in a padded 30-s window, with
    the committed text as prompt; `live-shared`/`monitor-shared` go through the decoding
    service the app's sessions use (`nlp.decoding_service`: a fitted window, no prompt)."""
    if mode.endswith("-shared"):
        mode = mode.removesuffix("-shared")
        priority = LIVE if mode == "live" else MONITOR
        backend = SharedBackend(backend, DecodingService(backend.model), priority)
    transcriber = make_streaming_transcriber(mode, backend)
    step = int(CHUNK_S * SR)
    clock = 0.0  # simulated wall clock, in seconds since the stream started
    latencies: list[float] = []
    words = []
    cpu0 = time.process_time()
    busy = 0.0
    i = 0
    while i < len(audio):
        # As `LiveSession` does: the transcriber takes every chunk that arrived while it was
        # busy, up to JOIN_MAX_S, in one step (at least the next chunk, once it has arrived).
        clock = max(clock, min(i + step, len(audio)) / SR)
        arrived = int(clock * SR) // step * step
        take = min(max(arrived - i, step), int(JOIN_MAX_S * SR))
        chunk = audio[i : i + take]
        t0 = time.perf_counter()
        commits = transcriber.push(chunk, i / SR)
        spent = time.perf_counter() - t0
        i += len(chunk)
        busy += spent
        clock += spent
        for commit in commits:
            for word in commit.words:
                words.append(word)
                latencies.append(clock - word.end)
    t0 = time.perf_counter()
    for commit in transcriber.finish():
        for word in commit.words:
            words.append(word)
            latencies.append(clock + time.perf_counter() - t0 - word.end)
    cpu = time.process_time() - cpu0
    return {
        "text": join_words(words),
        "cpu": cpu,
        "wall": busy,
        "latencies": latencies,
        "final_lag": clock - len(audio) / SR,
        "decodes": transcriber.decode_calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--modes", default="offline,live,monitor,live-shared,monitor-shared")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "sl-bench"))
    args = parser.parse_args()

    wav, reference = build(Path(args.workdir))
    audio = decode_to_array(str(wav))
    duration = len(audio) / SR
    backend = WhisperBackend(AsrOptions(model=args.model), Path(args.workdir) / "models")
    backend.decode(audio[: SR * 2])  # warm-up: load kernels before timing
    print(
        f"audio: {duration:.1f} s ({len(reference.split())} words spoken), model "
        f"{args.model}, {backend.model_path}"
    )
    results = {}
    for mode in args.modes.split(","):
        run = run_offline if mode == "offline" else None
        result = run(backend, audio) if run else run_streaming(mode, backend, audio)
        result["wer"] = wer(reference, result["text"])
        results[mode] = result
        print(f"  {mode}: done in {result['wall']:.1f} s wall", flush=True)

    print()
    header = (
        f"{'mode':<14} {'WER':>6} {'CPU-s/audio-s':>14} {'RTF':>6} {'lat p50':>8} "
        f"{'lat p95':>8} {'end lag':>8} {'decodes':>8}"
    )
    print(header)
    print("-" * len(header))
    for mode, r in results.items():
        lat = r["latencies"]
        p50 = f"{statistics.median(lat):.2f}s" if lat else "-"
        p95 = f"{np.percentile(lat, 95):.2f}s" if lat else "-"
        lag = f"{r['final_lag']:.2f}s" if "final_lag" in r else "-"
        decodes = str(r.get("decodes", "-"))
        print(
            f"{mode:<14} {r['wer']:>6.3f} {r['cpu'] / duration:>14.3f} "
            f"{r['wall'] / duration:>6.3f} {p50:>8} {p95:>8} {lag:>8} {decodes:>8}"
        )
    if "offline" in results:
        off = results["offline"]
        print()
        for mode in ("live", "monitor"):
            if mode in results:
                r = results[mode]
                print(
                    f"{mode}: WER {r['wer'] / max(off['wer'], 1e-9):.2f}× offline, "
                    f"CPU {r['cpu'] / off['cpu']:.2f}× offline"
                )


if __name__ == "__main__":
    main()
