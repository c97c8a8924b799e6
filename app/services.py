"""Opening the library the way every front end must: migrated, with crash leftovers marked."""

from __future__ import annotations

from app.config import Settings
from storage import Library


def open_library(settings: Settings) -> Library:
    """The library, with recordings of dead processes marked interrupted (as Buzz does)."""
    library = Library(settings.db_url)
    library.recordings.mark_orphans_interrupted()
    return library
