"""`transcribe FILE` and `export` end to end, through the CLI."""

from __future__ import annotations

import csv

import pytest

from tests.app.helpers import assert_timeline_is_monotonic, open_library, transcript
from tests.conftest import wer
from tests.fixtures import speech
from tests.fixtures.speech import SCRIPT_A

pytestmark = pytest.mark.slow


def test_transcribe_files_then_export(run_cli, workdir, programme_wav, tmp_path):
    mp3 = speech.convert(programme_wav, tmp_path / "show.mp3", ["-c:a", "libmp3lame"])
    result = run_cli("transcribe", str(programme_wav), str(mp3))
    assert result.returncode == 0, result.stderr
    library = open_library(workdir)
    recordings = sorted(library.recordings.list(), key=lambda r: r.id)
    assert [r.status for r in recordings] == ["complete", "complete"]
    for r in recordings:
        assert wer(SCRIPT_A, transcript(library, r.id)) <= 0.15
        assert_timeline_is_monotonic(library, r.id)
        assert abs(r.duration_s - speech.duration_s(programme_wav)) < 0.2
    listing = run_cli("recordings").stdout
    assert "programme" in listing and "show" in listing and "complete" in listing

    out = tmp_path / "out.csv"
    exported = run_cli("export", "1", "--what", "transcript", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert " ".join(r["text"] for r in rows) == transcript(library, 1)


GERMAN = (
    "Guten Morgen und willkommen zur Sendung. "
    "Heute stimmt der Stadtrat über den neuen Haushalt der Bibliothek ab."
)
SPANISH = (
    "Buenos días y bienvenidos al programa. "
    "Hoy el ayuntamiento vota el nuevo presupuesto de la biblioteca."
)


def test_the_base_model_detects_each_files_language_and_transcribes_it(
    run_cli, workdir, speech_dir
):
    """`--model base` (multilingual, bundled): German and Spanish speech, one run, one
    loaded model: each file in its own language, which `show` names."""
    german = speech.speak(GERMAN, speech_dir / "german.wav", voice="de")
    spanish = speech.speak(SPANISH, speech_dir / "spanish.wav", voice="es")
    result = run_cli("transcribe", str(german), str(spanish), "--model", "base", timeout=300)
    assert result.returncode == 0, result.stderr
    library = open_library(workdir)
    by_title = {r.title: r for r in library.recordings.list()}
    expected = {
        "german": ("de", ["guten morgen", "sendung", "haushalt", "bibliothek"]),
        "spanish": ("es", ["buenos días", "bienvenidos", "programa", "biblioteca"]),
    }
    for title, (language, words) in expected.items():
        recording = by_title[title]
        assert recording.model == "base" and recording.language == language
        text = transcript(library, recording.id).lower()
        assert all(word in text for word in words), text
        shown = run_cli("show", str(recording.id)).stdout
        assert f"language: {language}" in shown.splitlines()[1]
