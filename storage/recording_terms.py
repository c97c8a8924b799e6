"""`RecordingTermsRepository`: each recording's candidate terms and its names (what trends
rank), with the transcript fingerprint they were computed from."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import translate_errors
from storage.orm import RecordingTermsRow


class RecordingTermsRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def all(self) -> dict[int, tuple[str, list[str]]]:
        """Recording id → (fingerprint, terms), for every recording that has them."""
        with translate_errors("read the library's terms"), self._sessions() as session:
            rows = session.scalars(select(RecordingTermsRow))
            return {r.recording_id: (r.fingerprint, list(r.terms)) for r in rows}

    def names(self) -> dict[int, tuple[str, list[str]]]:
        """Recording id → (fingerprint, names), for every recording whose names are known."""
        query = select(
            RecordingTermsRow.recording_id, RecordingTermsRow.fingerprint, RecordingTermsRow.names
        ).where(RecordingTermsRow.names.is_not(None))
        with translate_errors("read the library's terms"), self._sessions() as session:
            return {
                rid: (fingerprint, list(names))
                for rid, fingerprint, names in session.execute(query)
                if names is not None  # a JSON null, where the database keeps one
            }

    def save(self, items: dict[int, tuple[str, list[str]]]) -> None:
        """Store (fingerprint, terms) per recording id, replacing what was there; the names
        computed from an older transcript are dropped with it."""
        if not items:
            return
        with translate_errors("save the library's terms"):
            try:
                self._merge(items)
            except IntegrityError:
                # Another process or import worker computed and stored some of the same
                # recordings' terms between our read and our write: write again, as updates.
                self._merge(items)

    def save_names(self, items: dict[int, tuple[str, list[str]]]) -> int:
        """Store (fingerprint, names) per recording id, where the stored terms were computed
        from the same fingerprint (names of a transcript changed meanwhile are not kept).
        Returns how many were stored."""
        stored = 0
        with translate_errors("save the library's terms"), self._sessions.begin() as session:
            for recording_id, (fingerprint, names) in items.items():
                result = session.execute(
                    update(RecordingTermsRow)
                    .where(
                        RecordingTermsRow.recording_id == recording_id,
                        RecordingTermsRow.fingerprint == fingerprint,
                    )
                    .values(names=names)
                )
                stored += result.rowcount or 0
        return stored

    def _merge(self, items: dict[int, tuple[str, list[str]]]) -> None:
        with self._sessions.begin() as session:
            for recording_id, (fingerprint, terms) in items.items():
                session.merge(
                    RecordingTermsRow(
                        recording_id=recording_id, fingerprint=fingerprint, terms=terms, names=None
                    )
                )
