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
