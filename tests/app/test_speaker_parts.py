"""The small parts of speaker labelling: kept audio by time, segment times fitted to words,
speech spans for the encoder, and the refinement's pooling of long recordings."""

from __future__ import annotations

import numpy as np

from app.speakers import RecentAudio
from app.transcript_sink import fitted_to_words
from nlp.speaker_online import pooled_groups
from nlp.speaker_segments import speech_spans
from nlp.types import Segment, Word


def tone(seconds: float, value: float) -> np.ndarray:
    return np.full(int(seconds * 16000), value, dtype=np.float32)


def test_recent_audio_returns_the_asked_stretch_and_forgets_the_old():
    audio = RecentAudio(keep_s=10.0)
    for i in range(8):  # 8 chunks of 2 s, values 0..7
        audio.add(tone(2.0, float(i)), 2.0 * i)
    clip, start = audio.between(9.0, 12.5)
    assert start == 9.0 and len(clip) == 3.5 * 16000
    assert clip[0] == 4.0 and clip[-1] == 6.0  # 9–10 s is chunk 4, 12–12.5 s chunk 6
    assert audio.between(0.0, 4.0) is None  # older than 10 s before the newest: gone
    assert audio.between(20.0, 30.0) is None  # not heard yet
    everything = RecentAudio(keep_s=None)
    everything.add(tone(100.0, 1.0), 50.0)
    everything.add(tone(1.0, 2.0), 150.0)
    assert everything.between(50.0, 51.0)[1] == 50.0


def test_a_segment_is_stored_from_its_first_word_to_its_last():
    """The 'Yep' case: Whisper's segment claimed 9.5–28.8 s for a word said at 12 s."""
    yep = Segment(9.5, 28.8, "Yep.", words=(Word(12.0, 12.4, " Yep."),))
    fitted = fitted_to_words(yep)
    assert (fitted.start, fitted.end, fitted.text) == (12.0, 12.4, "Yep.")
    wordless = Segment(1.0, 2.0, "…")
    assert fitted_to_words(wordless) is wordless


def test_speech_spans_join_words_across_short_pauses():
    words = [Word(0.0, 0.3, "a"), Word(0.5, 0.9, "b"), Word(2.0, 2.4, "c"), Word(2.6, 3.0, "d")]
    assert speech_spans(words, bridge_s=0.6) == [(0.0, 0.9), (2.0, 3.0)]
    assert speech_spans(words, bridge_s=2.0) == [(0.0, 3.0)]
    assert speech_spans([]) == []


def test_refinement_pools_runs_of_one_label_only_when_there_are_too_many():
    labels = [0] * 6 + [1] * 4 + [0] * 2
    assert pooled_groups(labels, max_items=100) == [[i] for i in range(12)]
    groups = pooled_groups(labels, max_items=4)  # 12 items, at most 3 per group
    assert [labels[g[0]] for g in groups] == [0, 0, 1, 1, 0]
    assert all(len({labels[i] for i in g}) == 1 and len(g) <= 3 for g in groups)
    assert sorted(i for g in groups for i in g) == list(range(12))


def test_who_mentions_whom_counts_each_entity_in_each_speakers_lines(tmp_path):
    from app.speaker_mentions import mentions_by_speaker
    from storage import Library

    library = Library(f"sqlite:///{tmp_path / 'l.db'}")
    rid = library.recordings.create(url="u", mode="offline", title="Call-in").id
    lines = [
        ("Ana Host", "Mayor Lopez joins us. The mayor, Lopez, says the council agrees."),
        ("Caller", "I called the Council twice and Lopez never answered."),
        ("Ana Host", "Back to you in Atlanta."),
    ]
    for i, (who, text) in enumerate(lines):
        library.segments.save(rid, start_s=i, end_s=i + 1, text=text, speaker=who)
    entity = {"scope": "recording", "start_s": 0.0, "end_s": 3.0, "first_s": 0.0}
    library.entities.replace(
        rid,
        [
            {**entity, "name": "Lopez", "kind": "PERSON", "mentions": 3},
            {**entity, "name": "Council", "kind": "ORG", "mentions": 2},
            {**entity, "name": "Atlanta", "kind": "GPE", "mentions": 1},
        ],
    )
    assert mentions_by_speaker(library, rid) == {
        "Ana Host": [("Lopez", 2), ("Council", 1), ("Atlanta", 1)],
        "Caller": [("Council", 1), ("Lopez", 1)],
    }
    library.close()
