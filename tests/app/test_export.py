"""CSV export: round-trips through csv, neutralises formulas, never leaves half a file."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from app.errors import UsageError
from app.exporter import (
    EXPORT_KINDS,
    RECORDING_COLUMNS,
    ExportCancelled,
    export,
    neutralise,
    select_recordings,
    write_csv,
)
from storage import Library

TRANSCRIPT_COLUMNS = EXPORT_KINDS["transcript"].columns
STATS_COLUMNS = EXPORT_KINDS["stats"].columns

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
    assert export(library, [1], "transcript", out) == {"transcript": len(TRICKY)}
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

    def broken_items(library, recording):
        yield from library.segments.for_recording(recording.id)[:1]
        raise OSError(28, "No space left on device")

    broken = replace(EXPORT_KINDS["transcript"], items=broken_items)
    monkeypatch.setitem(EXPORT_KINDS, "transcript", broken)
    with pytest.raises(UsageError, match="No space left"):
        export(library, [1], "transcript", out)
    assert out.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".t.csv")] == []


def test_unknown_recording_and_missing_folder(library, tmp_path):
    with pytest.raises(Exception, match="no recording with id 7"):
        export(library, [7], "transcript", tmp_path / "x.csv")
    with pytest.raises(UsageError, match="does not exist"):
        export(library, [1], "transcript", tmp_path / "nope" / "x.csv")


def test_all_kinds_into_a_folder_with_stats(library, tmp_path):
    rid = library.recordings.create(url="http://radio/y.mp3", mode="live", title="Evening").id
    library.segments.save(rid, start_s=0, end_s=60, text="one two three four", confidence=0.5)
    library.recordings.update(rid, duration_s=120.0)
    from datetime import datetime

    library.chat.add_many(
        rid,
        [
            {
                "at": datetime(2026, 1, 1),
                "offset_s": 3.5,
                "kind": "message",
                "author": "ann",
                "text": '=cmd, "quoted"',
                "emotes": ["Kappa"],
                "violation": True,
                "score": 0.8,
                "category": "HIB",
            }
        ],
    )
    counts = export(library, [1, rid], "all", tmp_path / "out")
    library.summaries.replace_all(rid, [(0.0, 300.0, [(0.0, 60.0, "one two three four")])], [])
    counts = export(library, [1, rid], "all", tmp_path / "out")
    library.keywords.replace(
        rid,
        [
            {
                "scope": "recording",
                "start_s": 0,
                "end_s": 60,
                "term": "three four",
                "score": 1.5,
                "count": 1,
            }
        ],
    )
    counts = export(library, [1, rid], "all", tmp_path / "out")
    assert counts == {
        "transcript": len(TRICKY) + 1,
        "stats": 2,
        "summary": 1,
        "keywords": 1,
        "entities": 0,
        "chat": 1,
        "tutorials": 0,  # neither recording is about creative software
    }
    with open(tmp_path / "out" / "stats.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == STATS_COLUMNS
    evening = next(r for r in rows if r["recording_title"] == "Evening")
    assert (evening["segments"], evening["words"], evening["words_per_minute"]) == ("1", "4", "2.0")
    assert evening["mean_confidence"] == "0.500" and evening["source_url"] == "http://radio/y.mp3"
    with open(tmp_path / "out" / "chat.csv", newline="", encoding="utf-8") as f:
        [chat] = list(csv.DictReader(f))
    assert (chat["text"], chat["emotes"], chat["violation"], chat["category"]) == (
        '\'=cmd, "quoted"',
        "Kappa",
        "1",
        "HIB",
    )
    assert chat["offset_s"] == "3.500" and chat["time"] == "2026-01-01T00:00:00.000Z"


def test_selection_by_date_and_all(library):
    from datetime import datetime

    old = library.recordings.create(
        url="http://radio/z", mode="live", started_at=datetime(2024, 7, 1, 12)
    ).id
    in_july = select_recordings(library, since=datetime(2024, 7, 1), until=datetime(2024, 7, 2))
    assert [r.id for r in in_july] == [old]
    assert [r.id for r in select_recordings(library, everything=True)] == [old, 1]
    with pytest.raises(UsageError, match="Choose what"):
        select_recordings(library)
    with pytest.raises(UsageError, match="No recordings match"):
        select_recordings(library, since=datetime(2030, 1, 1))


def test_cancelled_export_writes_nothing(library, tmp_path):
    out = tmp_path / "t.csv"
    with pytest.raises(ExportCancelled):
        export(library, [1], "transcript", out, should_stop=lambda: True)
    assert [p.name for p in tmp_path.iterdir() if "csv" in p.name] == []


def test_cli_export_since_until_and_all(run_cli, workdir):
    from tests.app.helpers import open_library

    with open_library(workdir) as lib:
        rid = lib.recordings.create(url="http://r/a", mode="live", title="=cmd|calc").id
        lib.segments.save(rid, start_s=0, end_s=1, text="+1 hello, world")
    result = run_cli("export", "--all", "--what", "all", "--out", str(workdir / "x"))
    assert result.returncode == 0, result.stderr
    assert "Wrote 1 transcript rows" in result.stderr
    with open(workdir / "x" / "transcript.csv", newline="", encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    assert (row["recording_title"], row["text"]) == ("'=cmd|calc", "'+1 hello, world")
    result = run_cli("export", "--since", "2001-01-01", "--until", "2001-12-31", "--out", "y.csv")
    assert result.returncode == 1 and "No recordings match" in result.stderr
    result = run_cli("export", "--out", "y.csv")
    assert result.returncode == 1 and "Choose what to export" in result.stderr


PAINTING = (
    "Welcome back to the stream. Today in Photoshop we paint a portrait. I add a new layer, "
    "pick the brush tool and lower its opacity, then build a layer mask so the shadows stay "
    "soft. Next the clone stamp tool cleans the background."
)


def test_tutorials_kind_lists_recommendations_only_for_creative_streams(library, tmp_path):
    from nlp.tutorials import Tutorial

    painting = library.recordings.create(url="http://twitch/art", mode="live", title="Art").id
    library.segments.save(painting, start_s=0, end_s=20, text=PAINTING)
    out = tmp_path / "tutorials.csv"
    assert export(library, [1, painting], "tutorials", out)["tutorials"] == 5
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["recording_id"] for r in rows} == {str(painting)}  # the talk radio gets none
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert all("adobe.com" in r["url"] for r in rows)
    assert any("layer mask" in r["matched_tools"].lower() for r in rows)

    mine = Tutorial(
        "Soft portrait shadows with a layer mask",
        "https://example.org/mask",
        "Paint soft shadows with a layer mask and a low-opacity brush.",
        "Photoshop",
        ("layer mask", "brush tool"),
    )
    export(library, [painting], "tutorials", out, catalog=[mine])
    with open(out, newline="", encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    assert row["url"] == "https://example.org/mask"  # the catalog given is the one used


def test_every_kind_names_each_column_once_and_fills_every_one(library, tmp_path):
    """Columns come from one list per kind, beside their cells: no duplicates, the recording
    columns first, and a row that lacks a column is refused rather than written blank."""
    for kind in EXPORT_KINDS.values():
        assert kind.columns[: len(RECORDING_COLUMNS)] == RECORDING_COLUMNS
        assert len(set(kind.columns)) == len(kind.columns), kind.name
    with pytest.raises(ValueError, match="missing columns"):
        write_csv(tmp_path / "x.csv", ["a", "b"], [{"a": 1}])
    assert not (tmp_path / "x.csv").exists()
