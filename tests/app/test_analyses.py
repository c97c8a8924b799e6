"""A recording's analyses are read when stored, computed when missing, and computed again
on `refresh` (the door behind `summary`, `keywords` and `entities`)."""

from __future__ import annotations

from app.analyses import entities_of, keywords_of, summaries_of
from tests.app.helpers import add_week_with_a_new_story, open_library


def test_missing_analyses_are_computed_once_and_refreshed_on_request(workdir):
    library = open_library(workdir)
    add_week_with_a_new_story(library)
    rid = 8
    assert not library.summaries.for_recording(rid) and not library.keywords.for_recording(rid)

    keywords = keywords_of(library, rid)
    assert keywords and keywords == library.keywords.for_recording(rid)  # stored, not only shown
    entities = entities_of(library, rid)
    assert entities == library.entities.for_recording(rid)
    summaries = summaries_of(library, rid)
    assert summaries and summaries == library.summaries.for_recording(rid)

    # Stored analyses are read as they are, even when the transcript changed since...
    segment = library.segments.for_recording(rid)[0]
    library.segments.rewrite_texts({segment.id: "The zeppelin festival drew a zeppelin crowd."})
    assert keywords_of(library, rid) == keywords
    # ...and computed again on request.
    refreshed = keywords_of(library, rid, refresh=True)
    assert "zeppelin" in {k.term for k in refreshed}
    assert library.keywords.for_recording(rid) == refreshed


COUNCIL_SRT = """1
00:00:01,000 --> 00:00:04,000
Mayor Karen Bass spoke to reporters in Los Angeles on Monday.

2
00:00:05,000 --> 00:00:08,000
Later, Bass met Governor Gavin Newsom in Sacramento.

3
00:00:09,000 --> 00:00:12,000
Bass said the city will hire more firefighters this summer.
"""
CAPITOL_SRT = """1
00:00:03,000 --> 00:00:06,000
Governor Gavin Newsom visited Fresno to talk about water.

2
00:00:07,000 --> 00:00:10,000
Farmers told Gavin Newsom that the canals are running dry.
"""
GARDEN_SRT = """1
00:00:02,000 --> 00:00:05,000
Plant the tomatoes after the last frost, and water them every morning.
"""


def test_imported_transcripts_list_their_entities_and_find_who_mentions_someone(run_cli, tmp_path):
    """`import` computes each recording's named entities (a surname alone counting for the
    full name); `entities ID` lists them by kind, `entities --find NAME` the recordings
    that mention a name (any case, part of it), most mentions first, with the first time."""
    for name, text in (
        ("council", COUNCIL_SRT),
        ("capitol", CAPITOL_SRT),
        ("garden", GARDEN_SRT),
    ):
        (tmp_path / f"{name}.srt").write_text(text, encoding="utf-8")
    imported = run_cli("import", str(tmp_path / "*.srt"), "--workers", "2")
    assert imported.returncode == 0, imported.stderr
    ids = {}
    for line in imported.stdout.splitlines():
        if line.startswith("imported"):
            assert "keywords and entities" in line, line  # every item analysed
            name, rid = line.split()[1], line.split("#")[1].split(":")[0]
            ids[name.removesuffix(".srt")] = rid
    assert set(ids) == {"council", "capitol", "garden"}

    council = run_cli("entities", ids["council"]).stdout.splitlines()
    assert "persons: Karen Bass ×3, Gavin Newsom ×1" in council  # "Bass" alone: Karen Bass
    places = next(line for line in council if line.startswith("places: "))
    assert "Los Angeles ×1" in places and "Sacramento ×1" in places

    found = run_cli("entities", "--find", "NEWSOM")
    assert found.returncode == 0
    assert found.stdout.splitlines() == [
        f"#{ids['capitol']} capitol: Gavin Newsom (person) ×2, first at 00:00:03",
        f"#{ids['council']} council: Gavin Newsom (person) ×1, first at 00:00:05",
    ]
    nobody = run_cli("entities", "--find", "Dodgers")
    assert nobody.returncode == 0 and "No recording mentions 'Dodgers'." in nobody.stdout


def test_analyse_punctuates_a_bare_transcript_and_makes_its_analyses(run_cli, tmp_path):
    """`analyse ID`: a transcript imported without analyses and without punctuation gets
    punctuation, summaries, keywords and entities; an unknown id is an error in words."""
    bare = "\n\n".join(
        f"{i}\n00:00:{2 * i:02d},000 --> 00:00:{2 * i + 2:02d},000\n{line}"
        for i, line in enumerate(
            [
                "mayor karen bass spoke to reporters in los angeles on monday",
                "she said the city will hire more firefighters this summer",
                "later bass met governor gavin newsom in sacramento about the budget",
            ],
            start=1,
        )
    )
    (tmp_path / "bare.srt").write_text(bare + "\n", encoding="utf-8")
    imported = run_cli("import", str(tmp_path / "bare.srt"), "--no-analysis")
    assert imported.returncode == 0, imported.stderr
    rid = imported.stdout.split("#")[1].split(":")[0]

    done = run_cli("analyse", rid)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"#{rid}: punctuation restored in"), done.stdout
    assert "keywords and entities" in done.stdout
    library = open_library(tmp_path)
    shown = " ".join(s.text for s in library.segments.for_recording(int(rid)))
    assert "Mayor" in shown and "." in shown  # case and full stops restored
    assert "Karen Bass" in {e.name for e in library.entities.for_recording(int(rid))}
    assert library.summaries.for_recording(int(rid))
    assert library.keywords.for_recording(int(rid))
    library.close()

    unknown = run_cli("analyse", "999")
    assert unknown.returncode != 0 and "999" in unknown.stderr
