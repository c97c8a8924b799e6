"""Render the main views to PNG files (for the README and for reviewing the UI).

    .venv/bin/python scripts/screenshots.py [--out screenshots/]
    .venv/bin/python scripts/screenshots.py --trends [--out docs/]

Builds a throwaway library by transcribing a short espeak-ng programme, opens the main
window, and saves the library, a search and a recording view; then runs the built-in demo
for a while and saves its live tab (transcript, flagged chat, chart) and its recording view.
With --trends, only the README's Trends tab over the WavePulse radio transcripts (trends.png).
Works under Xvfb (`xvfb-run -a .venv/bin/python scripts/screenshots.py`) or offscreen.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.config import Settings  # noqa: E402
from app.services import open_library  # noqa: E402
from app.transcription import transcribe_source  # noqa: E402
from tests.fixtures import speech  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def settle(app: QApplication, rounds: int = 40) -> None:
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.05)


def wait_for(app: QApplication, done: Callable[[], bool], what: str, seconds: float = 300) -> None:
    """Process events until `done()` holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"Gave up waiting for {what}.")
        settle(app, rounds=2)


def save_recording_view(out: Path, db: Path, recording_id: int, seconds: float) -> None:
    settings = Settings(
        data_dir=db.parent / "data", db_url=f"sqlite:///{db}", cache_dir=db.parent / "cache"
    )
    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyle("Fusion")
    window = MainWindow(settings, open_library(settings))
    window.resize(1280, 720)
    window.show()
    window.open_recording(recording_id, seconds)
    settle(app)
    window.grab().save(str(out / "radio-recording.png"))
    window.close()
    print(out / "radio-recording.png")


def save_trends_view(out: Path, data: Path) -> None:
    """Import the WavePulse transcripts (text, with their entities) into a throwaway library,
    find the trends since 1 August 2024, chart the top two, and chart who mentions Walz."""
    from PySide6.QtCore import QDate, QItemSelectionModel

    from app.importer import BatchImport, discover
    from app.keywords import analyse_entities

    work = Path(tempfile.mkdtemp(prefix="sl-trends-"))
    settings = Settings(
        data_dir=work / "data", db_url=f"sqlite:///{work / 'lib.db'}", cache_dir=work / "cache"
    )
    library = open_library(settings)
    items, _problems = discover([str(data)])
    BatchImport(library, settings, analyse=False).run(items)
    for recording in library.recordings.list():
        analyse_entities(library, recording.id)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyle("Fusion")
    window = MainWindow(settings, library)
    window.resize(1300, 900)
    window.show()
    window.show_trends()
    view = window.trends_view
    view.use_since.setChecked(True)
    view.since.setDate(QDate(2024, 8, 1))
    view.find_button.click()
    wait_for(app, lambda: view.tree.topLevelItemCount() > 1, "trends")
    second = view.tree.indexFromItem(view.tree.topLevelItem(1))
    view.tree.selectionModel().select(second, QItemSelectionModel.SelectionFlag.Select)
    view.who.setText("walz")
    view.who.returnPressed.emit()
    wait_for(app, lambda: len(view.chart.series) > 1 and bool(view.mention_chart.series), "charts")
    settle(app)
    window.grab().save(str(out / "trends.png"))
    window.close()
    library.close()
    print(out / "trends.png")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--no-demo", action="store_true", help="skip the live demo views")
    parser.add_argument("--demo-seconds", type=float, default=45.0)
    parser.add_argument(
        "--recording",
        nargs=3,
        metavar=("DB", "ID", "SECONDS"),
        help="only open recording ID of the library file DB at SECONDS and save it as "
        "radio-recording.png (the README's WavePulse view)",
    )
    parser.add_argument(
        "--trends",
        nargs="?",
        const=ROOT.parent / "shared" / "data" / "wavepulse" / "transcripts",
        type=Path,
        metavar="TRANSCRIPTS",
        help="only import the WavePulse transcripts (default ../shared/data/wavepulse/"
        "transcripts) and save the Trends tab as trends.png (the README's)",
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.recording:
        save_recording_view(
            out, Path(args.recording[0]), int(args.recording[1]), float(args.recording[2])
        )
        return
    if args.trends:
        save_trends_view(out, args.trends)
        return
    work = Path(tempfile.mkdtemp(prefix="sl-shots-"))
    settings = Settings(
        data_dir=work / "data", db_url=f"sqlite:///{work / 'lib.db'}", cache_dir=work / "cache"
    )
    library = open_library(settings)
    wav = speech.concat(
        [
            speech.speak(speech.SCRIPT_A, work / "a.wav"),
            speech.silence(1.0, work / "s.wav"),
            speech.speak(speech.SCRIPT_B, work / "b.wav"),
        ],
        work / "Morning show.wav",
    )
    transcribe_source(str(wav), library, settings, name="Morning show — Loopback FM")
    transcribe_source(
        str(speech.speak(speech.SCRIPT_B, work / "Farm report.wav")), library, settings
    )

    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyle("Fusion")
    window = MainWindow(settings, library)
    window.resize(1100, 640)
    window.show()
    settle(app)
    window.grab().save(str(out / "library.png"))
    window.library_view.search_box.setText("library budget")
    window.search("library budget")
    settle(app)
    window.grab().save(str(out / "search.png"))
    window.open_recording(1, 8.0)
    settle(app)
    window.grab().save(str(out / "recording.png"))
    if not args.no_demo:
        # The built-in demo: transcript, chat with flags, and the activity chart, live.
        window.start_demo()
        settle(app, rounds=int(args.demo_seconds / 0.05))
        window.grab().save(str(out / "demo-live.png"))
        demo_view = next(iter(window.demos), None)
        if demo_view is not None and demo_view.recording_id:
            demo_view.stop_button.click()
            settle(app, rounds=200)
            window.open_recording(demo_view.recording_id, 18.0)
            settle(app)
            window.grab().save(str(out / "demo-recording.png"))
    window.close()
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


if __name__ == "__main__":
    main()
