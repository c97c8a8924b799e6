"""Who speaks when: synthetic voices taking turns are told apart, live and offline; a
segment is cut where the speaker changes; a voice is recognised in another recording."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nlp.diarization import SpeakerTurn, diarize, smooth_turns
from nlp.speaker_online import OnlineClusterer, OnlineDiarizer, map_labels
from nlp.speaker_profiles import match_speakers, profile_from
from nlp.speaker_segments import speaker_at, split_by_speaker
from nlp.types import Segment, Word
from tests.fixtures.voices import CALLER, GUEST, HOST, LINES, conversation, read_wav, say

SAMPLE_RATE = 16000


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    """Host and guest alternating, six lines."""
    folder = tmp_path_factory.mktemp("talk")
    voices = [HOST, GUEST, HOST, GUEST, HOST, GUEST]
    return conversation(list(zip(voices, LINES, strict=True)), folder)


def _changes(turns: list[SpeakerTurn]) -> list[float]:
    return [b.start for a, b in itertools.pairwise(turns) if a.speaker != b.speaker]


def _agreement(turns, truth, step: float = 0.05) -> float:
    """Share of the true speech time whose found speaker is the true one (best mapping)."""
    found, true = [], []
    for start, end, who in truth:
        for t in np.arange(start, end, step):
            hit = [x.speaker for x in turns if x.start <= t < x.end]
            found.append(hit[0] if hit else -1)
            true.append(who)
    pairs: dict[tuple[int, str], int] = {}
    for f, t in zip(found, true, strict=True):
        pairs[f, t] = pairs.get((f, t), 0) + 1
    best: dict[str, int] = {}
    for (f, t), _n in sorted(pairs.items(), key=lambda x: -x[1]):
        if t not in best and f not in best.values() and f >= 0:
            best[t] = f
    return sum(best.get(t) == f for f, t in zip(found, true, strict=True)) / len(found)


@pytest.mark.slow
def test_two_voices_taking_turns_are_two_speakers_changing_where_they_do(talk):
    result = diarize(talk.audio)
    assert result.speakers == [0, 1]
    found = _changes(list(result.turns))
    assert len(found) == len(talk.changes)
    for true, got in zip(talk.changes, found, strict=True):
        assert abs(true - got) <= 0.5, (talk.changes, found)
    assert _agreement(list(result.turns), talk.turns) >= 0.95
    assert set(result.centroids) == {0, 1}


@pytest.mark.slow
def test_a_single_voice_is_one_speaker(talk):
    host_only = talk.audio[: int(talk.turns[0][1] * SAMPLE_RATE)]
    assert diarize(host_only).speakers == [0]


def test_silence_music_noise_and_a_few_words_give_no_speaker_or_one(music_wav):
    assert diarize(np.zeros(5 * SAMPLE_RATE, np.float32)).turns == ()
    assert len(diarize(read_wav(music_wav)).speakers) <= 1
    assert diarize(np.zeros(0, np.float32)).turns == ()
    noise = np.random.default_rng(0).standard_normal(3 * SAMPLE_RATE).astype(np.float32) * 0.01
    assert len(diarize(noise).speakers) <= 1
    blip = np.zeros(SAMPLE_RATE, np.float32)
    assert len(diarize(blip, speech=[(0.2, 0.4)]).speakers) <= 1


@pytest.mark.slow
def test_live_labels_arrive_per_segment_and_the_refinement_keeps_them(talk):
    online = OnlineDiarizer()
    live: list[SpeakerTurn] = []
    for start, end, _ in talk.turns:  # each line committed as one segment
        piece = talk.audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
        turns = online.push(piece, start)
        assert turns, "a label as soon as the segment is committed"
        live += turns
    assert {t.speaker for t in live[:1]} == {0}  # the first seconds already have a label
    assert _agreement(live, talk.turns) >= 0.95
    final = online.refine()
    assert _agreement(final, talk.turns) >= 0.95
    # The refinement speaks in the live labels: two speakers, named as they were live
    # (a voice the live pass split in two is joined under one of its labels).
    assert len({t.speaker for t in final}) == 2
    assert {t.speaker for t in final} <= {t.speaker for t in live}
    assert set(online.centroids()) == {t.speaker for t in final}  # for the voice profiles


def test_the_online_clusterer_opens_a_speaker_for_a_far_voice_and_refine_fixes_a_split():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(256), rng.standard_normal(256)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    online = OnlineClusterer(threshold=0.3)
    assert online.assign(a) == 0
    assert online.assign(b) == 1
    assert online.assign(a + 0.05 * rng.standard_normal(256)) == 0
    strict = OnlineClusterer(threshold=0.001)  # too strict live: one voice split in two
    labels = [strict.assign(a + 0.02 * rng.standard_normal(256)) for _ in range(4)]
    assert len(set(labels)) > 1
    assert set(strict.refine(threshold=0.5)) == {0}


def test_relabelling_the_online_clusterer_makes_later_embeddings_follow_the_merge():
    """What `OnlineDiarizer.consolidate` does: a voice split in two live (a rough first print)
    is one label once re-clustered, and the next embedding of that voice takes it."""
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(256), rng.standard_normal(256)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    strict = OnlineClusterer(threshold=0.001)
    first = [strict.assign(a + 0.02 * rng.standard_normal(256), weight=w) for w in (1, 3)]
    strict.assign(b)
    assert first == [0, 1]  # one voice, two live labels
    strict.relabel(strict.refine(threshold=0.5))
    assert strict.labels == [1, 1, 2]  # the label with more speech kept, b kept apart
    assert not strict.centroids[0].any()  # label 0 has nothing left
    strict.threshold = 0.3
    assert strict.nearest(a) == 1


def test_refined_clusters_take_the_live_labels_they_share_most_time_with():
    found = np.array([5, 5, 7, 7, 9])
    live = np.array([1, 1, 0, 0, 0])
    assert map_labels(found, live, np.ones(5)) == [1, 1, 0, 0, 2]


def test_a_segment_spanning_a_change_of_speaker_is_split_at_the_words():
    words = tuple(Word(s, s + 0.4, f" w{i}") for i, s in enumerate([0.0, 0.5, 1.0, 1.5, 2.0, 2.5]))
    segment = Segment(0.0, 3.5, "w0 w1 w2 w3 w4 w5", words)
    turns = [SpeakerTurn(0.0, 1.45, 0), SpeakerTurn(1.45, 3.5, 1)]
    pieces = split_by_speaker(segment, turns)
    assert [p.speaker for p in pieces] == [0, 1]
    assert [p.segment.text for p in pieces] == ["w0 w1 w2", "w3 w4 w5"]
    assert (pieces[0].segment.start, pieces[0].segment.end) == (0.0, 1.4)
    assert (pieces[1].segment.start, pieces[1].segment.end) == (1.5, 2.9)  # fits the words
    one_stray = [SpeakerTurn(0.0, 1.0, 0), SpeakerTurn(1.0, 1.2, 1), SpeakerTurn(1.2, 3.5, 0)]
    # w2 (0.4 s) is split between the stray turn and speaker 0: under `min_run_s` it stays
    assert [p.speaker for p in split_by_speaker(segment, one_stray, min_run_s=0.5)] == [0]
    assert split_by_speaker(segment, [])[0].speaker is None


def test_short_turns_are_given_to_their_neighbours():
    turns = [SpeakerTurn(0, 3, 0), SpeakerTurn(3, 3.3, 1), SpeakerTurn(3.3, 6, 0)]
    assert smooth_turns(turns, 0.5, 0.5) == [SpeakerTurn(0, 6, 0)]
    apart = [SpeakerTurn(0, 3, 0), SpeakerTurn(5, 5.3, 1)]
    assert smooth_turns(apart, 0.5, 0.5) == apart  # alone in its pause: kept


@pytest.mark.slow
def test_a_voice_profile_finds_the_same_voice_in_another_recording(talk, tmp_path):
    first = diarize(talk.audio)
    host_label = speaker_at(*talk.turns[0][:2], first.turns)
    host = profile_from("host", first.centroids[host_label])
    guest = profile_from("guest", first.centroids[1 - host_label])
    other_day = conversation(
        [(CALLER, LINES[3]), (HOST, LINES[4] + " " + LINES[2]), (CALLER, LINES[5])],
        tmp_path / "other",
    )
    second = diarize(other_day.audio)
    assert len(second.speakers) == 2
    matches = match_speakers(second.centroids, [host, guest])
    host_again = speaker_at(*other_day.turns[1][:2], second.turns)
    caller = speaker_at(*other_day.turns[0][:2], second.turns)
    assert host_again != caller
    assert matches.get(host_again, ("",))[0] == "host"
    assert caller not in matches  # a new voice matches nobody


@pytest.mark.slow
def test_the_same_line_in_two_voices_differs_more_than_two_lines_in_one(tmp_path):
    from nlp.speaker_encoder import load_speaker_encoder

    encoder = load_speaker_encoder()
    a1 = encoder.embed_utterance(say(LINES[0], HOST, tmp_path / "a1.wav"))
    a2 = encoder.embed_utterance(say(LINES[3], HOST, tmp_path / "a2.wav"))
    b1 = encoder.embed_utterance(say(LINES[0], GUEST, tmp_path / "b1.wav"))
    assert a1 @ a2 > a1 @ b1 + 0.1
