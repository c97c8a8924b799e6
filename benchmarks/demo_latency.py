"""The built-in demo in the desktop app, as a user runs it: one `live` stream (the 58-s
painting monologue, live HLS on 127.0.0.1) with its Twitch chat moderated as it comes and
its clips analysed every 20 s, in the main window. Prints the live stream's commit latency
for each word — from the moment its audio reached the app to the first commit that showed
it, so the HLS segmenting before it is not counted — the most transcription fell behind,
and how long after its end's audio arrived each clip summary came.

Run it on a real X server, as the issue's demo was watched:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python benchmarks/demo_latency.py

(without a display it runs offscreen; the platform is printed). Each run uses a throwaway
library, so nothing of the user's is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

POLL_S = 0.05
STOP_AFTER_S = 150.0  # a demo that never ends is a failure, not a wait


def configure(workdir: Path) -> None:
    """A throwaway configuration and library (read when the settings load)."""
    for key, sub in (
        ("STREAMLENS_CONFIG_DIR", "config"),
        ("STREAMLENS_DATA_DIR", "data"),
        ("STREAMLENS_CACHE_DIR", "cache"),
    ):
        os.environ[key] = str(workdir / sub)
    os.environ["STREAMLENS_DB"] = str(workdir / "library.db")


class Watch:
    """What the window's sessions publish, with wall times, and how far each stream's audio
    has arrived (sampled every `POLL_S`)."""

    def __init__(self, window) -> None:
        from app.events import SegmentCommitted, SessionStatus, SummaryUpdated

        self.window = window
        self.commits: list[tuple[float, float]] = []  # (wall, newest committed end_s)
        self.summaries: list[tuple[float, float]] = []  # (wall, clip end_s)
        self.arrivals: list[tuple[float, float]] = []  # (wall, received_s)
        self.worst_lag_s = 0.0
        self.states: list[str] = []
        self.threads: dict[int, tuple[str, float]] = {}
        window.bus.subscribe(
            lambda e: self.commits.append((time.monotonic(), e.end_s)), SegmentCommitted
        )
        window.bus.subscribe(self._summary, SummaryUpdated)
        window.bus.subscribe(self._status, SessionStatus)
        self._stop = threading.Event()
        threading.Thread(target=self._poll, daemon=True).start()

    def _summary(self, event) -> None:
        if event.kind == "clip":
            self.summaries.append((time.monotonic(), event.end_s))

    def _status(self, event) -> None:
        self.states.append(event.state)
        self.worst_lag_s = max(self.worst_lag_s, float(event.detail.get("lag_s", 0.0) or 0.0))

    def _poll(self) -> None:
        polls = 0
        while not self._stop.wait(POLL_S):
            for session in list(self.window.sessions.values()):
                self.arrivals.append((time.monotonic(), session.received_s))
            polls += 1
            if polls % 10 == 0:
                thread_cpu(self.threads)

    def stop(self) -> None:
        self._stop.set()

    def arrived(self, position_s: float) -> float | None:
        """Wall time at which the stream's audio first reached `position_s`."""
        return next((t for t, got in self.arrivals if got >= position_s - 1e-3), None)

    def committed(self, end_s: float) -> float | None:
        return next((t for t, end in self.commits if end >= end_s - 1e-3), None)


def thread_cpu(seen: dict[int, tuple[str, float]]) -> None:
    """Update `seen` (native thread id -> (name, CPU seconds so far)) with this process's
    threads: by Python thread name, or — threads Python did not start (ONNX Runtime's,
    CTranslate2's, Qt's) — by their niceness. Sampled while the demo runs, so threads that
    end before it does are counted too."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        tid = int(task.name)
        name = names.get(tid) or seen.get(tid, ("",))[0] or f"other threads at nice {fields[16]}"
        seen[tid] = (name, (int(fields[11]) + int(fields[12])) / tick)


def cpu_by_name(seen: dict[int, tuple[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, cpu in seen.values():
        out[name] = out.get(name, 0.0) + cpu
    return out


def without_chat_or_clips(chat: bool, clips: bool) -> None:
    """The demo's job with its chat or its clip analyses left out (to see their share)."""
    import dataclasses

    from app.demo.source import DemoSource

    job = DemoSource.job

    def reduced(self, mode: str = "live"):
        made = job(self, mode)
        return dataclasses.replace(
            made,
            chat=made.chat if chat else "off",
            summary_clip_s=made.summary_clip_s if clips else 1e9,
        )

    DemoSource.job = reduced


def time_live_decodes() -> list[tuple[float, float]]:
    """Record every live decode's (audio seconds, wall seconds)."""
    from nlp import decoding_service

    decodes: list[tuple[float, float]] = []
    decode = decoding_service.SharedBackend.decode

    def timed(self, audio, *args, **kwargs):
        started = time.monotonic()
        try:
            return decode(self, audio, *args, **kwargs)
        finally:
            if self.priority == decoding_service.LIVE:
                decodes.append((len(audio) / 16000, time.monotonic() - started))

    decoding_service.SharedBackend.decode = timed
    return decodes


def run_demo() -> dict:
    from PySide6.QtCore import QTimer

    from app.config import load_settings
    from app.logsetup import configure_logging
    from ui.app import application, open_main_window
    from ui.live_view import LiveView

    settings = load_settings()
    configure_logging(settings.data_dir)
    app = application([sys.argv[0]])
    window = open_main_window(settings)
    if window is None:
        raise SystemExit("the main window did not open")
    watch = Watch(window)
    decodes = time_live_decodes()
    started = time.monotonic()
    QTimer.singleShot(300, window.start_demo)
    out: dict = {"platform": app.platformName()}

    def check() -> None:
        views = [v for v in window.sessions if isinstance(v, LiveView)]
        sessions = list(window.sessions.values())
        over = sessions and all(s.ended for s in sessions)
        if over or time.monotonic() - started > STOP_AFTER_S:
            finish(sessions[0] if sessions else None, bool(views))
        else:
            QTimer.singleShot(200, check)

    def finish(session, had_view: bool) -> None:
        watch.stop()
        out["timed_out"] = time.monotonic() - started > STOP_AFTER_S
        out["had_view"] = had_view
        if session is not None and session.recording_id is not None:
            segments = window.library.segments.for_recording(session.recording_id)
            words = [float(w[1]) for segment in segments for w in segment.words]
            out["text"] = " ".join(segment.text for segment in segments)
            latencies, timeline = [], []
            for end in words:
                arrived, committed = watch.arrived(end), watch.committed(end)
                if arrived is not None and committed is not None:
                    latencies.append(committed - arrived)
                    timeline.append((round(end, 2), round(committed - arrived, 2)))
            out["latencies"] = latencies
            out["timeline"] = timeline  # (word end in the stream, its latency)
            out["words"] = len(words)
            duration = session.received_s
            first_at: dict[float, float] = {}  # clip end -> when its first summary came
            for t, end in watch.summaries:
                if end <= duration:
                    first_at[end] = min(t, first_at.get(end, t))
            out["summary_delays"] = [
                t - arrived
                for end, t in first_at.items()
                if (arrived := watch.arrived(end)) is not None
            ]
        out["worst_lag_s"] = watch.worst_lag_s
        out["decodes"] = decodes
        thread_cpu(watch.threads)
        out["thread_cpu"] = cpu_by_name(watch.threads)
        window.close()
        app.quit()

    QTimer.singleShot(500, check)
    app.exec()
    return out


def demo_wer(text: str) -> float:
    """The live transcript's word error rate against the monologue the demo speaks (what a
    faster commit policy may cost)."""
    from asr_stream import wer

    from app.demo.script import MONOLOGUE

    return wer(" ".join(MONOLOGUE), text)


def pct(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.2f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, help="write each word's latency here (JSON)")
    parser.add_argument("--no-chat", action="store_true", help="the demo without its chat")
    parser.add_argument(
        "--no-clips", action="store_true", help="the demo without its clip analyses"
    )
    args = parser.parse_args()
    if args.dump and not args.dump.resolve().parent.is_dir():
        parser.error(f"--dump: the folder {args.dump.resolve().parent} does not exist")
    if args.no_chat or args.no_clips:
        without_chat_or_clips(not args.no_chat, not args.no_clips)
    with tempfile.TemporaryDirectory(prefix="streamlens-demo-bench-") as tmp:
        configure(Path(tmp))
        out = run_demo()
    latencies = out.get("latencies", [])
    try:
        report(out, latencies)
    finally:  # the figures are printed first: a dump that cannot be written loses nothing
        if args.dump:
            try:
                args.dump.write_text(json.dumps(out, indent=1))
            except OSError as exc:
                print(f"could not write {args.dump}: {exc}", file=sys.stderr)


def report(out: dict, latencies: list[float]) -> None:
    print(f"platform {out['platform']}; {os.cpu_count()} CPUs; the demo in the main window")
    if out.get("timed_out") or not latencies:
        print(f"the demo did not finish or committed nothing: {out}")
        raise SystemExit(1)
    print(
        f"live commit latency from audio arrival, {len(latencies)} of {out['words']} words: "
        f"p50 {pct(latencies, 50)} s, p95 {pct(latencies, 95)} s, max {pct(latencies, 100)} s"
    )
    print(f"live WER {demo_wer(out.get('text', '')):.3f} against the demo's script")
    delays = out["summary_delays"]
    print(
        f"worst lag shown {out['worst_lag_s']:.1f} s; {len(delays)} clips' first summaries came "
        f"p50 {pct(delays, 50)} s / max {pct(delays, 100)} s after their clip's end arrived"
    )
    audio = [a for a, _t in out["decodes"]]
    took = [t for _a, t in out["decodes"]]
    print(
        f"{len(took)} live decodes: audio p50 {pct(audio, 50)} s / max {pct(audio, 100)} s, "
        f"took p50 {pct(took, 50)} s / p95 {pct(took, 95)} s / max {pct(took, 100)} s"
    )
    busiest = sorted(out["thread_cpu"].items(), key=lambda kv: -kv[1])[:8]
    print("CPU s by thread: " + ", ".join(f"{name} {cpu:.1f}" for name, cpu in busiest))


if __name__ == "__main__":
    main()
