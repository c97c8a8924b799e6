"""`Library`: one open database and the repositories over it."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from storage.chat import ChatRepository
from storage.engine import make_engine, upgrade_to_head
from storage.entities import EntityRepository
from storage.keywords import KeywordRepository
from storage.recording_terms import RecordingTermsRepository
from storage.recordings import RecordingRepository
from storage.schedule_runs import ScheduleRunRepository
from storage.search import TranscriptSearch
from storage.segments import SegmentRepository
from storage.sources import SourceRepository
from storage.speakers import SpeakerRepository
from storage.summaries import SummaryRepository
from storage.urls import display_url

log = logging.getLogger(__name__)


class Library:
    """Opens (and migrates) the database at `url` and hands out its repositories.

    Thread-safe: every repository call opens its own short session, so the ASR thread, the
    CLI and the GUI can share one `Library`.
    """

    def __init__(self, url: str) -> None:
        self.url = url  # with its password, if any: show `display_url` instead
        self.engine: Engine = make_engine(url)
        try:
            upgrade_to_head(self.engine)
        except BaseException:
            self.engine.dispose()
            raise
        log.info("Library: %s", self.display_url)
        sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.search = TranscriptSearch(self.engine)
        self.recordings = RecordingRepository(sessions)
        self.segments = SegmentRepository(sessions)
        self.sources = SourceRepository(sessions)
        self.schedule_runs = ScheduleRunRepository(sessions)
        self.chat = ChatRepository(sessions, self.search.backend)
        self.summaries = SummaryRepository(sessions)
        self.keywords = KeywordRepository(sessions)
        self.entities = EntityRepository(sessions)
        self.terms = RecordingTermsRepository(sessions)
        self.speakers = SpeakerRepository(sessions)

    @property
    def display_url(self) -> str:
        """The database's URL as it may be shown or logged: the password hidden."""
        return display_url(self.url)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    def __repr__(self) -> str:
        return f"Library({self.display_url!r})"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
