"""Render the demo stream's monologue with espeak-ng into `resources/demo/monologue.opus`.

    .venv/bin/python scripts/make_demo_audio.py

The file is committed (about 150 KB) so the demo runs on machines without espeak-ng.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.demo.script import MONOLOGUE  # noqa: E402
from ingest.ffmpeg import ffmpeg_exe  # noqa: E402

OUT = ROOT / "resources" / "demo" / "monologue.opus"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, sentence in enumerate(MONOLOGUE):
            wav = Path(tmp) / f"{i:02d}.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(wav), sentence], check=True
            )
            parts.append(wav)
        listing = Path(tmp) / "list.txt"
        listing.write_text("".join(f"file '{p}'\n" for p in parts))
        OUT.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                ffmpeg_exe(),
                "-y",
                "-loglevel",
                "error",
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                "-af",
                "apad=pad_dur=1",
                "-ac",
                "1",
                "-ar",
                "16000",
                "-c:a",
                "libopus",
                "-b:a",
                "20k",
                str(OUT),
            ],
            check=True,
        )
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
