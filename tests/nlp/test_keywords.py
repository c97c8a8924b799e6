"""Keywords: phrases without fillers, engagement weighting, burst detection on fixed texts."""

from __future__ import annotations

from nlp.keywords import (
    bursts,
    candidate_terms,
    engagement_weights,
    idf_table,
    window_bursts,
    window_keywords,
)

BACKGROUND = (
    "the city council met on tuesday to discuss the annual budget for parks and roads "
    "and residents asked about bus routes and school lunches. "
)


def test_candidates_are_content_phrases_without_fillers():
    terms = candidate_terms("uh you know the city council approved a new library budget like")
    assert "city council" in terms and "library budget" in terms and "new library budget" in terms
    assert not any(t.split()[0] in {"the", "uh", "like"} for t in terms)
    assert "you know" not in terms and "like" not in terms and "uh" not in terms
    terms = candidate_terms("paint from the bottom to lighter tones; the secretary of state spoke")
    assert "secretary of state" in terms and "bottom" in terms and "lighter tones" in terms
    assert "bottom to lighter" not in terms  # a stretch of a sentence, not a term
    terms = candidate_terms("we couldn't visit example.com, here's the last couple of polls")
    assert not {"couldn't", "com", "here's", "last", "couple"} & set(terms)
    assert "polls" in terms


def test_window_keywords_find_each_windows_topic():
    windows = [
        BACKGROUND + "the wildfire evacuation order covers three towns wildfire evacuation",
        BACKGROUND + "the championship parade downtown drew crowds championship parade",
    ]
    idf, n = idf_table([candidate_terms(BACKGROUND)] * 5)
    per_window, overall = window_keywords(windows, idf, n)
    assert per_window[0][0].term == "wildfire evacuation"
    assert per_window[1][0].term == "championship parade"
    assert {k.term for k in overall[:2]} == {"wildfire evacuation", "championship parade"}


def test_engagement_raises_the_window_the_chat_reacted_to():
    # Without chat, window 0's phrase wins: it is said twice, window 1's once.
    windows = [
        BACKGROUND + "solar panel grants. solar panel grants",
        BACKGROUND + "tax refund deadline",
    ]
    idf, n = idf_table([candidate_terms(BACKGROUND)] * 5)
    _calm, calm = window_keywords(windows, idf, n, chat_counts=[5, 5])
    assert [k.term for k in calm[:2]] == ["solar panel grants", "tax refund deadline"]
    # The chat exploding during window 1 lifts its phrase above window 0's.
    _hot, hot = window_keywords(windows, idf, n, chat_counts=[5, 60])
    assert [k.term for k in hot[:2]] == ["tax refund deadline", "solar panel grants"]
    # Only against its baseline: a spike in window 0 keeps window 0's phrase ahead.
    _other, other = window_keywords(windows, idf, n, chat_counts=[60, 5])
    assert other[0].term == "solar panel grants"
    weights = engagement_weights([10, 11, 9, 10, 80, 10])
    assert weights[4] > 2 and all(w < 1.3 for i, w in enumerate(weights) if i != 4)


def test_a_topic_injected_into_some_windows_bursts_there():
    windows = [candidate_terms(BACKGROUND * 3) for _ in range(12)]
    for i in (7, 8):
        windows[i] = windows[i] + candidate_terms("bridge collapse rescue crews " * 6)
    found = window_bursts(windows)
    assert {i for i, b in found if b.term.startswith("bridge collapse")} == {7, 8}
    assert all(i in (7, 8) for i, _ in found)
    recent = [set(candidate_terms(BACKGROUND + "bridge collapse")) for _ in range(4)]
    before = [set(candidate_terms(BACKGROUND)) for _ in range(20)]
    top = bursts(recent, before)
    assert top and top[0].term == "bridge collapse" and top[0].recent == 4


def test_simulcasts_and_reruns_count_once_in_trends():
    from nlp.keywords import merge_rebroadcasts

    show = {"tim walz", "running mate", "callers", "debbie", "tires", "car show"}
    other = {"county fair", "pumpkin", "tim walz", "weather"}
    third = {"school board", "tim walz", "budget", "library"}
    merged = merge_rebroadcasts([show, set(show), show | {"station id"}, other, third])
    assert len(merged) == 3  # the one show on three stations is one broadcast
    recent = merged
    baseline = [{"weather", "budget"}, {"traffic"}, {"sports"}]
    found = {b.term: b.recent for b in bursts(recent, baseline, min_recent=2)}
    assert found.get("tim walz") == 3 and "debbie" not in found  # one show is no trend
