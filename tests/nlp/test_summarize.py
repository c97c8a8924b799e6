"""Extractive summaries: only what was said, 3–5 picks per clip, every clip covered."""

from __future__ import annotations

import pytest

from nlp.summarize import Summarizer, Utterance, clips, how_many, utterances_from_segments

TOPICS = [
    "the city council approved the new library budget after a long debate",
    "farmers say the drought has hurt this year's corn and wheat harvest badly",
    "the local team won the championship game in overtime last night",
    "a new bus line will connect the airport with the downtown station next month",
    "doctors recommend the flu shot before the winter season starts",
]


def programme(minutes: int = 12) -> list[Utterance]:
    """One utterance every 10 s, cycling topics, plus short fillers that must be dropped."""
    out = []
    for i in range(minutes * 6):
        start = i * 10.0
        out.append(Utterance(start, start + 8, f"{TOPICS[i % 5]} and people reacted {i}"))
        out.append(Utterance(start + 8, start + 9, "okay yeah"))
    return out


@pytest.fixture(scope="module")
def summarizer():
    return Summarizer()


def test_clip_summaries_cover_every_clip_with_3_to_5_real_utterances(summarizer):
    utterances = programme(12)
    clip_summaries, overall = summarizer.summarize(utterances, title="Morning news")
    assert [c.start_s for c in clip_summaries] == [0.0, 300.0, 600.0]
    said = {u.text for u in utterances}
    for clip in clip_summaries:
        assert 3 <= len(clip.picks) <= 5
        assert all(p.text in said for p in clip.picks)
        assert all(len(p.text.split()) >= 5 for p in clip.picks)  # fillers dropped
        assert all(clip.start_s <= p.start_s < clip.start_s + 300 for p in clip.picks)
        assert [p.start_s for p in clip.picks] == sorted(p.start_s for p in clip.picks)
    pool = {p for c in clip_summaries for p in c.picks}
    assert overall and set(overall) <= pool


def test_redundancy_control_prefers_different_topics(summarizer):
    utterances = [Utterance(i * 5.0, i * 5.0 + 4, TOPICS[0] + f" number {i}") for i in range(6)]
    utterances += [Utterance(40.0, 44.0, TOPICS[2]), Utterance(50.0, 54.0, TOPICS[3])]
    picks = summarizer.pick(utterances, 3)
    assert sum(TOPICS[0] in p.text for p in picks) == 1


def test_segments_split_into_timed_sentences_and_clip_sizes():
    [a, b] = utterances_from_segments(
        [(10.0, 20.0, "One two three four. Five six seven eight nine ten?")]
    )
    assert (a.text, b.text) == ("One two three four.", "Five six seven eight nine ten?")
    assert a.start_s == 10.0 and b.end_s == 20.0 and a.end_s == pytest.approx(14.0)
    assert [len(c) for c in clips(programme(7))] == [60, 24]
    assert (how_many(2), how_many(10), how_many(60), how_many(500)) == (2, 3, 5, 5)


def test_sentences_continue_across_segment_cuts_but_not_across_pauses():
    utterances = utterances_from_segments(
        [
            (0.0, 2.0, "of his two top"),  # the recording starts mid-sentence
            (2.0, 4.0, "signal callers. He said the"),
            (4.0, 6.0, "game was over."),
            (9.0, 10.0, "after a long pause"),  # 3 s later: a new utterance
            (10.0, 11.0, "Goodbye."),
        ]
    )
    assert [u.text for u in utterances] == [
        "of his two top signal callers.",
        "He said the game was over.",
        "after a long pause Goodbye.",
    ]
    assert (utterances[0].start_s, utterances[0].end_s) == (0.0, 2.8)  # 2 of 5 words
    assert (utterances[1].start_s, utterances[1].end_s) == (2.8, 6.0)
    assert utterances[2].start_s == 9.0
    unpunctuated = utterances_from_segments([(i * 2.0, i * 2 + 2, "word " * 30) for i in range(5)])
    assert max(len(u.text.split()) for u in unpunctuated) <= 80  # never one endless sentence


def test_the_whole_recording_summary_is_not_crowded_into_its_start(summarizer):
    # Three 5-minute clips, each about one story: the overall summary tells all three.
    utterances = [
        Utterance(clip * 300.0 + i * 20, clip * 300.0 + i * 20 + 15, f"{TOPICS[clip]}, part {i}")
        for clip in range(3)
        for i in range(12)
    ]
    clip_summaries, overall = summarizer.summarize(utterances, overall=3)
    assert len(clip_summaries) == 3
    assert sorted(int(u.start_s // 300) for u in overall) == [0, 1, 2]


def test_a_group_cap_spreads_the_picks():
    import numpy as np

    from nlp.summarize import mmr

    vectors = np.eye(4, dtype=np.float32)  # four different sentences
    salience = np.array([0.9, 0.8, 0.7, 0.1])  # the first clip's three are all strong
    assert mmr(vectors, salience, 2) == [0, 1]
    assert mmr(vectors, salience, 2, groups=[0, 0, 0, 1], per_group=1) == [0, 3]


def test_specific_sentences_win_over_small_talk_and_codes_are_no_title():
    from nlp.summarize import says_something

    words = {"canvassing": 4.0, "board": 2.5, "certified": 3.5, "ballots": 3.0, "show": 1.1}
    idf = (words, 40)  # "show" is in most recordings of this library
    plain = Summarizer(info_weight=0.0, lead_weight=0.0)
    informed = Summarizer(info_weight=1.0, lead_weight=0.0, idf=idf)
    utterances = [
        Utterance(0, 5, "It is great to be on your show again today."),
        Utterance(5, 10, "The canvassing board certified the ballots this morning."),
        Utterance(10, 15, "It is really great to be back on the show with you."),
    ]
    [pick] = informed.pick(utterances, 1)
    assert pick.text.startswith("The canvassing board")
    assert plain.specificity([u.text for u in utterances]) is None  # no library, no bonus
    assert not says_something("KSRM 2024-07-11 02:19") and says_something("Painting a lake")


def test_a_spot_cut_by_a_clip_boundary_is_still_left_out():
    """The uncued middle of an ad is a break because flagged lines of the spot sit on both
    sides of it; when a clip boundary falls inside the spot, the whole recording's summary
    still reads it with the lines beyond the boundary (a clip read alone cannot)."""
    spot = [
        Utterance(290.0, 294.0, "Visit Harbor Home on Route 9."),
        Utterance(294.5, 299.0, "Patio sets, grills and umbrellas for every backyard this summer."),
        Utterance(300.0, 304.0, "Harbor Home, open seven days a week."),
    ]
    news = [Utterance(310.0 + 10 * i, 318.0 + 10 * i, f"{TOPICS[i % 5]} today") for i in range(10)]
    summarizer = Summarizer(break_head=False)
    alone = summarizer.summarize_clip(spot[:2])
    assert [u.text for u in alone.picks] == [spot[1].text]
    clip_summaries, overall = summarizer.summarize(spot + news)
    assert clip_summaries[0].picks == []
    assert spot[1] not in overall


def test_lines_beside_a_break_give_way_to_the_programme():
    """A line right before or after a station break (a spot's opening line, a teaser) is
    not picked while the clip has enough lines away from breaks; a clip of nothing else
    still gets its picks."""
    ident = "You're listening to News Talk 1450 WQRS."
    lead_in = Utterance(20.0, 24.0, TOPICS[0] + " and the mayor spoke")
    clip = [
        Utterance(0.0, 4.0, TOPICS[1]),
        Utterance(6.0, 10.0, TOPICS[2]),
        Utterance(12.0, 16.0, TOPICS[3]),
        Utterance(16.5, 19.5, TOPICS[4]),
        lead_in,
        Utterance(25.0, 28.0, ident),
    ]
    summarizer = Summarizer(break_head=False)
    picks = summarizer.summarize_clip(clip).picks
    assert picks and lead_in not in picks
    short = [lead_in, Utterance(25.0, 28.0, ident)]
    assert summarizer.summarize_clip(short).picks == [lead_in]
