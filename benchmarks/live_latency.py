"""Where a `live` stream's commit latency comes from: each word's latency, and each decode's
time by how much audio it decoded, on `benchmarks/asr_stream.py`'s radio programme.

The same discrete-event replay of real time as `asr_stream.py` (chunks arrive every 0.5 s of
audio; a step takes what arrived while the last one ran), through the decoding service's
live lane, as a `live` session decodes. Prints WER, latency p50/p90/p95/max, the decodes by
buffer length, and the latest words with what committed them (a step, or the pause that
closed the utterance).

With `--cost A,B` a decode of S seconds of audio takes A + B·S seconds of the replay's clock
instead of the time it really took: the commit policy's latency without the machine's load,
the same from run to run, for comparing policies (the decoding still really runs).
`--settle off` replays plain LocalAgreement-2, without the settled-word commit
(`nlp.streaming.SETTLE_S`).

    .venv/bin/python benchmarks/live_latency.py [--model tiny.en] [--worst 10] [--cost 0.25,0.04]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from asr_stream import wer  # noqa: E402
from speech_programme import build  # noqa: E402

from app.session import CHUNK_S, JOIN_MAX_S  # noqa: E402
from ingest.ffmpeg import decode_to_array  # noqa: E402
from nlp.asr import AsrOptions, WhisperBackend  # noqa: E402
from nlp.decoding_service import LIVE, DecodingService, SharedBackend  # noqa: E402
from nlp.streaming import SETTLE_S, LiveTranscriber  # noqa: E402
from nlp.types import join_words  # noqa: E402

SR = 16000


def decode_cost(text: str) -> tuple[float, float]:
    """`--cost`'s "A,B", or a message that says what is wrong with it."""
    try:
        fixed, per_second = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected two numbers A,B (seconds per decode, per audio second), got {text!r}"
        ) from None
    return fixed, per_second


def settle_seconds(text: str) -> float | None:
    """`--settle`'s seconds, None for "off", or a message that says what is wrong."""
    if text == "off":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds or 'off', got {text!r}") from None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--worst", type=int, default=10, help="latest words to list")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "sl-bench"))
    parser.add_argument(
        "--cost", type=decode_cost, help="A,B: a decode of S s of audio takes A + B*S s"
    )
    parser.add_argument(
        "--settle",
        type=settle_seconds,
        default=SETTLE_S,
        help="commit disagreed words this many seconds behind the live edge ('off': never)",
    )
    args = parser.parse_args()
    cost = args.cost
    wav, reference = build(Path(args.workdir))
    audio = decode_to_array(str(wav))
    backend = WhisperBackend(AsrOptions(model=args.model), Path(args.workdir) / "models")
    backend.decode(audio[: SR * 2])  # warm-up
    transcriber = LiveTranscriber(
        SharedBackend(backend, DecodingService(backend.model), LIVE), settle_s=args.settle
    )
    decodes: list[tuple[float, float]] = []  # (seconds of audio decoded, seconds it took)
    decode = transcriber._decode
    excess = [0.0]  # simulated minus real decoding time, in the current push

    def timed(start, end, beam_size=None):
        t0 = time.perf_counter()
        words = decode(start, end, beam_size)
        took = time.perf_counter() - t0
        if cost:
            excess[0] += cost[0] + cost[1] * (end - start) - took
            took = cost[0] + cost[1] * (end - start)
        decodes.append((end - start, took))
        return words

    transcriber._decode = timed
    step, clock, i = int(CHUNK_S * SR), 0.0, 0
    rows = []  # (latency, word, committed at a pause)
    while i < len(audio):
        clock = max(clock, min(i + step, len(audio)) / SR)
        arrived = int(clock * SR) // step * step
        chunk = audio[i : i + min(max(arrived - i, step), int(JOIN_MAX_S * SR))]
        t0, excess[0] = time.perf_counter(), 0.0
        commits = transcriber.push(chunk, i / SR)
        clock += time.perf_counter() - t0 + excess[0]
        i += len(chunk)
        rows += [(clock - w.end, w, c.utterance_end) for c in commits for w in c.words]
    rows += [(clock - w.end, w, True) for c in transcriber.finish() for w in c.words]

    latency = np.array([r[0] for r in rows])
    text = join_words([r[1] for r in rows])
    print(f"WER {wer(reference, text):.3f}; {len(rows)} words, {len(decodes)} decodes")
    print(
        "latency p50 {:.2f} s, p90 {:.2f} s, p95 {:.2f} s, max {:.2f} s".format(
            *np.percentile(latency, [50, 90, 95]), latency.max()
        )
    )
    for low, high in ((0, 3), (3, 6), (6, 10), (10, 15), (15, 31)):
        took = [t for s, t in decodes if low <= s < high]
        if took:
            print(
                f"  decodes of {low}-{high} s of audio: {len(took)}, p50 {np.median(took):.2f} s,"
                f" max {max(took):.2f} s"
            )
    print(f"latest {args.worst} words:")
    for lat, word, at_pause in sorted(rows, key=lambda r: -r[0])[: args.worst]:
        how = "at a pause" if at_pause else "by a step"
        print(f"  {lat:5.2f} s  {word.text.strip()!r} at {word.end:.1f} s, {how}")


if __name__ == "__main__":
    main()
