"""Many stations at once: N loopback radio streams in one process (one model, batched
decoding) against N separate `record` processes (each its own model), side by side.

Each stream is an Icecast-style MP3 radio on 127.0.0.1 playing the same radio-like
programme (espeak-ng speech with music and noise) after a silent lead that differs per
stream (`LEAD_S` + k x `STAGGER_S`): no two streams speak in step (batches are not filled
by accident), and each stream's WER is comparable with one stream's. All in `monitor`
mode, tiny.en. For each N it prints CPU-s per audio-s per stream (while the streams play: not
start-up, not the analyses when a recording ends), commit latency p50/p95 (wall time a
segment was committed minus when its last word was spoken; for a `live` stream, each word:
its growing segment's first update that reached it), the lag at the stream's end
(its last line, after the stream ended), and WER per stream
against the one-stream WER; then the largest N kept up with (finished within 15 s of the
end, WER within +0.02 of one stream). Also one `live` stream beside 4 `monitor` ones in
one process: the live stream's commit latency; with `--live-clip-s S` its clips are analysed
every S s as in the demo, and how long after each clip's end its summary came is printed.

    .venv/bin/python benchmarks/many_streams.py [--counts 1,2,4,8,12,16] [--paragraphs 3]
        [--no-processes] [--max-processes 8] [--live-beside 4] [--live-alone]
        [--live-clip-s 20]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import jiwer  # noqa: E402
import numpy as np  # noqa: E402
from speech_programme import build  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.events import EventBus, SegmentCommitted, SummaryUpdated  # noqa: E402
from app.session import LiveSession, RecordingJob  # noqa: E402
from nlp import decoding_service  # noqa: E402
from storage import Library  # noqa: E402
from tests.fixtures import servers, speech  # noqa: E402

LEAD_S = 4.0  # silence before the speech: joining the radio loses none of it
STAGGER_S = 1.3  # more lead per stream, so streams do not speak in step
KEPT_UP_S = 15.0
WER_SLACK = 0.02


def wer(reference: str, hypothesis: str) -> float:
    def words(text: str) -> str:
        return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())

    return jiwer.wer(words(reference), words(hypothesis) or "<empty>")


def programme(directory: Path, lead_s: float, count: int) -> tuple[Path, str, float]:
    """The first `count` paragraphs after `lead_s` of silence (and 2 s after them): the
    WAV, the spoken text and the length in seconds."""
    wav, text = build(directory, count, lead_s=lead_s, tail_s=2.0)
    return wav, text, speech.duration_s(wav)


@dataclass
class Station:
    server: servers.IcecastServer
    text: str
    seconds: float


@dataclass
class Run:
    cpu_s: float = 0.0
    audio_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    end_lags: list[float] = field(default_factory=list)
    wers: list[float] = field(default_factory=list)
    live_latencies: list[float] = field(default_factory=list)
    # a live stream's clip summaries: each clip's first one, published wall time minus
    # when the clip's end was spoken (a clip is analysed once speech has moved past it)
    summary_delays: list[float] = field(default_factory=list)


def stations(directory: Path, n: int, paragraphs: int) -> list[Station]:
    directory.mkdir(parents=True, exist_ok=True)
    silence = servers.encode_mp3(
        speech.silence(5.0, directory / "quiet.wav"), directory / "quiet.mp3"
    )
    out = []
    for k in range(n):
        wav, text, seconds = programme(directory, LEAD_S + k * STAGGER_S, paragraphs)
        mp3 = servers.encode_mp3(wav, directory / f"{wav.stem}.mp3")
        out.append(Station(servers.IcecastServer(mp3, silence), text, seconds))
    return out


def close(all_stations: list[Station]) -> None:
    for station in all_stations:
        station.server.close()


def in_one_process(
    workdir: Path, n: int, paragraphs: int, live: int = 0, live_clip_s: float | None = None
) -> Run:
    """N sessions (the first `live` of them in live mode, its clips analysed every
    `live_clip_s` if given) in this process."""
    settings = load_settings(db=str(workdir / "one.db"), data_dir=str(workdir / "one"))
    library = Library(settings.db_url)
    bus = EventBus()
    all_stations = stations(workdir.parent / "audio", n, paragraphs)
    commits: list[tuple[int, float, float]] = []  # (recording, wall time, end_s)
    live_ids: set[int] = set()

    def committed(event: SegmentCommitted) -> None:
        # A monitor segment is committed whole (final); a live one grows as its words
        # commit, and each update's end is the newest committed word's.
        if event.final or event.recording_id in live_ids:
            commits.append((event.recording_id, time.monotonic(), event.end_s))

    bus.subscribe(committed, SegmentCommitted)
    summaries: list[tuple[int, float, float]] = []  # (recording, wall time, clip end)

    def summarised(event: SummaryUpdated) -> None:
        if event.kind == "clip":
            summaries.append((event.recording_id, time.monotonic(), event.end_s))

    bus.subscribe(summarised, SummaryUpdated)
    sessions = []
    for k, station in enumerate(all_stations):
        job = RecordingJob(
            url=station.server.url,
            mode="live" if k < live else "monitor",
            duration_s=station.seconds,
            chat="off",
            summary_clip_s=live_clip_s if k < live else None,
        )
        session = LiveSession(job, library, settings, bus)
        session.start()
        if job.mode == "live":
            live_ids.add(session.recording_id)
        sessions.append((session, station, time.monotonic()))
    cpu = CpuSampler()  # from when every stream runs (model loaded, readers started)
    run = Run()
    last_commits = []
    for session, station, started in sessions:
        session.wait()
        mine = [(t, end) for rid, t, end in commits if rid == session.recording_id]
        last = max((t for t, _end in mine), default=time.monotonic())
        last_commits.append(last)
        run.end_lags.append(last - (started + station.seconds))
        text = " ".join(s.text for s in library.segments.for_recording(session.recording_id))
        run.wers.append(wer(station.text, text))
        run.audio_s += station.seconds
        if session.job.mode == "live":
            run.live_latencies += word_latencies(library, session.recording_id, mine, started)
            first_at: dict[float, float] = {}  # clip end -> when its first summary came
            for rid, t, end in summaries:
                if rid == session.recording_id and end <= station.seconds:
                    first_at[end] = min(t, first_at.get(end, t))
            run.summary_delays += [t - (started + end) for end, t in first_at.items()]
        else:
            run.latencies += [t - (started + end) for t, end in mine]
    run.cpu_s = cpu.used_until(max(last_commits))
    run.audio_s = sum(
        max(0.0, min(last, started + st.seconds) - cpu.started)
        for (_s, st, started), last in zip(sessions, last_commits, strict=True)
    )
    cpu.stop()
    close(all_stations)
    return run


def word_latencies(library, recording_id: int, updates, started: float) -> list[float]:
    """Each word's commit latency in a `live` recording: the first update (wall time, end)
    whose end reaches the word's end committed it (committed words keep their times)."""
    updates = sorted(updates, key=lambda u: u[0])
    latencies = []
    for segment in library.segments.for_recording(recording_id):
        for word in segment.words:
            end = float(word[1])
            at = next((t for t, reached in updates if reached >= end - 1e-3), None)
            if at is not None:
                latencies.append(at - (started + end))
    return latencies


class CpuSampler:
    """This process's CPU time, sampled every 0.2 s, so the transcription's share can be
    read up to a moment (the last commit), before the end-of-recording analyses."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._cpu0 = time.process_time()
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.samples.append((time.monotonic(), time.process_time() - self._cpu0))

    def used_until(self, moment: float) -> float:
        before = [cpu for t, cpu in self.samples if t <= moment]
        return before[-1] if before else 0.0

    def stop(self) -> None:
        self._stop.set()


def in_processes(workdir: Path, n: int, paragraphs: int) -> Run:
    """N `main.py record` processes, one per stream (today's way)."""
    all_stations = stations(workdir.parent / "audio", n, paragraphs)
    env = {**os.environ, "STREAMLENS_DATA_DIR": str(workdir / "procs")}
    run = Run()
    procs = []
    for k, station in enumerate(all_stations):
        db = workdir / f"proc{k}.db"
        cmd = [
            sys.executable,
            str(ROOT / "main.py"),
            "record",
            station.server.url,
            "--db",
            str(db),
            "--mode",
            "monitor",
            "--duration",
            f"{station.seconds:.1f}",
            "--no-chat",
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
        )
        state = {"started": None, "lines": [], "cpu_at_start": 0.0}
        threading.Thread(target=_read_stderr, args=(proc, state), daemon=True).start()
        threading.Thread(target=_read_stdout, args=(proc, state), daemon=True).start()
        procs.append((proc, station, state, db))
    for proc, station, state, db in procs:
        proc.wait()
        started = state["started"] or time.monotonic()
        last = state["lines"][-1] if state["lines"] else time.monotonic()
        run.end_lags.append(last - (started + station.seconds))
        # transcription only: from the stream's start to its last line (not the start-up,
        # nor the end-of-recording analyses, as for one process)
        run.cpu_s += max(0.0, state.get("cpu_at_last", 0.0) - state.get("cpu_at_start", 0.0))
        transcribed_s = min(last, started + station.seconds) - started
        library = Library(f"sqlite:///{db}")
        [recording] = library.recordings.list()
        segments = library.segments.for_recording(recording.id)
        run.wers.append(wer(station.text, " ".join(s.text for s in segments)))
        run.audio_s += max(0.0, transcribed_s)
        for arrived, segment in zip(state["lines"], segments, strict=False):
            run.latencies.append(arrived - (started + segment.end_s))
    close(all_stations)
    return run


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read_stderr(proc, state) -> None:
    for line in proc.stderr:
        if line.startswith("Recording #") and state["started"] is None:
            state["started"] = time.monotonic()  # printed as the reader starts
            state["cpu_at_start"] = _proc_cpu(proc.pid)


def _read_stdout(proc, state) -> None:
    for line in proc.stdout:
        if line.startswith("["):
            state["lines"].append(time.monotonic())
            state["cpu_at_last"] = _proc_cpu(proc.pid)


def pct(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.1f}" if values else "-"


def row(label: str, n: int, run: Run, single_wer: float | None) -> tuple[str, bool]:
    mean_wer = statistics.mean(run.wers) if run.wers else float("nan")
    worst_lag = max(run.end_lags) if run.end_lags else float("nan")
    kept = worst_lag <= KEPT_UP_S and (
        single_wer is None or max(run.wers) <= single_wer + WER_SLACK
    )
    cpu = run.cpu_s / run.audio_s if run.audio_s else float("nan")
    line = (
        f"{label:<10} {n:>3} {cpu:>13.3f} {pct(run.latencies, 50):>8} {pct(run.latencies, 95):>8}"
        f" {worst_lag:>9.1f} {mean_wer:>9.3f} {max(run.wers):>8.3f}  {'yes' if kept else 'NO'}"
    )
    return line, kept


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="1,2,4,8,12,16")
    parser.add_argument("--paragraphs", type=int, default=3, help="per stream (~20 s each)")
    parser.add_argument("--no-processes", action="store_true", help="skip separate processes")
    parser.add_argument(
        "--max-processes", type=int, default=8, help="no separate-process runs above this N"
    )
    parser.add_argument("--live-beside", type=int, default=4, help="0 skips the live check")
    parser.add_argument(
        "--live-clip-s",
        type=float,
        help="analyse the live stream's clips this often (the demo: 20), beside the monitors",
    )
    parser.add_argument(
        "--live-alone", action="store_true", help="also one live stream on its own, for comparison"
    )
    parser.add_argument(
        "--beside-live-batch",
        type=int,
        default=None,
        help="monitor batch size while a live stream is active (default: the service's "
        f"BESIDE_LIVE_MAX_BATCH, {decoding_service.BESIDE_LIVE_MAX_BATCH}; 8 = no cap)",
    )
    parser.add_argument(
        "--no-speakers",
        action="store_true",
        help="without speaker labels (STREAMLENS_SPEAKERS=0): run once with and once without "
        "to see diarization's share of the CPU",
    )
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "sl-many"))
    args = parser.parse_args()
    if args.no_speakers:
        os.environ["STREAMLENS_SPEAKERS"] = "0"  # this process's sessions and the children
    counts = [int(c) for c in args.counts.split(",") if c.strip()]  # "" = the live check only
    if args.beside_live_batch is not None:
        decoding_service.BESIDE_LIVE_MAX_BATCH = args.beside_live_batch
    workdir = Path(args.workdir)
    print(
        f"{os.cpu_count()} CPUs; monitor mode, tiny.en; {args.paragraphs} paragraphs a stream; "
        f"speaker labels {'off' if args.no_speakers else 'on'}"
    )
    header = (
        f"{'how':<10} {'N':>3} {'CPU-s/audio-s':>13} {'lat p50':>8} {'lat p95':>8}"
        f" {'end lag s':>9} {'mean WER':>9} {'max WER':>8}  kept up"
    )
    print(header)
    print("-" * len(header))
    single: dict[str, float] = {}
    best = {"one process": 0, "processes": 0}
    for n in counts:
        ways = [("one process", in_one_process)]
        if not args.no_processes and n <= args.max_processes:
            ways.append(("processes", in_processes))
        for label, runner in ways:
            run_dir = workdir / f"{label.replace(' ', '_')}_{n}"
            shutil.rmtree(run_dir, ignore_errors=True)  # a library of its own, every run
            run = runner(run_dir, n, args.paragraphs)
            if n == counts[0]:
                single[label] = statistics.mean(run.wers)
            text, kept = row(label, n, run, single.get(label))
            print(text, flush=True)
            if kept:
                best[label] = max(best[label], n)
    print()
    for label, n in best.items():
        if label in single:
            print(f"largest N kept up with, {label}: {n}")
    if args.live_beside:
        shutil.rmtree(workdir / "live_beside", ignore_errors=True)
        run = in_one_process(
            workdir / "live_beside", args.live_beside + 1, args.paragraphs, 1, args.live_clip_s
        )
        print(
            f"\nlive stream beside {args.live_beside} monitor streams, one process: commit "
            f"latency p50 {pct(run.live_latencies, 50)} s, p95 {pct(run.live_latencies, 95)} s;"
            f" monitor p95 {pct(run.latencies, 95)} s; live WER {run.wers[0]:.3f}"
        )
        if args.live_clip_s:
            print(
                f"its {len(run.summary_delays)} clips' first summaries came "
                f"p50 {pct(run.summary_delays, 50)} s, max {pct(run.summary_delays, 100)} s "
                f"after their clip's end was spoken"
            )
    if args.live_alone:
        shutil.rmtree(workdir / "live_alone", ignore_errors=True)
        run = in_one_process(workdir / "live_alone", 1, args.paragraphs, 1)
        print(
            f"live stream alone: commit latency p50 {pct(run.live_latencies, 50)} s, "
            f"p95 {pct(run.live_latencies, 95)} s; live WER {run.wers[0]:.3f}"
        )


if __name__ == "__main__":
    main()
