"""`SourceRepository`: the streams and stations the analyst follows (the Sources window)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.errors import StorageError
from storage.orm import Recording, Source
from storage.recordings import utcnow
from storage.records import SourceRecord


class SourceRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def upsert(
        self,
        url: str,
        *,
        name: str | None = None,
        platform: str | None = None,
        channel: str | None = None,
        is_live: bool | None = None,
        region: str | None = None,
        favourite: bool | None = None,
    ) -> tuple[SourceRecord, bool]:
        """Add a source or fill in what is known about an existing one; (record, created)."""
        with translate_errors("save the source"), self._sessions.begin() as session:
            row = session.scalar(select(Source).where(Source.url == url))
            created = row is None
            if row is None:
                row = Source(url=url, created_at=utcnow(), favourite=False)
                session.add(row)
            for key, value in (
                ("name", name),
                ("platform", platform),
                ("channel", channel),
                ("is_live", is_live),
                ("region", region),
                ("favourite", favourite),
            ):
                if value is not None:
                    setattr(row, key, value)
            session.flush()
            return _to_record(row), created

    def get(self, source_id: int) -> SourceRecord:
        with translate_errors("read the source"), self._sessions() as session:
            row = session.get(Source, source_id)
            if row is None:
                raise StorageError(f"There is no source with id {source_id}.")
            return _to_record(row)

    def by_name(self, name: str) -> SourceRecord | None:
        """The first source called `name` (case-insensitive), favourites first."""
        with translate_errors("read the source"), self._sessions() as session:
            row = session.scalar(
                select(Source)
                .where(func.lower(Source.name) == name.lower())
                .order_by(Source.favourite.desc(), Source.id)
            )
            return None if row is None else _to_record(row)

    def list(self, *, favourites_only: bool = False) -> list[SourceRecord]:
        """Favourites first, then by name; each with its number of recordings."""
        counts = (
            select(Recording.source_id, func.count(Recording.id).label("n"))
            .group_by(Recording.source_id)
            .subquery()
        )
        query = (
            select(Source, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.source_id == Source.id)
            .order_by(Source.favourite.desc(), func.lower(func.coalesce(Source.name, Source.url)))
        )
        if favourites_only:
            query = query.where(Source.favourite)
        with translate_errors("list sources"), self._sessions() as session:
            return [_to_record(row, n) for row, n in session.execute(query).all()]

    def set_favourite(self, source_id: int, favourite: bool) -> None:
        with translate_errors("save the source"), self._sessions.begin() as session:
            row = session.get(Source, source_id)
            if row is None:
                raise StorageError(f"There is no source with id {source_id}.")
            row.favourite = favourite

    def delete(self, source_id: int) -> None:
        """Forget a source; its recordings stay in the library (unlinked)."""
        with translate_errors("delete the source"), self._sessions.begin() as session:
            row = session.get(Source, source_id)
            if row is None:
                return
            for recording in row.recordings:
                recording.source_id = None
            session.delete(row)


def _to_record(row: Source, recording_count: int = 0) -> SourceRecord:
    return SourceRecord(
        id=row.id,
        url=row.url,
        name=row.name,
        platform=row.platform,
        channel=row.channel,
        is_live=row.is_live,
        favourite=bool(row.favourite),
        region=row.region,
        created_at=row.created_at,
        recording_count=recording_count,
    )
