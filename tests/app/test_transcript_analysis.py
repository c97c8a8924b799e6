"""Summaries during a live session, on import and by command; re-punctuating stored text."""

from __future__ import annotations

import json
import os
from datetime import datetime

from app.events import EventBus, KeywordsUpdated, SegmentCommitted, SummaryUpdated
from app.transcript_analysis import LiveClipAnalysis, lacks_punctuation
from nlp.live_priority import BACKGROUND_NICENESS
from tests.app.helpers import open_library, wait_for
from tests.nlp.test_summarize import TOPICS


def test_a_live_session_summarises_each_clip_as_it_completes(workdir):
    library = open_library(workdir)
    rid = library.recordings.create(url="http://x/live", mode="live", title="News").id
    bus = EventBus()
    updates: list[SummaryUpdated] = []
    bus.subscribe(updates.append, SummaryUpdated)
    keywords: list[KeywordsUpdated] = []
    bus.subscribe(keywords.append, KeywordsUpdated)
    follower = LiveClipAnalysis(library, bus, rid, "News", clip_s=30.0)

    def say(i: int) -> None:
        start = i * 5.0
        text = f"{TOPICS[i % 5]} and listeners called in {i}."
        sid = library.segments.save(rid, start_s=start, end_s=start + 4, text=text)
        bus.publish(SegmentCommitted(rid, sid, start, start + 4, text, True))

    for i in range(6):  # 0–30 s: the first clip
        say(i)
    assert updates == []  # nothing is summarised while its clip is still running
    say(6)  # speech at 30 s: the first clip is over
    wait_for(lambda: updates, timeout=30)
    [first] = updates
    assert (first.kind, first.start_s, first.end_s) == ("clip", 0.0, 30.0)
    wait_for(lambda: keywords, timeout=30)  # the live keyword strip follows each clip
    assert keywords[0].start_s == 0.0 and keywords[0].terms
    assert 3 <= len(first.sentences) <= 5 and all(s[0] < 30 for s in first.sentences)
    for i in range(7, 14):
        say(i)
    wait_for(lambda: len(updates) >= 2, timeout=30)
    follower.finish()
    stored = library.summaries.for_recording(rid)
    assert [s.kind for s in stored] == ["recording", "clip", "clip", "clip"]
    assert [s.start_s for s in stored[1:]] == [0.0, 30.0, 60.0]
    assert updates[-1].kind in ("clip", "recording")


def test_import_summarises_and_restores_missing_punctuation(run_cli, workdir, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    captions = "\n".join(
        f"{i + 1}\n00:00:{i * 4:02d},000 --> 00:00:{i * 4 + 3:02d},500\n{line}\n"
        for i, line in enumerate(
            [
                "hello everyone and welcome back to the channel",
                "today we are going to paint a mountain lake",
                "what brush do you think i should use for the water",
                "i think a soft round brush works best for this",
                "thank you so much for watching see you next week",
            ]
        )
    )
    (folder / "auto.srt").write_text(captions)
    segments = [
        {"start": i * 20.0, "end": i * 20 + 18, "text": f" {t.capitalize()}."}
        for i, t in enumerate(TOPICS)
    ]
    (folder / "NY_WXYZ_2024_07_01_08_00.json").write_text(json.dumps(segments))
    result = run_cli("import", str(folder))
    assert result.returncode == 0, result.stderr
    assert "punctuation restored" in result.stdout  # only the captions lacked it
    assert result.stdout.count("punctuation restored") == 1
    library = open_library(workdir)
    captions_rec = next(r for r in library.recordings.list() if r.title == "auto")
    texts = [s.text for s in library.segments.for_recording(captions_rec.id)]
    assert not lacks_punctuation(texts) and texts[0][0].isupper()
    raw = [s.raw_text for s in library.segments.for_recording(captions_rec.id)]
    assert raw[0] == "hello everyone and welcome back to the channel"  # raw ASR text kept
    summary = run_cli("summary", str(captions_rec.id))
    assert summary.returncode == 0 and "Whole recording:" in summary.stdout
    assert "Clip 00:00:00–" in summary.stdout and "[00:00:" in summary.stdout


def test_keywords_and_trends_commands(run_cli, workdir):
    from tests.app.helpers import add_week_with_a_new_story

    library = open_library(workdir)
    add_week_with_a_new_story(library)
    result = run_cli("trends", "--since", "2024-07-06")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[1]
    assert "bridge collapse" in first and "in 3 recent sources vs 0 before" in first
    assert "#8 Day 8 [00:0" in result.stdout or "#6 Day 6 [00:0" in result.stdout
    keywords = run_cli("keywords", "8")
    assert keywords.returncode == 0 and "bridge collapse" in keywords.stdout.splitlines()[1]
    assert library.keywords.for_recording(8, "recording")


def test_keywords_leave_out_station_breaks(workdir):
    """A station that names itself and its sponsor every few minutes: neither is what the
    recording was about."""
    from datetime import datetime

    from app.keywords import analyse_keywords

    library = open_library(workdir)
    for day in (1, 2):  # a second recording, so the library has IDF
        rid = library.recordings.create(
            url=f"http://radio/{day}", mode="import", started_at=datetime(2024, 7, day, 8)
        ).id
        for i in range(6):
            ident = "You're listening to News Talk 1450 WQRS, the voice of the lakes."
            sponsor = "This hour is brought to you by Harbor Street Hardware."
            story = (
                "The county board approved the water treatment plant."
                if day == 2
                else "The marina raised mooring fees for sailboats."
            )
            library.segments.save(
                rid, start_s=i * 60.0, end_s=i * 60 + 50, text=f"{ident} {story} {sponsor}"
            )
    analyse_keywords(library, rid)
    terms = [k.term for k in library.keywords.for_recording(rid, "recording")]
    assert any("treatment plant" in t or "water" in t for t in terms), terms
    assert not any(w in t for t in terms for w in ("wqrs", "harbor", "hardware", "lakes")), terms


def test_recording_terms_are_stored_and_recomputed_only_when_the_transcript_changes(
    workdir, monkeypatch
):
    import app.keywords as keywords
    from tests.app.helpers import add_week_with_a_new_story

    library = open_library(workdir)
    add_week_with_a_new_story(library)
    computed = []
    real = keywords.candidate_terms
    monkeypatch.setattr(keywords, "candidate_terms", lambda text: computed.append(1) or real(text))
    first = keywords.recording_terms(library)
    assert len(computed) == 8 and "bridge collapse" in first[8]
    assert keywords.recording_terms(library) == first and len(computed) == 8  # all stored
    segment = library.segments.for_recording(8)[0]
    library.segments.rewrite_texts({segment.id: segment.text + " The ferry resumes service."})
    again = keywords.recording_terms(library)
    assert len(computed) == 9 and "ferry resumes service" in again[8]  # only day 8 again
    assert "bridge collapse" in keywords.trends(library, datetime(2024, 7, 6))[0].burst.term


def test_live_tutorials_only_for_creative_streams(workdir):
    from app.events import TutorialsUpdated
    from nlp.tutorials import load_catalog

    library = open_library(workdir)
    catalog = load_catalog()
    talk = {
        "art": "in photoshop i add a curves adjustment layer and paint its mask with a soft brush.",
        "news": TOPICS[0] + ".",
    }
    for kind, line in talk.items():
        rid = library.recordings.create(url=f"http://x/{kind}", mode="live", title=kind).id
        bus = EventBus()
        got: list[TutorialsUpdated] = []
        bus.subscribe(got.append, TutorialsUpdated)
        follower = LiveClipAnalysis(library, bus, rid, kind, clip_s=20.0, catalog=catalog)
        for i in range(6):
            sid = library.segments.save(rid, start_s=i * 5.0, end_s=i * 5 + 4, text=line)
            bus.publish(SegmentCommitted(rid, sid, i * 5.0, i * 5 + 4, line, True))
        follower.finish()
        if kind == "art":
            assert got and all(r.tutorial.software == "Photoshop" for r in got[0].recommendations)
            assert "Curves" in got[0].recommendations[0].matched_tools
        else:
            assert got == []


def test_live_clip_analysis_uses_one_worker_and_merges_clips_that_wait(workdir, monkeypatch):
    """A slow analysis never piles up threads: clips that end while the worker is busy are
    analysed together, once, by the same worker."""
    import threading

    library = open_library(workdir)
    rid = library.recordings.create(url="http://x/live", mode="live", title="News").id
    bus = EventBus()
    analysis = LiveClipAnalysis(library, bus, rid, "News", clip_s=10.0)
    gate = threading.Event()
    calls: list[tuple[float, float, str]] = []

    niceness: list[int] = []

    def slow_summarize(start: float, end: float) -> None:
        calls.append((start, end, threading.current_thread().name))
        niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        gate.wait(10)

    monkeypatch.setattr(analysis, "_summarize", slow_summarize)
    threads_before = threading.active_count()

    def say(i: int) -> None:  # a segment every 10 s: each one ends the clip before it
        bus.publish(SegmentCommitted(rid, i, i * 10.0, i * 10.0 + 5, "words", True))

    say(0)
    say(1)
    wait_for(lambda: calls, timeout=5)  # the worker is busy with the first clip...
    for i in range(2, 8):  # ...while six more end
        say(i)
    assert threading.active_count() == threads_before  # no thread per clip
    gate.set()
    analysis.finish()
    assert calls[0][:2] == (0.0, 10.0)  # the first clip, taken at once
    assert calls[1:] == [(10.0, 70.0, "live-clip-analysis")]  # the rest, merged
    assert {name for _s, _e, name in calls} == {"live-clip-analysis"}
    # it yields the CPU to transcription, and only its own thread does
    assert set(niceness) == {max(os.getpriority(os.PRIO_PROCESS, 0), BACKGROUND_NICENESS)}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < BACKGROUND_NICENESS
