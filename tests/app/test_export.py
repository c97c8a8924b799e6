"""CSV export: round-trips through csv, neutralises formulas, never leaves half a file."""

from __future__ import annotations

import csv

import pytest

from app.errors import UsageError
from app.exporter import TRANSCRIPT_COLUMNS, export, neutralise
from storage import Library

TRICKY = [
    "plain words",
    'a "quoted" word, and a comma',
    "two\nlines",
    '=HYPERLINK("http://evil")',
    "-2+3",
    "@SUM(A1)",
    "ünïcödé ✓",
]


@pytest.fixture
def library(tmp_path):
    lib = Library(f"sqlite:///{tmp_path / 'lib.db'}")
    rid = lib.recordings.create(url="http://radio/x.mp3", mode="live", title="Morning, live").id
    for i, text in enumerate(TRICKY):
        lib.segments.save(rid, start_s=i * 2.5, end_s=i * 2.5 + 2, text=text, confidence=0.9)
    yield lib
    lib.close()


def test_transcript_round_trips_through_csv(library, tmp_path):
    out = tmp_path / "t.csv"
    assert export(library, [1], "transcript", out) == len(TRICKY)
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == TRANSCRIPT_COLUMNS
    assert [r["text"] for r in rows] == [neutralise(t) for t in TRICKY]
    assert rows[3]["text"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["recording_title"] == "Morning, live"
    assert rows[2]["start_s"] == "5.000"
    assert rows[2]["start_time"].endswith("Z") and "T" in rows[2]["start_time"]
    assert out.read_bytes().count(b"\r\n") >= len(TRICKY) + 1


def test_bom_for_excel(library, tmp_path):
    out = tmp_path / "t.csv"
    export(library, [1], "transcript", out, bom=True)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_failure_leaves_no_file_and_keeps_an_old_one(library, tmp_path, monkeypatch):
    out = tmp_path / "t.csv"
    out.write_text("previous export")
    import app.exporter as exporter

    def broken_rows(*_args):
        yield ["1"] * len(TRANSCRIPT_COLUMNS)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporter, "transcript_rows", broken_rows)
    with pytest.raises(UsageError, match="No space left"):
        export(library, [1], "transcript", out)
    assert out.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".t.csv")] == []


def test_unknown_recording_and_missing_folder(library, tmp_path):
    with pytest.raises(Exception, match="no recording with id 7"):
        export(library, [7], "transcript", tmp_path / "x.csv")
    with pytest.raises(UsageError, match="does not exist"):
        export(library, [1], "transcript", tmp_path / "nope" / "x.csv")
