"""A recording's analyses, read from the library or computed when missing (or asked to
`refresh`): one door for the commands and the views that show them.

Summaries, keywords and entities are computed on import and at the end of a live session;
a recording made before an analysis existed, or whose transcript changed, gets it here the
first time someone looks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from storage import EntityRecord, KeywordRecord, Library, SummaryRecord

T = TypeVar("T")


def _stored_or_computed(
    read: Callable[[], list[T]], compute: Callable[[], object], refresh: bool
) -> list[T]:
    rows = [] if refresh else read()
    if refresh or not rows:
        compute()
        rows = read()
    return rows


def summaries_of(library: Library, recording_id: int, refresh: bool = False) -> list[SummaryRecord]:
    from app.transcript_analysis import summarize_recording

    return _stored_or_computed(
        lambda: library.summaries.for_recording(recording_id),
        lambda: summarize_recording(library, recording_id),
        refresh,
    )


def keywords_of(library: Library, recording_id: int, refresh: bool = False) -> list[KeywordRecord]:
    from app.keywords import analyse_keywords

    return _stored_or_computed(
        lambda: library.keywords.for_recording(recording_id),
        lambda: analyse_keywords(library, recording_id),
        refresh,
    )


def entities_of(library: Library, recording_id: int, refresh: bool = False) -> list[EntityRecord]:
    from app.keywords import analyse_entities

    return _stored_or_computed(
        lambda: library.entities.for_recording(recording_id),
        lambda: analyse_entities(library, recording_id),
        refresh,
    )
