"""Full-text search means the same on SQLite (FTS5) and PostgreSQL (tsvector): the same
queries find the same segments and chat messages, whatever the user types."""

from __future__ import annotations

from datetime import datetime

import pytest

from storage import Library
from storage.search_postgres import to_tsquery_text

SEGMENTS = [
    "new library budget approved",
    "budget for the new road",
    "the council votes on budgets",
    "council members don't agree",
    "A & B said: x <-> y is not an operator!",
    "and or not are just words here",
    "libraries open late on thursdays",
    "the roadworks begin near the cafe",
    "budget budget budget",
    "a long story about parks, rivers, bridges, schools, trains and one small budget line",
]

CHAT = [
    ("viewer1", "what a worthless budget"),
    ("viewer2", "the council should resign"),
    ("viewer3", "LOL the library is closed"),
    ("viewer4", "don't forget the road vote"),
]

# query → the texts it must find (on both databases)
EXPECTED = {
    "budget": {0, 1, 2, 8, 9},  # stemming: "budgets" too
    "new budget": {0, 1},  # every word
    '"library budget"': {0},  # a phrase, in order
    '"budget library"': set(),
    "libr*": {0, 6},  # a prefix
    "road*": {1, 7},
    "the council": {2},  # no stop words dropped: "the" must be there
    "don't": {3},
    "AND OR NOT": {5},  # words, not operators
    "x <-> y": {4},
    "a & b": {4},
}
# typed by a user, each is text to PostgreSQL's tsquery, never syntax
HOSTILE = [
    '"unbalanced',
    "a & b | !c",
    "x <-> y",
    "budget:*",
    "'quoted'",
    "O'Brien's",
    "\\",
    "NEAR(budget",
    "-budget",
    "(budget)",
    "budget)(",
    "'; DROP TABLE segments; --",
    "::regconfig",
    "🙂",
    "w" * 5000,
    "",
    "   ",
    "*",
    '""',
]


def fill(library: Library) -> tuple[int, int]:
    rid = library.recordings.create(url="http://x/radio", mode="live", title="Radio").id
    for i, text in enumerate(SEGMENTS):
        library.segments.save(rid, start_s=float(i), end_s=i + 0.9, text=text)
    chat_rid = library.recordings.create(url="http://x/stream", mode="live", title="Chat").id
    at = datetime(2026, 12, 1, 12, 0)
    library.chat.add_many(
        chat_rid,
        [
            {"at": at, "offset_s": float(i), "kind": "message", "message_id": str(i), "author": a}
            | {"text": t}
            for i, (a, t) in enumerate(CHAT)
        ],
    )
    return rid, chat_rid


def found(library: Library, query: str) -> set[int]:
    return {int(hit.start_s) for hit in library.search.search(query)}


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_queries_find_what_they_say(library, query):
    fill(library)
    assert found(library, query) == EXPECTED[query]


def test_the_same_queries_find_the_same_hits_on_both_databases(tmp_path, postgres_url):
    with (
        Library(f"sqlite:///{tmp_path / 'lib.db'}") as sqlite,
        Library(postgres_url) as postgres,
    ):
        fill(sqlite)
        fill(postgres)
        for query in [*EXPECTED, *HOSTILE, "budget*", "council", '"the new road"', "vote"]:
            assert found(sqlite, query) == found(postgres, query), query
            chat = [(h.segment_id, h.start_s) for h in sqlite.chat.search(query)]
            assert sorted(chat) == sorted(
                (h.segment_id, h.start_s) for h in postgres.chat.search(query)
            ), query


@pytest.mark.parametrize("query", HOSTILE)
def test_anything_a_user_types_is_searched_without_error(library, query):
    fill(library)
    assert isinstance(library.search.search(query), list)
    assert isinstance(library.search.matching_texts(query), list)
    assert isinstance(library.chat.search(query), list)


def test_hits_have_one_shape_marked_snippets_and_a_ranking(library):
    rid, _ = fill(library)
    hits = library.search.search("budget")
    assert hits[0].text == "budget budget budget"  # dense and short ranks first
    assert hits[-1].text.startswith("a long story")
    by_text = {hit.text: hit for hit in hits}
    council = by_text["the council votes on budgets"]
    assert (council.recording_id, council.recording_title, council.source) == (
        rid,
        "Radio",
        "transcript",
    )
    assert (council.start_s, council.end_s) == (2.0, 2.9)
    assert "[budgets]" in council.snippet
    long = by_text[SEGMENTS[9]]
    assert "[budget]" in long.snippet and long.snippet.startswith("…")
    assert [h.start_s for h in library.search.search("budget", recording_id=rid + 1)] == []
    assert len(library.search.search("budget", limit=2)) == 2


def test_chat_hits_name_the_author_and_mark_the_words(library):
    _, chat_rid = fill(library)
    [hit] = library.chat.search("worthless")
    assert (hit.source, hit.recording_id, hit.recording_title) == ("chat", chat_rid, "Chat")
    assert hit.snippet == "viewer1: what a [worthless] budget"
    assert hit.text == "what a worthless budget" and hit.start_s == hit.end_s == 0.0
    assert [h.snippet for h in library.chat.search('"road vote"')] == [
        "viewer4: don't forget the [road] [vote]"
        if library.dialect == "postgresql"
        else "viewer4: don't forget the [road vote]"
    ]


def test_matching_texts_counts_every_segment(library):
    rid, _ = fill(library)
    texts = library.search.matching_texts('"budget"')
    assert sorted(t for _, t in texts) == sorted(SEGMENTS[i] for i in EXPECTED["budget"])
    assert {r for r, _ in texts} == {rid}


def test_rewritten_and_deleted_text_leaves_the_index(library):
    rid, _ = fill(library)
    segment = library.segments.for_recording(rid)[0]
    library.segments.rewrite_texts({segment.id: "New library spending approved."})
    assert 0 not in found(library, "budget") and 0 in found(library, "spending")
    library.recordings.delete(rid)
    assert library.search.search("spending") == []


def test_tsquery_text_quotes_every_word():
    assert to_tsquery_text("new budget") == "'new' & 'budget'"
    assert to_tsquery_text('"library budget" road*') == "('library' <-> 'budget') & 'road':*"
    assert to_tsquery_text("O'Brien's & x") == "'O''Brien''s' & 'x'"
    assert to_tsquery_text("!|&<->") == ""


def test_a_whole_short_segment_is_its_own_snippet_full_stop_and_all(library):
    rid = library.recordings.create(url="http://x/a", mode="live").id
    library.segments.save(rid, start_s=0, end_s=1, text="The D.C. council met.")
    [hit] = library.search.search("council")
    assert hit.snippet == "The D.C. [council] met."
