"""What every front end does with the settings: open the library (migrated, crash leftovers
marked) and give the models their CPU threads."""

from __future__ import annotations

from app.config import Settings
from nlp.models import use_cpu_threads
from storage import Library


def open_library(settings: Settings) -> Library:
    """The library, with recordings of dead processes marked interrupted (as Buzz does)."""
    library = Library(settings.db_url)
    library.recordings.mark_orphans_interrupted()
    return library


def apply_settings(settings: Settings) -> None:
    """Settings that hold for the whole process: the CPU threads every model may use."""
    use_cpu_threads(settings.cpu_threads)
